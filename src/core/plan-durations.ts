/**
 * The worst-case duration of a release preview (`plan.ts`): what can make a run that still succeeds last
 * longer than one interval per tick. Pure.
 */
import type { Canary, CanaryProvider } from '../api/canary.js';
import { analysisThreshold, approvalDeadlineSeconds, progressDeadlineSeconds, webhookRetries, webhookTimeout, webhookType } from '../api/defaults.js';
import type { DelayItem, GateType, PlannedStep, PlanStrategy } from './plan-types.js';

/**
 * The longest one call of each hook of `type` can take, summed over the hooks (they run in order): every
 * attempt at its timeout, plus the backoff between attempts (1 s doubling, at most 30 s).
 *
 * Example: timeout 10s, retries 2 → 3 × 10 s + 1 s + 2 s = 33 s.
 */
export function hookSeconds(canary: Canary, type: GateType): number {
  return (canary.spec.analysis.webhooks ?? []).filter((h) => webhookType(h) === type).reduce((sum, hook) => {
    const retries = webhookRetries(hook);
    let backoff = 0;
    for (let attempt = 1; attempt <= retries; attempt += 1) backoff += Math.min(30, 2 ** (attempt - 1));
    return sum + ((retries + 1) * webhookTimeout(hook)) / 1000 + backoff;
  }, 0);
}

/** What the worst case needs besides the Canary and the steps. */
export interface DelayContext {
  provider: CanaryProvider;
  strategy: PlanStrategy;
  intervalSeconds: number;
  gates: ReadonlyMap<GateType, string[]>;
}

/**
 * What can make a run that still succeeds longer than the minimum:
 * - up to threshold − 1 failed checks, one interval each (the threshold-th rolls back);
 * - the canary's pods starting: up to progressDeadlineSeconds;
 * - each closed approval gate (each confirm-traffic-increase before a step, each confirm-promotion ask) held
 *   up to approvalDeadlineSeconds;
 * - the primary rolling out the promoted revision: up to progressDeadlineSeconds;
 * - every webhook at its worst (timeouts and retries) at every tick it runs on;
 * - where the provider applies weights later (ALB), each change of weight waiting for it up to
 *   progressDeadlineSeconds.
 *
 * Example: 3 weight steps at interval 60 s, threshold 5, no hooks, progressDeadlineSeconds 600 →
 * 4 × 60 + 600 + 600 = 1440 s on top of the minimum.
 */
export function worstCaseDelays(canary: Canary, steps: readonly PlannedStep[], c: DelayContext): DelayItem[] {
  const progress = progressDeadlineSeconds(canary);
  const approval = approvalDeadlineSeconds(canary);
  const items: DelayItem[] = [{ what: 'canary pods not ready until progressDeadlineSeconds', seconds: progress }];
  if (c.strategy !== 'skip') {
    const failed = analysisThreshold(canary) - 1;
    const checks = failed === 1 ? '1 failed check' : `${failed} failed checks`;
    if (failed > 0) items.push({ what: `${checks} (threshold ${analysisThreshold(canary)} − 1), one interval${failed === 1 ? '' : ' each'}`, seconds: failed * c.intervalSeconds });
    items.push({ what: 'primary rollout of the promoted revision until progressDeadlineSeconds', seconds: progress });
  }
  for (const type of ['confirm-traffic-increase', 'confirm-promotion'] as const) {
    const asks = steps.filter((s) => s.gates.some((g) => g.type === type)).length;
    if (asks > 0) items.push({ what: `${asks} × ${type} held until approvalDeadlineSeconds`, seconds: asks * approval });
  }
  items.push(...trafficVerification(canary, steps, c.provider));
  const hookTime = steps.reduce((sum, step) => sum + step.gates.reduce((s, g) => s + (g.type === 'post-rollout' ? 0 : hookSeconds(canary, g.type)), 0), 0);
  if (hookTime > 0) items.push({ what: 'webhooks at their timeouts and retries', seconds: hookTime });
  return items.filter((item) => item.seconds > 0);
}

/**
 * ALB applies weights asynchronously and the run waits for each new split (unless `verifyTrafficWeights` is
 * false here or in the operator's flags, which the plan cannot see). Example: weights 20, 40, 50 then the
 * promotion back to 100/0 → 4 changes × 600 s.
 */
function trafficVerification(canary: Canary, steps: readonly PlannedStep[], provider: CanaryProvider): DelayItem[] {
  if (provider !== 'alb' || canary.spec.verifyTrafficWeights === false) return [];
  const changes = steps.filter((step, i) => step.phase !== 'Finalising' && step.canaryWeight !== (steps[i - 1]?.canaryWeight ?? 0)).length;
  const seconds = changes * progressDeadlineSeconds(canary);
  return seconds > 0 ? [{ what: `${changes} weight changes applied by the load balancer at the last moment (progressDeadlineSeconds each)`, seconds }] : [];
}
