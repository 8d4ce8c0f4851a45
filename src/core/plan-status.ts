/**
 * The compact form of a release plan kept in `status.plan` when a run starts, so that `kubectl get canary
 * -o wide` and the plugin show when the run should end. Pure: the start time is passed in.
 */
import type { PlanStatus } from '../api/canary-status.js';
import type { ReleasePlan } from './plan-types.js';

/**
 * RFC 3339 without fractions, as status times are written. Example: 1700000000000 → `2023-11-14T22:13:20Z`.
 */
function rfc3339(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/**
 * `status.plan` of a run started at `startedAtMs` (ms since the epoch).
 *
 * Example: started 10:00:00Z, minSeconds 360, maxSeconds 1800 → expectedEnd 10:06:00Z, latestEnd 10:30:00Z.
 */
export function planStatus(plan: ReleasePlan, startedAtMs: number, revision?: string): PlanStatus {
  return {
    strategy: plan.strategy,
    weights: plan.weights,
    ticks: plan.steps.length,
    intervalSeconds: plan.intervalSeconds,
    minSeconds: plan.minSeconds,
    maxSeconds: plan.maxSeconds,
    startedAt: rfc3339(startedAtMs),
    expectedEnd: rfc3339(startedAtMs + plan.minSeconds * 1000),
    latestEnd: rfc3339(startedAtMs + plan.maxSeconds * 1000),
    ...(revision === undefined ? {} : { revision }),
  };
}
