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
import type { CanaryMetric, WebhookType } from '../api/canary-analysis.js';
import {
  analysisInterval, analysisIterations, analysisThreshold, approvalDeadlineSeconds, deploymentStrategy, maxWeight, metricInterval,
  metricOnNoData, nextStepWeight, progressDeadlineSeconds, resolveProvider, skipAnalysis, webhookRetries, webhookTimeout, webhookType,
  type DeploymentStrategy,
} from '../api/defaults.js';
import { advanceWeight, promotionWeight } from './weights.js';
import { describeFailure, type FailurePlan } from './plan-failure.js';

export type { FailurePlan } from './plan-failure.js';

/** Webhook types that gate or accompany a run, in the order a run meets them. */
export type GateType = Exclude<WebhookType, '' | 'event'>;

/** The webhooks of one type called at a tick, by name, in spec order. */
export interface PlannedGate {
  type: GateType;
  hooks: string[];
}

/** One analysis tick of the run when every check passes at the first try. */
export interface PlannedStep {
  /** 1-based; tick n runs n intervals after the run starts. */
  tick: number;
  phase: 'Progressing' | 'Promoting' | 'Finalising';
  /** Percent of live traffic on the canary after the tick (A/B: of the matched traffic). */
  canaryWeight: number;
  /** What the tick does, e.g. `advance canary weight to 20`. */
  action: string;
  /** The metric checks and rollout webhooks run at this tick. */
  checks: boolean;
  gates: PlannedGate[];
}

/** One metric check, with the range it must stay in. */
export interface PlannedCheck {
  name: string;
  /** `builtin` (request-success-rate, request-duration), `template` (MetricTemplate) or `query` (inline). */
  source: 'builtin' | 'template' | 'query';
  /** `namespace/name` of the MetricTemplate. */
  template?: string;
  /** `>= 99`, `<= 500`, `[1, 5]` or `any`, as in `status.lastMetricValues`. */
  threshold: string;
  /** The query's range (`{{ interval }}`). */
  interval: string;
  onNoData: 'fail' | 'skip';
}

/** One part of the worst-case duration. */
export interface DelayItem {
  what: string;
  seconds: number;
}

/** How a run goes; `skip` for a Canary with `skipAnalysis`. */
export type PlanStrategy = DeploymentStrategy | 'skip';

/** The release preview of a Canary. */
export interface ReleasePlan {
  strategy: PlanStrategy;
  provider: CanaryProvider;
  intervalSeconds: number;
  /** Failed checks that roll the run back. */
  threshold: number;
  /** The canary weights the run walks, in order (A/B: of the matched traffic; Blue/Green: 100 at the switch). */
  weights: number[];
  /** Primary weights during promotion (`stepWeightPromotion`), ending at 100. */
  promotionWeights: number[];
  mirror: boolean;
  /** Blue/Green and A/B: the number of iterations. */
  iterations?: number;
  checks: PlannedCheck[];
  steps: PlannedStep[];
  /** Every check passes at the first try, every gate is open, the primary rolls out at once. */
  minSeconds: number;
  /** Failed checks up to one below the threshold, every gate held to its deadline, every webhook at its timeout. */
  maxSeconds: number;
  /** The parts of `maxSeconds - minSeconds`. */
  worstCase: DelayItem[];
  /** A closed confirm-rollout gate can hold the start this long (not in min/max: the run has not started). */
  startDelaySeconds: number;
  onFailure: FailurePlan;
}

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

interface DelayContext {
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
function worstCaseDelays(canary: Canary, steps: readonly PlannedStep[], c: DelayContext): DelayItem[] {
  const progress = progressDeadlineSeconds(canary);
  const approval = approvalDeadlineSeconds(canary);
  const items: DelayItem[] = [{ what: 'canary pods not ready until progressDeadlineSeconds', seconds: progress }];
  if (c.strategy !== 'skip') {
    const failed = analysisThreshold(canary) - 1;
    if (failed > 0) items.push({ what: `${failed} failed checks (threshold ${analysisThreshold(canary)} − 1), one interval each`, seconds: failed * c.intervalSeconds });
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

function plannedCheck(canary: Canary, metric: CanaryMetric): PlannedCheck {
  const ref = metric.templateRef;
  const source = ref !== undefined ? 'template' : metric.query !== undefined && metric.query !== '' ? 'query' : 'builtin';
  return {
    name: metric.name, source,
    ...(ref === undefined ? {} : { template: `${ref.namespace ?? canary.metadata.namespace ?? ''}/${ref.name}` }),
    threshold: thresholdText(metric, source), interval: metricInterval(metric), onNoData: metricOnNoData(metric),
  };
}

/**
 * The accepted range as `status.lastMetricValues` shows it (metrics/evaluate.ts): `thresholdRange`, else the
 * legacy `threshold`, a minimum for the builtin success rate and a maximum otherwise.
 *
 * Examples: range {min: 99} → `>= 99`; {min: 1, max: 5} → `[1, 5]`; request-duration threshold 500 → `<= 500`.
 */
export function thresholdText(metric: CanaryMetric, source: PlannedCheck['source']): string {
  const range = metric.thresholdRange ?? (source === 'builtin' && metric.name === 'request-success-rate'
    ? { min: metric.threshold ?? 0 } : { max: metric.threshold ?? 0 });
  const { min, max } = range;
  if (min !== undefined && max !== undefined) return `[${min}, ${max}]`;
  if (min !== undefined) return `>= ${min}`;
  return max !== undefined ? `<= ${max}` : 'any';
}
