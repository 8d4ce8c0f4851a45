/** The shapes of a release preview (`plan.ts`). */
import type { CanaryProvider } from '../api/canary.js';
import type { WebhookType } from '../api/canary-analysis.js';
import type { DeploymentStrategy } from '../api/defaults.js';
import type { FailurePlan } from './plan-failure.js';

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
