import { KubeApiError } from '../ports/kube.js';

/** Capped exponential backoff: the ceiling doubles from `initialMs` with each failure, up to `maxMs`. */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

/**
 * Retries of API lists and watches. The 16 s cap bounds recovery: once the API server answers again, a cache
 * re-lists within 16 s (plus the list itself), so the operator is back well within 30 s of any outage, while
 * during a long one each cache tries only once every 8–16 s.
 */
export const apiRetryBackoff: BackoffPolicy = { initialMs: 1000, maxMs: 16_000 };

/**
 * The delay before the retry that follows failure number `attempt` (1 for the first failure): "equal jitter",
 * uniformly random in the upper half of the capped exponential ceiling. The random half spreads the retries
 * of many caches and replicas after an API server restart, so they do not all come back in the same
 * millisecond; the fixed half keeps a retry from ever being immediate.
 *
 * Worked example with 1 s initial and 16 s max: failure 1 → ceiling 1 s → 0.5–1 s; failure 3 → ceiling
 * 4 s → 2–4 s; failure 5 and later → ceiling 16 s → 8–16 s. With `random` = 0.25 at failure 3:
 * 2000 + 0.25 × 2000 = 2500 ms.
 */
export function jitteredBackoffMs(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * The backoff delay, but at least what the server asked for in `Retry-After` (429 Too Many Requests, 503),
 * spread over 1–1.5 times that so that the clients it throttled do not all come back together, and capped at
 * `maxMs` so that a huge value cannot stall the operator. Example: failure 1 (0.5–1 s) after a 429 with
 * `Retry-After: 2` → 2–3 s (with `random` = 0.5: 2000 + 0.5 × 1000 = 2500 ms).
 */
export function retryDelayMs(error: unknown, attempt: number, policy: BackoffPolicy, random: () => number): number {
  const backoff = jitteredBackoffMs(attempt, policy, random);
  const asked = error instanceof KubeApiError ? error.retryAfterMs : undefined;
  if (asked === undefined) return backoff;
  return Math.max(backoff, Math.min(policy.maxMs, Math.round(asked + random() * (asked / 2))));
}
