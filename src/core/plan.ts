/**
 * The release preview: what a run of a Canary will do, before anything changes. The weight ladder it walks,
 * the checks and gates at each analysis tick, how long it takes when everything passes at the first try and
 * how long it can take at worst, and what it does on failure.
 *
 * Pure: the Canary (and its provider) in, a plan out; no clock (`planStatus` takes the start time).
 *
 * The model follows the analysis decision (`analysis.ts`) tick by tick. A run starts when a new revision
 * passes confirm-rollout (phase Progressing); from then on one analysis tick runs per `analysis.interval`, and
 * each tick that passes moves the run one step: pre-rollout, then one weight step (or iteration) per tick,
 * then the promotion, the promotion's traffic steps, and Finalising → Succeeded.
 */
import type { Canary, CanaryProvider } from '../api/canary.js';
import {
  analysisInterval, analysisIterations, analysisThreshold, approvalDeadlineSeconds, deploymentStrategy, maxWeight, nextStepWeight,
  resolveProvider, skipAnalysis, webhookType,
} from '../api/defaults.js';
import { advanceWeight, promotionWeight } from './weights.js';
import { describeFailure } from './plan-failure.js';
import { plannedCheck } from './plan-checks.js';
import { hookSeconds, worstCaseDelays } from './plan-durations.js';
import type { GateType, PlannedStep, PlanStrategy, ReleasePlan } from './plan-types.js';

export type { FailurePlan } from './plan-failure.js';
export type { DelayItem, GateType, PlannedCheck, PlannedGate, PlannedStep, PlanStrategy, ReleasePlan } from './plan-types.js';
export { hookSeconds } from './plan-durations.js';
export { thresholdText } from './plan-checks.js';

/** What planning needs besides the Canary. */
export interface PlanOptions {
  /** The operator's `--mesh-provider`, used when `spec.provider` is unset. */
  meshProvider?: CanaryProvider;
}

interface Draft {
  steps: PlannedStep[];
  weight: number;
}

/** The release preview of `canary`. */
export function planRelease(canary: Canary, options: PlanOptions = {}): ReleasePlan {
  const provider = resolveProvider(canary, options.meshProvider);
  // The kubernetes provider routes no traffic (routers/index.ts), so it can only do Blue/Green.
  const routesTraffic = provider !== 'kubernetes';
  const strategy: PlanStrategy = skipAnalysis(canary) ? 'skip' : routesTraffic ? deploymentStrategy(canary) : 'blue-green';
  const gates = gatesByType(canary);
  const draft = planSteps(canary, strategy, { provider, routesTraffic, gates });
  const intervalSeconds = analysisInterval(canary) / 1000;
  const minSeconds = draft.steps.length * intervalSeconds;
  const worstCase = worstCaseDelays(canary, draft.steps, { strategy, intervalSeconds, gates, provider });
  const iterations = strategy === 'blue-green' || strategy === 'ab-testing' ? analysisIterations(canary, provider) : undefined;
  return {
    strategy, provider, intervalSeconds, threshold: analysisThreshold(canary),
    weights: distinctWeights(draft.steps), promotionWeights: promotionLadder(canary, strategy, routesTraffic),
    mirror: canary.spec.analysis.mirror === true, ...(iterations === undefined ? {} : { iterations }),
    checks: strategy === 'skip' ? [] : (canary.spec.analysis.metrics ?? []).map((m) => plannedCheck(canary, m)),
    steps: draft.steps, minSeconds,
    maxSeconds: minSeconds + worstCase.reduce((sum, d) => sum + d.seconds, 0),
    worstCase,
    startDelaySeconds: gates.has('confirm-rollout') ? approvalDeadlineSeconds(canary) + hookSeconds(canary, 'confirm-rollout') : 0,
    onFailure: describeFailure(canary, { provider, strategy, threshold: analysisThreshold(canary), intervalSeconds }),
  };
}

interface StepContext {
  provider: CanaryProvider;
  routesTraffic: boolean;
  gates: ReadonlyMap<GateType, string[]>;
}

function planSteps(canary: Canary, strategy: PlanStrategy, c: StepContext): Draft {
  const draft: Draft = { steps: [], weight: 0 };
  const add: AddStep = (step) => {
    if (step.canaryWeight !== undefined) draft.weight = step.canaryWeight;
    const gates = step.gates.flatMap((type) => {
      const hooks = c.gates.get(type);
      return hooks === undefined ? [] : [{ type, hooks }];
    });
    draft.steps.push({ ...step, tick: draft.steps.length + 1, canaryWeight: draft.weight, gates });
  };
  switch (strategy) {
    case 'skip':
      add({ phase: 'Progressing', action: 'promote without analysis', checks: false, gates: ['post-rollout'], canaryWeight: 0 });
      return draft;
    case 'canary': canarySteps(canary, c, add); break;
    case 'blue-green': blueGreenSteps(canary, c, add); break;
    case 'ab-testing': abSteps(canary, c, add); break;
  }
  // Only the canary strategy records its weight in status; A/B and Blue/Green promote from status weight 0.
  promotionSteps(canary, c, add, strategy === 'canary' ? draft.weight : 0);
  return draft;
}

type AddStep = (step: Omit<PlannedStep, 'tick' | 'gates' | 'canaryWeight'> & { gates: GateType[]; canaryWeight?: number }) => void;

/**
 * Canary strategy. Tick 1 runs the pre-rollout hooks instead of the checks and takes the first step; each
 * later tick runs the checks and takes one more step, until the weight reaches maxWeight; the tick at
 * maxWeight runs the checks and promotes. A mirror pre-step adds one tick at weight 0, after which the first
 * weight step is not gated by confirm-traffic-increase (the run is still mirrored when it asks).
 *
 * Example: stepWeight 20, maxWeight 50 → tick 1 pre-rollout → 20; tick 2 checks → 40; tick 3 checks → 50;
 * tick 4 checks → promote; then the promotion ticks.
 */
function canarySteps(canary: Canary, c: StepContext, add: AddStep): void {
  const max = maxWeight(canary);
  let first = true;
  let mirrored = false;
  if (canary.spec.analysis.mirror === true && c.routesTraffic) {
    add({ phase: 'Progressing', action: 'mirror traffic to the canary', checks: false, gates: ['rollback', 'pre-rollout'], canaryWeight: 0 });
    first = false;
    mirrored = true;
  }
  let weight = 0;
  // At most 101 steps: each step adds at least 1 (nextStepWeight of a ladder is ≥ 1; a stepWeight of 0 never moves).
  for (let guard = 0; weight < max && guard <= 100; guard += 1) {
    const step = nextStepWeight(canary, weight);
    if (step <= 0) break;
    weight = advanceWeight(weight, step, max);
    const gates: GateType[] = ['rollback', first ? 'pre-rollout' : 'rollout', ...(mirrored ? [] : ['confirm-traffic-increase' as const])];
    add({ phase: 'Progressing', action: `advance canary weight to ${weight}`, checks: !first, gates, canaryWeight: weight });
    first = false;
    mirrored = false;
  }
  add({ phase: 'Progressing', action: 'promote: copy the canary template to the primary', checks: true, gates: ['rollback', 'rollout', 'confirm-promotion'] });
}

/**
 * Blue/Green: N iterations on the canary's own Service (tick 1 runs pre-rollout, the others the checks); with
 * routed traffic one more tick moves all live traffic to the canary after confirm-promotion, and the next one
 * promotes after asking confirm-promotion again.
 *
 * Example: iterations 3, istio → ticks 1–3 iterations, tick 4 all traffic to the canary, tick 5 promote.
 */
function blueGreenSteps(canary: Canary, c: StepContext, add: AddStep): void {
  const iterations = analysisIterations(canary, c.provider);
  const mirror = canary.spec.analysis.mirror === true && c.routesTraffic;
  for (let i = 1; i <= iterations; i += 1) {
    const action = `iteration ${i}/${iterations}${mirror && i === 1 ? ', mirroring traffic to the canary' : ''}`;
    add({ phase: 'Progressing', action, checks: i > 1, gates: ['rollback', i === 1 ? 'pre-rollout' : 'rollout'] });
  }
  if (c.routesTraffic) {
    add({ phase: 'Progressing', action: 'route all traffic to the canary', checks: true, gates: ['rollback', 'rollout', 'confirm-promotion'], canaryWeight: 100 });
  }
  add({ phase: 'Progressing', action: 'promote: copy the canary template to the primary', checks: true, gates: ['rollback', 'rollout', 'confirm-promotion'] });
}

/** A/B testing: N iterations with the matched traffic on the canary, then the promotion. */
function abSteps(canary: Canary, c: StepContext, add: AddStep): void {
  const iterations = analysisIterations(canary, c.provider);
  for (let i = 1; i <= iterations; i += 1) {
    add({ phase: 'Progressing', action: `iteration ${i}/${iterations}, matched traffic to the canary`, checks: i > 1, gates: ['rollback', i === 1 ? 'pre-rollout' : 'rollout'], canaryWeight: 100 });
  }
  add({ phase: 'Progressing', action: 'promote: copy the canary template to the primary', checks: true, gates: ['rollback', 'rollout', 'confirm-promotion'] });
}

/**
 * Promoting: one tick per stepWeightPromotion step once the primary has rolled out (or one tick routing all
 * traffic to the primary), then Finalising: one tick to Succeeded, after which the post-rollout hooks run.
 *
 * Example: canary at 50 with stepWeightPromotion 20 → primary 70, 90, 100 (3 ticks), then Finalising.
 */
function promotionSteps(canary: Canary, c: StepContext, add: AddStep, statusWeight: number): void {
  const ladder = c.routesTraffic && statusWeight > 0 && (canary.spec.analysis.stepWeightPromotion ?? 0) > 0
    ? primarySteps(100 - statusWeight, canary.spec.analysis.stepWeightPromotion ?? 0)
    : [100];
  for (const primary of ladder) {
    add({ phase: 'Promoting', action: primary === 100 ? 'route all traffic to the primary' : `advance primary weight to ${primary}`, checks: false, gates: [], canaryWeight: 100 - primary });
  }
  add({ phase: 'Finalising', action: 'scale the canary down: Succeeded', checks: false, gates: ['post-rollout'], canaryWeight: 0 });
}

/** Primary weights from `start` in steps of `step`, the last one 100. Example: (50, 20) → [70, 90, 100]. */
function primarySteps(start: number, step: number): number[] {
  const weights: number[] = [];
  for (let primary = start; primary < 100;) {
    primary = promotionWeight(primary, step);
    weights.push(primary);
  }
  return weights;
}

function promotionLadder(canary: Canary, strategy: PlanStrategy, routesTraffic: boolean): number[] {
  const step = canary.spec.analysis.stepWeightPromotion ?? 0;
  if (strategy !== 'canary' || !routesTraffic || step <= 0) return [100];
  return primarySteps(100 - maxWeight(canary), step);
}

// The weights above 0 in the order walked, without repeats in a row: [0, 20, 20, 40] → [20, 40].
function distinctWeights(steps: readonly PlannedStep[]): number[] {
  const weights: number[] = [];
  for (const { canaryWeight, phase } of steps) {
    if (phase !== 'Progressing' || canaryWeight === 0) continue;
    if (weights.at(-1) !== canaryWeight) weights.push(canaryWeight);
  }
  return weights;
}

function gatesByType(canary: Canary): Map<GateType, string[]> {
  const gates = new Map<GateType, string[]>();
  for (const hook of canary.spec.analysis.webhooks ?? []) {
    const type = webhookType(hook);
    if (type === 'event') continue;
    gates.set(type, [...(gates.get(type) ?? []), hook.name]);
  }
  return gates;
}
