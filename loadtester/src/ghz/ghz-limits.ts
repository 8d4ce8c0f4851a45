/**
 * The load tester's per-test limits (`--max-connections`, `--max-rate`, `--max-duration`,
 * `--max-requests`; see hey/limits.ts for why these defaults) applied to a ghz plan, with ghz's flag names
 * in the messages.
 */
import type { LoadLimits } from '../hey/limits.js';
import type { GhzPlan } from './ghz-plan.js';

/** A plan within the limits, or the 400 message naming the limit it crosses. */
export type LimitedGhzPlan = { ok: true; plan: GhzPlan } | { ok: false; error: string };

/**
 * Checks a plan against `limits`. The plan's rate is the total (`-q` already multiplied by `-c`), so no rate becomes
 * `maxRate` shared by the workers: `-c 4` ⇒ 1000 / 4 = 250 calls/s per worker. A deadline (`-t`) longer
 * than the longest run is shortened to it, and `-t 0` (none) becomes it.
 */
export function limitGhzPlan(plan: GhzPlan, limits: LoadLimits): LimitedGhzPlan {
  const { concurrency: c, rps } = plan;
  const rules: [boolean, string][] = [
    [c > limits.maxConnections, `-c ${c} is over this load tester's limit of ${limits.maxConnections} concurrent calls per load test (--max-connections)`],
    [rps > limits.maxRate, `${rps} calls/s (--rps, or -q × -c) is over this load tester's limit of ${limits.maxRate} requests/s per load test (--max-rate)`],
    [plan.durationMs > limits.maxDurationMs, `-z ${plan.durationMs / 1000}s is over this load tester's limit of ${limits.maxDurationMs / 1000}s per load test (--max-duration)`],
    [plan.durationMs === 0 && plan.requests > limits.maxRequests, `-n ${plan.requests} is over this load tester's limit of ${limits.maxRequests} requests per load test (--max-requests)`],
  ];
  const crossed = rules.find(([over]) => over);
  if (crossed !== undefined) return { ok: false, error: crossed[1] };
  const qpsPerWorker = rps > 0 ? rps / c : limits.maxRate / c;
  const timeoutMs = plan.timeoutMs > 0 ? Math.min(plan.timeoutMs, limits.maxDurationMs) : limits.maxDurationMs;
  return { ok: true, plan: { ...plan, qpsPerWorker, timeoutMs } };
}
