import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CanaryWebhook } from '../api/canary-analysis.js';
import type { Secret } from '../kube/resources.js';
import { FakeClock } from '../../test/fakes/fake-clock.js';
import { backoffMs, callWebhook, isRetryableStatus, type WebhookDeps } from './client.js';
import { createAxiosHttpPost, type ClosableHttpPost, type HttpPost, type HttpPostOptions, type HttpResponse } from './http-port.js';
import { driveTimers } from '../../test/support/drive-timers.js';
import { aCanary, aSecret, lookupOf } from '../../test/fixtures/webhooks.js';
import { startRecordingServer, type RecordingServer } from '../../test/support/recording-server.js';

/** A fake clock that also remembers every sleep, so backoff delays can be asserted. */
class RecordingClock extends FakeClock {
  readonly sleeps: number[] = [];
  override sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    return super.sleep(ms);
  }
}

const canary = aCanary({ status: { trackedConfigs: { 'configmap/podinfo-config': 'abc' }, lastAppliedSpec: 'deadbeef' } });

describe('callWebhook against a local endpoint', () => {
  let server: RecordingServer;
  let http: ClosableHttpPost;
  let clock: RecordingClock;
  let secrets: Secret[];
  const deps = (): WebhookDeps => ({ http, clock, secrets: lookupOf(secrets) });
  const call = (hook: Partial<CanaryWebhook>, phase: 'Progressing' | 'Waiting' = 'Progressing') =>
    driveTimers(clock, callWebhook(deps(), canary, { name: 'gate', url: `${server.url}/gate/check`, ...hook }, phase));

  beforeEach(async () => {
    server = await startRecordingServer();
    http = createAxiosHttpPost();
    clock = new RecordingClock();
    secrets = [];
  });
  afterEach(async () => {
    http.close();
    await server.close();
  });

  it('posts Flagger\'s payload for the phase as JSON and reports the status', async () => {
    const result = await call({ metadata: { cmd: 'hey -z 1m http://podinfo-canary.test/' } }, 'Waiting');

    expect(result).toEqual({ ok: true, status: 200 });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.url).toBe('/gate/check');
    expect(server.requests[0]?.headers['content-type']).toBe('application/json');
    expect(server.requests[0]?.raw).toBe(
      '{"name":"podinfo","namespace":"test","phase":"Waiting","checksum":"5f9367a4bedbdf92",'
      + '"metadata":{"cmd":"hey -z 1m http://podinfo-canary.test/"}}',
    );
  });

  it.each([
    ['accepts 200', 200, '', { ok: true, status: 200 }],
    ['accepts 202', 202, 'accepted', { ok: true, status: 202 }],
    ['accepts 203, which Flagger rejects (§12.12)', 203, '', { ok: true, status: 203 }],
    ['accepts 204', 204, '', { ok: true, status: 204 }],
    ['rejects 304 with the status alone when the body is empty', 304, '', { ok: false, status: 304, reason: 'HTTP 304' }],
    ['rejects a closed gate with its answer', 403, 'Forbidden\n', { ok: false, status: 403, reason: 'HTTP 403: Forbidden' }],
    ['rejects 404', 404, 'no such task', { ok: false, status: 404, reason: 'HTTP 404: no such task' }],
    ['rejects 500 with its body', 500, 'task failed: exit 1', { ok: false, status: 500, reason: 'HTTP 500: task failed: exit 1' }],
  ])('%s', async (_case, status, body, expected) => {
    server.reply = () => ({ status, body });

    expect(await call({})).toEqual(expected);
  });

  it('keeps only the first 200 characters of a long body in the reason', async () => {
    server.reply = () => ({ status: 400, body: `${'a'.repeat(200)}${'b'.repeat(300)}` });

    expect(await call({})).toEqual({ ok: false, status: 400, reason: `HTTP 400: ${'a'.repeat(200)}…` });
  });

  it('sends every key of the headers Secret as a request header', async () => {
    secrets = [aSecret('gate-auth', { Authorization: 'Bearer s3cr3t\n', 'X-Tenant': 'web' })];

    expect(await call({ headersSecretRef: { name: 'gate-auth' } })).toEqual({ ok: true, status: 200 });
    expect(server.requests[0]?.headers).toMatchObject({ authorization: 'Bearer s3cr3t', 'x-tenant': 'web' });
  });

  it('fails without sending anything when the headers Secret is missing', async () => {
    expect(await call({ headersSecretRef: { name: 'gate-auth' } })).toEqual({ ok: false, reason: 'headers Secret test/gate-auth not found' });
    expect(server.requests).toHaveLength(0);
  });

  it.each([
    ['a key that is not a header name', { 'bad key': 'x' }, 'headers Secret test/gate-auth: key "bad key" is not a valid header name'],
    ['a header the client sets itself', { Host: 'evil' }, 'headers Secret test/gate-auth: key "Host" names a header the HTTP client sets itself'],
    ['a value with a line break inside', { 'X-A': 'a\nInjected: 1' }, 'headers Secret test/gate-auth: key "X-A" has a value that is not a valid header value'],
  ])('refuses a headers Secret with %s, without revealing values', async (_case, data, reason) => {
    secrets = [aSecret('gate-auth', data)];

    expect(await call({ headersSecretRef: { name: 'gate-auth' } })).toEqual({ ok: false, reason });
    expect(server.requests).toHaveLength(0);
  });

  it('gives up after the hook\'s timeout when the endpoint does not answer', async () => {
    server.reply = () => ({ delayMs: 'never' });

    expect(await call({ timeout: '200ms' })).toEqual({ ok: false, reason: 'timed out: no answer within 200ms' });
  });

  it.each([429, 500, 502, 503, 504])('retries a %i with backoffs of 1s, 2s and 4s, and reports the last answer', async (status) => {
    server.reply = () => ({ status, body: 'busy' });

    const result = await call({ retries: 3 });

    expect(server.requests).toHaveLength(4);
    expect(clock.sleeps).toEqual([1000, 2000, 4000]);
    expect(result).toEqual({ ok: false, status, reason: `HTTP ${status}: busy (after 4 attempts)` });
  });

  it('does not retry a 501, so its body reaches the reason (§13)', async () => {
    server.reply = () => ({ status: 501, body: 'unknown task type' });

    expect(await call({ retries: 3 })).toEqual({ ok: false, status: 501, reason: 'HTTP 501: unknown task type' });
    expect(server.requests).toHaveLength(1);
  });

  it.each([400, 403, 404, 409])('does not retry a %i', async (status) => {
    server.reply = () => ({ status });

    await call({ retries: 3 });

    expect(server.requests).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('stops retrying at the first success', async () => {
    server.reply = (_req, index) => ({ status: index < 2 ? 503 : 200 });

    expect(await call({ retries: 5 })).toEqual({ ok: true, status: 200 });
    expect(server.requests).toHaveLength(3);
    expect(clock.sleeps).toEqual([1000, 2000]);
  });

  it('waits as long as Retry-After asks on a 429', async () => {
    server.reply = (_req, index) => (index === 0 ? { status: 429, headers: { 'Retry-After': '7' } } : { status: 200 });

    expect(await call({ retries: 1 })).toEqual({ ok: true, status: 200 });
    expect(clock.sleeps).toEqual([7000]);
  });

  it('retries timeouts', async () => {
    server.reply = () => ({ delayMs: 'never' });

    expect(await call({ timeout: '100ms', retries: 1 })).toEqual({ ok: false, reason: 'timed out: no answer within 100ms (after 2 attempts)' });
    expect(server.requests).toHaveLength(2);
  });

  it('retries connection errors', async () => {
    const gone = await startRecordingServer();
    await gone.close();

    const result = await driveTimers(clock, callWebhook(deps(), canary, { name: 'gate', url: gone.url, retries: 2 }, 'Progressing'));

    expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/^connection failed: .*ECONNREFUSED.* \(after 3 attempts\)$/) });
    expect(clock.sleeps).toEqual([1000, 2000]);
  });

  it('does not retry a request that can never work', async () => {
    const result = await call({ url: 'ftp://127.0.0.1/x', retries: 3 });

    expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/^request failed: /) });
    expect(clock.sleeps).toEqual([]);
  });
});

describe('callWebhook transport options', () => {
  const recordOptions = (): { http: HttpPost; seen: HttpPostOptions[] } => {
    const seen: HttpPostOptions[] = [];
    return { seen, http: { post: (_url, _body, options) => { seen.push(options); return Promise.resolve({ status: 200, body: '', headers: {} }); } } };
  };

  it.each([
    ['10s and verified TLS by default', {}, { timeoutMs: 10_000, insecureSkipVerify: false }],
    ['the hook\'s timeout', { timeout: '5s' }, { timeoutMs: 5000, insecureSkipVerify: false }],
    ['10s for a timeout shorter than two characters', { timeout: 's' }, { timeoutMs: 10_000, insecureSkipVerify: false }],
    ['no certificate verification with disableTLS', { disableTLS: true }, { timeoutMs: 10_000, insecureSkipVerify: true }],
  ])('uses %s', async (_case, hook, expected) => {
    const { http, seen } = recordOptions();

    await callWebhook({ http, clock: new FakeClock(), secrets: () => undefined }, canary, { name: 'h', url: 'http://x/', ...hook }, 'Progressing');

    expect(seen).toEqual([{ headers: {}, ...expected }]);
  });
});

describe('isRetryableStatus', () => {
  it.each([
    [200, false], [301, false], [400, false], [403, false], [429, true], [500, true], [501, false], [502, true], [503, true], [599, true],
  ])('%i → %s', (status, retryable) => {
    expect(isRetryableStatus(status)).toBe(retryable);
  });
});

describe('backoffMs', () => {
  const answer = (status: number, retryAfter: string): HttpResponse => ({ status, body: '', headers: { 'retry-after': retryAfter } });

  it.each([[1, 1000], [2, 2000], [3, 4000], [4, 8000], [5, 16_000], [6, 30_000], [10, 30_000]])('waits after attempt %i for %i ms', (attempt, ms) => {
    expect(backoffMs(attempt, undefined, 0)).toBe(ms);
  });

  it.each([
    ['honours Retry-After seconds on a 429', answer(429, '7'), 7000],
    ['honours Retry-After seconds on a 503', answer(503, '2'), 2000],
    ['caps Retry-After at 30s', answer(429, '120'), 30_000],
    ['reads an HTTP-date Retry-After against the clock', answer(503, 'Thu, 01 Jan 2026 00:00:05 GMT'), 5000],
    ['ignores Retry-After on a 500', answer(500, '7'), 1000],
    ['ignores an unreadable Retry-After', answer(429, 'soon'), 1000],
  ])('%s', (_case, response, ms) => {
    expect(backoffMs(1, response, Date.parse('2026-01-01T00:00:00Z'))).toBe(ms);
  });
});
