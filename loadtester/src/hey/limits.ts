/**
 * The load a single load test may ask for (hey allows up to 10,000 connections and any rate). Every hey
 * task is checked against these limits before it starts; a command over one is refused with a 400 naming the
 * limit and its flag. The defaults suit a load tester that shares a cluster with the services it tests:
 *
 * - 100 connections (`-c`): twice hey's own default of 50, and far beyond the 2–10 that canary analyses
 *   typically use; each connection holds a socket and a worker, so this bounds one test's file descriptors.
 * - 1000 requests/s (`-q` × `-c`): a canary check needs a few hundred requests per interval to measure a
 *   1 % error rate; 1000/s is 60,000 per minute, and about what one load tester core sends without
 *   becoming the bottleneck it is measuring. `-q 0` (hey's "as fast as possible") runs at this rate.
 * - 10 minutes (`-z`): load tests run per analysis interval (usually 1 minute); Flagger's longest examples
 *   use `-z 10m`.
 * - 600,000 requests (`-n`): 1000/s for 10 minutes, so a count-bounded test can last no longer than a
 *   duration-bounded one.
 */
import type { HeyPlan } from './plan.js';

/** The largest load one test may ask for. */
export interface LoadLimits {
  /** Most workers (`-c`), each with one connection. */
  maxConnections: number;
  /** Most requests per second of one test, all workers together (`-q` × `-c`). */
  maxRate: number;
  /** Longest run (`-z`), in milliseconds. */
  maxDurationMs: number;
  /** Most requests of a count-bounded run (`-n`). */
  maxRequests: number;
}

/** The defaults, explained above. */
export const defaultLoadLimits: LoadLimits = { maxConnections: 100, maxRate: 1000, maxDurationMs: 10 * 60_000, maxRequests: 600_000 };

/** A plan within the limits, or the 400 message naming the limit it crosses. */
export type LimitedPlan = { ok: true; plan: HeyPlan } | { ok: false; error: string };

/**
 * Checks a plan against `limits`. An unthrottled plan (`-q 0`) is given the largest per-worker rate that
 * keeps the total within `maxRate`: `-c 4` ⇒ 1000 / 4 = 250 req/s per worker. A per-request timeout (`-t`)
 * longer than the longest run is shortened to it: no request can usefully outlive its test.
 */
export function limitPlan(plan: HeyPlan, limits: LoadLimits): LimitedPlan {
  const { concurrency: c, qpsPerWorker: q } = plan;
  const rules: [boolean, string][] = [
    [c > limits.maxConnections, `-c ${c} is over this load tester's limit of ${limits.maxConnections} connections per load test (--max-connections)`],
    [q * c > limits.maxRate, `-q ${q} × -c ${c} = ${q * c} requests/s is over this load tester's limit of ${limits.maxRate} requests/s per load test (--max-rate)`],
    [plan.durationMs > limits.maxDurationMs, `-z ${plan.durationMs / 1000}s is over this load tester's limit of ${limits.maxDurationMs / 1000}s per load test (--max-duration)`],
    [plan.durationMs === 0 && plan.requests > limits.maxRequests, `-n ${plan.requests} is over this load tester's limit of ${limits.maxRequests} requests per load test (--max-requests)`],
  ];
  const crossed = rules.find(([over]) => over);
  if (crossed !== undefined) return { ok: false, error: crossed[1] };
  const qpsPerWorker = q > 0 ? q : limits.maxRate / c;
  const timeoutMs = Math.min(plan.timeoutMs, limits.maxDurationMs);
  return { ok: true, plan: { ...plan, qpsPerWorker, timeoutMs } };
}
