import type { CanaryPhase } from '../api/canary-status.js';
import type { DeploymentStrategy } from '../api/defaults.js';
import type { Readiness } from './readiness.js';

/** The outcome of an effect the decision asked for (a webhook gate, the checks of this interval). */
export type Outcome = 'ok' | 'failed';

/**
 * Whether the provider has applied the weights set earlier (ALB applies them asynchronously): `pending`
 * holds the run, `overdue` (pending past the progress deadline) fails it. Providers that apply weights
 * synchronously, or a Canary that opted out, are always `applied`.
 */
export type RoutesState = 'applied' | 'pending' | 'overdue';

/** What the analysis decision needs; side-effect results are filled in as the driver runs those steps. */
export interface AnalysisFacts {
  phase: CanaryPhase;
  strategy: DeploymentStrategy;
  /** The `kubernetes` provider routes nothing (Blue/Green on Services only). */
  routesTraffic: boolean;
  skipAnalysis: boolean;
  weight: number;
  failedChecks: number;
  iterations: number;
  threshold: number;
  maxWeight: number;
  /** Weight the next canary step adds (`nextStepWeight`). */
  stepWeight: number;
  targetIterations: number;
  mirror: boolean;
  mirrored: boolean;
  /**
   * The primary already carries this revision: a promotion was copied but its status not saved (a crash, a
   * failed patch). The copy cannot be undone, so the run goes on promoting.
   */
  promoted: boolean;
  primary: Readiness;
  canary: Readiness;
  /** The current phase has waited past its deadline (WaitingPromotion, Promoting, Finalising; see deadlines.ts). */
  phaseOverdue: boolean;
  /** A closed confirm-traffic-increase gate has held the weight past the approval deadline (known once asked). */
  trafficHeldOverdue?: boolean;
  routes?: RoutesState;
  rollbackHook?: 'requested' | 'not-requested';
  preRollout?: Outcome;
  checks?: Outcome;
  trafficIncrease?: Outcome;
  promotion?: Outcome;
  /** An accepted manual promote, promote-full or abort still being carried out (status.pendingAction). */
  manual?: 'promote' | 'promote-full' | 'abort';
  /** The run is held by a manual pause; `weight` is the weight set-weight holds (status.paused). */
  paused?: { weight?: number };
}

/** One step of the analysis; the first group needs an effect's result, the rest end the tick. */
export type AnalysisStep =
  | 'verify-routes' | 'ask-rollback-hooks' | 'run-pre-rollout' | 'run-checks' | 'ask-traffic-increase' | 'ask-promotion'
  | 'wait' | 'wait-routes' | 'rollback-routes' | 'failed-promotion' | 'rollback-deadline' | 'rollback-threshold' | 'rollback-manual'
  | 'rollback-approval' | 'promote-skipped'
  | 'shift-promotion-traffic' | 'finish' | 'count-failure' | 'hold-traffic' | 'advance-weight' | 'mirror'
  | 'advance-iteration' | 'route-to-canary' | 'wait-promotion' | 'promote'
  | 'rollback-aborted' | 'set-weight' | 'hold-paused';

const ASKING: ReadonlySet<AnalysisStep> = new Set<AnalysisStep>(['verify-routes', 'ask-rollback-hooks', 'run-pre-rollout', 'run-checks', 'ask-traffic-increase', 'ask-promotion']);

/** True when the driver must run the step and ask again with its result. */
export function needsResult(step: AnalysisStep): boolean {
  return ASKING.has(step);
}

/**
 * The next analysis step, in Flagger's order (scheduler.go advanceCanary steps 14–28): readiness, skip,
 * rollback hooks, promotion phases, threshold, then this interval's checks and the strategy's move.
 */
export function nextAnalysisStep(f: AnalysisFacts): AnalysisStep {
  if (f.promoted && (f.phase === 'Progressing' || f.phase === 'WaitingPromotion')) return f.skipAnalysis ? 'promote-skipped' : 'promote';
  return manualStep(f) ?? readinessStep(f) ?? routesStep(f) ?? phaseStep(f) ?? checkStep(f) ?? strategyStep(f);
}

/**
 * A manual abort or pause comes before everything else of an analysing run: an abort rolls back whatever the
 * readiness of the canary, and a paused run checks, counts and rolls back nothing (set-weight first moves
 * the weight it holds). See core/manual-action.ts.
 */
function manualStep(f: AnalysisFacts): AnalysisStep | undefined {
  if (f.phase !== 'Progressing' && f.phase !== 'WaitingPromotion') return undefined;
  if (f.manual === 'abort') return 'rollback-aborted';
  if (f.paused === undefined) return undefined;
  return f.paused.weight !== undefined && f.paused.weight !== f.weight ? 'set-weight' : 'hold-paused';
}

// A manual promote skips the checks and steps left: to the promotion gate (promote), whose approval deadline
// still ends the wait, or past it (promote-full).
function manualPromotionStep(f: AnalysisFacts): AnalysisStep | undefined {
  if (f.phase !== 'Progressing' && f.phase !== 'WaitingPromotion') return undefined;
  if (f.manual === 'promote-full') return 'promote';
  if (f.manual !== 'promote') return undefined;
  return f.phase === 'WaitingPromotion' && f.phaseOverdue ? 'rollback-approval' : promotionGate(f);
}

/**
 * Nothing advances, counts or scales down until the provider shows the weights set last; past the
 * deadline an analysing run rolls back and a promotion fails (leaving the canary serving, when it is ready
 * to: a canary that is not gets no traffic, which goes back to the primary as in a rollback).
 */
function routesStep(f: AnalysisFacts): AnalysisStep | undefined {
  if (f.routes === undefined) return 'verify-routes';
  if (f.routes === 'pending') return 'wait-routes';
  if (f.routes === 'applied') return undefined;
  const promoting = f.phase === 'Promoting' || f.phase === 'Finalising';
  return promoting && f.canary.ready ? 'failed-promotion' : 'rollback-routes';
}

/**
 * A primary still rolling out is waited for, while Promoting or Finalising only up to the progress deadline
 * counted from the start of the promotion: a primary whose new pods cannot start while its old ones stay
 * available never looks stuck to its Deployment before the Deployment's own deadline. A failed promotion
 * leaves all traffic on the canary, so it needs a ready canary; without one, traffic goes back to the primary.
 * In Finalising all traffic is on the primary again and the canary only waits to be scaled down, so its
 * readiness no longer matters (waiting on it could strand a canary whose finishing was interrupted after the
 * scale-down).
 * parity: §13, a canary past its progress deadline fails also while Promoting or Finalising; Flagger waits
 * for the primary Deployment's own progress deadline (600 s by default) whatever the Canary's is, and fails a
 * finished promotion whose canary is no longer ready.
 */
function readinessStep(f: AnalysisFacts): AnalysisStep | undefined {
  if (!f.skipAnalysis && !f.primary.ready) return primaryNotReadyStep(f, f.primary.retriable);
  if (!f.canary.ready && f.phase !== 'Finalising') return f.canary.retriable ? 'wait' : 'rollback-deadline';
  return undefined;
}

function primaryNotReadyStep(f: AnalysisFacts, retriable: boolean): AnalysisStep {
  const promoting = f.phase === 'Promoting' || f.phase === 'Finalising';
  if (retriable && !(promoting && f.phaseOverdue)) return 'wait';
  return promoting && f.canary.ready ? 'failed-promotion' : 'rollback-deadline';
}

function phaseStep(f: AnalysisFacts): AnalysisStep | undefined {
  if (f.skipAnalysis) return skippedStep(f.phase);
  const manual = manualPromotionStep(f);
  if (manual !== undefined) return manual;
  const requested = rollbackStep(f);
  if (requested !== undefined) return requested;
  if (f.phase === 'Promoting') return 'shift-promotion-traffic';
  if (f.phase === 'Finalising') return 'finish';
  if (f.failedChecks >= f.threshold) return 'rollback-threshold';
  return undefined;
}

// A rollback webhook, then the approval deadline of WaitingPromotion.
// parity: Flagger waits in WaitingPromotion forever; here the approval has a deadline.
function rollbackStep(f: AnalysisFacts): AnalysisStep | undefined {
  const analysing = f.phase === 'Progressing' || f.phase === 'WaitingPromotion';
  if (analysing && f.rollbackHook === undefined) return 'ask-rollback-hooks';
  if (f.rollbackHook === 'requested') return 'rollback-manual';
  return f.phase === 'WaitingPromotion' && f.phaseOverdue ? 'rollback-approval' : undefined;
}

function skippedStep(phase: CanaryPhase): AnalysisStep {
  if (phase === 'Finalising') return 'finish';
  return phase === 'Promoting' ? 'shift-promotion-traffic' : 'promote-skipped';
}

// The first interval of a run runs the pre-rollout hooks instead of the checks (Flagger step 25).
function checkStep(f: AnalysisFacts): AnalysisStep | undefined {
  const first = f.weight === 0 && f.iterations === 0 && !(f.mirror && f.mirrored);
  if (first) {
    if (f.preRollout === undefined) return 'run-pre-rollout';
    return f.preRollout === 'failed' ? 'count-failure' : undefined;
  }
  if (f.checks === undefined) return 'run-checks';
  return f.checks === 'failed' ? 'count-failure' : undefined;
}

function strategyStep(f: AnalysisFacts): AnalysisStep {
  switch (f.strategy) {
    case 'canary': return canaryStep(f);
    case 'blue-green': return blueGreenStep(f);
    case 'ab-testing': return f.iterations < f.targetIterations ? 'advance-iteration' : promotionGate(f);
  }
}

// parity: §13, confirm-traffic-increase gates weight increases only (Flagger also runs it at maxWeight).
function canaryStep(f: AnalysisFacts): AnalysisStep {
  if (f.weight >= f.maxWeight) return promotionGate(f);
  if (f.mirror && f.weight === 0 && !f.mirrored && f.routesTraffic) return 'mirror';
  if (!f.mirrored && f.phase === 'Progressing' && f.trafficIncrease === undefined) return 'ask-traffic-increase';
  return f.trafficIncrease === 'failed' ? heldStep(f) : 'advance-weight';
}

// parity: Flagger holds the weight forever while the gate is closed; here up to the approval deadline.
function heldStep(f: AnalysisFacts): AnalysisStep {
  return f.trafficHeldOverdue === true ? 'rollback-approval' : 'hold-traffic';
}

// Blue/Green: N checks on the canary's own Service, then (when traffic is routed) one more with all live
// traffic on the canary, then promotion.
function blueGreenStep(f: AnalysisFacts): AnalysisStep {
  if (f.iterations < f.targetIterations) return f.mirror && f.routesTraffic && !f.mirrored ? 'mirror' : 'advance-iteration';
  if (f.routesTraffic && f.iterations === f.targetIterations) return f.promotion === undefined ? 'ask-promotion' : f.promotion === 'failed' ? 'wait-promotion' : 'route-to-canary';
  return promotionGate(f);
}

function promotionGate(f: AnalysisFacts): AnalysisStep {
  if (f.promotion === undefined) return 'ask-promotion';
  return f.promotion === 'failed' ? 'wait-promotion' : 'promote';
}
