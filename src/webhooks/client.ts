/**
 * Calls one webhook (spec §7.1): POST the payload as JSON with the hook's timeout, retries, TLS setting and
 * headers from its Secret, and turn the answer into a {@link WebhookResult}. Never throws.
 */
import type { CanaryWebhook } from '../api/canary-analysis.js';
import type { CanaryPhase } from '../api/canary-status.js';
import type { Canary } from '../api/canary.js';
import { webhookRetries, webhookTimeout } from '../api/defaults.js';
import type { Clock } from '../ports/clock.js';
import { secretHeaders } from './headers.js';
import { HttpError, type HttpPost, type HttpPostOptions, type HttpResponse } from './http-port.js';
import type { SecretLookup } from './lookups.js';
import { webhookPayload } from './payload.js';

/** What a webhook call needs: the HTTP port, the clock that paces retries, and Secrets for headers. */
export interface WebhookDeps {
  http: HttpPost;
  clock: Clock;
  secrets: SecretLookup;
}

/**
 * The outcome of a webhook call. `ok` is any 2xx. On failure, `status` is the last HTTP status (absent when
 * no answer came) and `reason` says why, e.g. `HTTP 403: gate closed` or
 * `HTTP 503: task failed (after 3 attempts)` or `connection failed: connect ECONNREFUSED 10.0.0.1:80`.
 */
export type WebhookResult = { ok: true; status: number } | { ok: false; status?: number; reason: string };

/** First backoff between attempts; it doubles after every retry. */
export const firstBackoffMs = 1000;
/** Longest backoff between attempts. */
export const maxBackoffMs = 30_000;
/** Characters of a failed answer's body kept in the reason. */
export const reasonBodyChars = 200;

/**
 * POSTs Flagger's payload for `phase` to `hook` and reports the outcome. A hook whose `headersSecretRef`
 * names a missing Secret fails without a request.
 */
export async function callWebhook(deps: WebhookDeps, canary: Canary, hook: CanaryWebhook, phase: CanaryPhase): Promise<WebhookResult> {
  let payload: unknown;
  try {
    payload = webhookPayload(canary, phase, hook.metadata);
  } catch (error) {
    return { ok: false, reason: `invalid payload: ${error instanceof Error ? error.message : String(error)}` };
  }
  return deliverWebhook(deps, canary.metadata.namespace ?? '', hook, payload);
}

/**
 * POSTs any payload with the transport settings of `hook` (its Secret is read from `namespace`). Attempts
 * are `retries + 1`; a connection error, a timeout, a 429 or a 5xx other than 501 is retried after
 * {@link backoffMs}, waited on the injected clock. The reason of a failure keeps the last status and the
 * first 200 characters of its body, also after retries.
 *
 * parity: Flagger pkg/controller/webhook.go callWebhook uses go-retryablehttp, whose error after exhausted
 * retries is only `giving up after N attempt(s)` (spec §7.1); here the answer still reaches the event.
 */
export async function deliverWebhook(deps: WebhookDeps, namespace: string, hook: CanaryWebhook, payload: unknown): Promise<WebhookResult> {
  const headers = await secretHeaders(deps.secrets, namespace, hook.headersSecretRef);
  if (!headers.ok) return { ok: false, reason: headers.reason };
  const options: HttpPostOptions = {
    headers: headers.headers, timeoutMs: webhookTimeout(hook), insecureSkipVerify: hook.disableTLS === true,
  };
  const attempts = webhookRetries(hook) + 1;
  for (let attempt = 1; ; attempt++) {
    const outcome = await attemptOnce(deps.http, hook.url, payload, options);
    if (outcome.result.ok || !outcome.retryable || attempt >= attempts) return withAttempts(outcome.result, attempt);
    await deps.clock.sleep(backoffMs(attempt, outcome.response, deps.clock.now()));
  }
}

interface Attempt {
  result: WebhookResult;
  retryable: boolean;
  response?: HttpResponse;
}

async function attemptOnce(http: HttpPost, url: string, payload: unknown, options: HttpPostOptions): Promise<Attempt> {
  let response: HttpResponse;
  try {
    response = await http.post(url, payload, options);
  } catch (error) {
    return transportFailure(error);
  }
  const { status } = response;
  // parity: Flagger succeeds only on status <= 202, so 203-299 fail there (quirk §12.12); any 2xx succeeds here.
  if (status >= 200 && status < 300) return { result: { ok: true, status }, retryable: false, response };
  return { result: { ok: false, status, reason: statusReason(response) }, retryable: isRetryableStatus(status), response };
}

function transportFailure(error: unknown): Attempt {
  if (!(error instanceof HttpError)) return { result: { ok: false, reason: `request failed: ${String(error)}` }, retryable: true };
  switch (error.kind) {
    case 'timeout':
      return { result: { ok: false, reason: `timed out: ${error.message}` }, retryable: true };
    case 'connection':
      return { result: { ok: false, reason: `connection failed: ${error.message}` }, retryable: true };
    case 'request':
      return { result: { ok: false, reason: `request failed: ${error.message}` }, retryable: false };
  }
}

/**
 * Whether a status is worth retrying: 429 and every 5xx except 501 (Not Implemented never changes).
 *
 * parity: go-retryablehttp DefaultRetryPolicy, the same set (spec §13: a 501 is not retried).
 */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599 && status !== 501);
}

/**
 * Wait before attempt `attempt + 1`: 1s doubling per retry, at most 30s; a 429 or 503 with `Retry-After`
 * (seconds or an HTTP date) waits that long instead, also at most 30s.
 *
 * Examples: after attempt 1 → 1000; 2 → 2000; 3 → 4000; 6 → 30000; a 429 with `Retry-After: 7` → 7000.
 *
 * parity: go-retryablehttp DefaultBackoff (min 1s, max 30s), which does not cap `Retry-After`.
 */
export function backoffMs(attempt: number, response: HttpResponse | undefined, now: number): number {
  const retryAfter = response !== undefined && (response.status === 429 || response.status === 503)
    ? retryAfterMs(response.headers['retry-after'], now) : undefined;
  const exponential = firstBackoffMs * 2 ** Math.max(0, attempt - 1);
  return Math.min(maxBackoffMs, retryAfter ?? exponential);
}

function retryAfterMs(header: string | undefined, now: number): number | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function statusReason(response: HttpResponse): string {
  const body = response.body.trim();
  if (body === '') return `HTTP ${response.status}`;
  const snippet = body.length > reasonBodyChars ? `${body.slice(0, reasonBodyChars)}…` : body;
  return `HTTP ${response.status}: ${snippet}`;
}

function withAttempts(result: WebhookResult, attempts: number): WebhookResult {
  if (result.ok || attempts === 1) return result;
  return { ...result, reason: `${result.reason} (after ${attempts} attempts)` };
}
