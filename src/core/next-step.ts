import type { CanaryPhase } from '../api/canary-status.js';
import type { RoutesState } from './analysis.js';
import type { Readiness } from './readiness.js';

/** What the driver knows about a canary when it asks for the next step; every field comes from caches. */
export interface TickFacts {
  phase: CanaryPhase;
  deleting: boolean;
  hasFinalizer: boolean;
  revertOnDeletion: boolean;
  suspended: boolean;
  /** The spec cannot be acted on (validation problems or an unimplemented provider). */
  stalled: boolean;
  target: 'ok' | 'missing' | 'invalid';
  primary: 'missing' | Readiness;
  targetReplicas: number;
  /** The target's pod template or tracked configs differ from what the current run (or rest state) saw. */
  revisionChanged: boolean;
  /** The provider applies weights asynchronously and this Canary waits for them (ALB with verification on). */
  verifiesRoutes: boolean;
  /** The answer of this tick's `verify-routes` step; `unverified` before it ran. */
  routes: RoutesState | 'unverified';
  /** A run ended (Succeeded or Failed) and the target is still to be scaled to zero (status.afterRun.scaleDown). */
  scaleDownPending: boolean;
  /** The canary was initialized once (a promoted revision is recorded); false for one that failed initialization. */
  initialized: boolean;
  /** The current phase has waited past its deadline (see deadlines.ts). */
  phaseOverdue: boolean;
  /** A run ended and its post-rollout webhooks are still to be called (status.afterRun.postRollout). */
  postRolloutPending: boolean;
  /** A manual retry was accepted (status.pendingAction): the same revision runs again. */
  retryRequested?: boolean;
}

/**
 * One step of a tick. Terminal steps end the tick; the others change the world, after which the driver asks
 * again with fresh facts.
 */
export type StepKind =
  | 'add-finalizer' | 'remove-finalizer' | 'reconcile-workloads' | 'reconcile-routing' | 'scale-target-to-zero'
  | 'finalize' | 'ignore-deleted' | 'suspended' | 'stall' | 'target-problem' | 'wait-primary'
  | 'mark-initialized' | 'start-run' | 'restart-run' | 'analyse' | 'idle' | 'verify-routes' | 'wait-routes' | 'post-rollout'
  | 'scale-target-up' | 'fail-initialization' | 'fail-waiting';

const TERMINAL: ReadonlySet<StepKind> = new Set<StepKind>([
  'finalize', 'ignore-deleted', 'suspended', 'stall', 'target-problem', 'wait-primary', 'mark-initialized', 'start-run',
  'restart-run', 'analyse', 'idle', 'wait-routes', 'fail-initialization', 'fail-waiting',
]);

/** True when the tick ends after this step. */
export function isTerminal(step: StepKind): boolean {
  return TERMINAL.has(step);
}

// The phases of a run past its confirm-rollout gate (Waiting is decided before these, in runStep).
const RUN_PHASES: ReadonlySet<CanaryPhase> = new Set<CanaryPhase>(['Progressing', 'WaitingPromotion', 'Promoting', 'Finalising']);

/** `""` or `Initializing`: the primary and routing are being set up. */
export function isInitPhase(phase: CanaryPhase): boolean {
  return phase === '' || phase === 'Initializing';
}

/**
 * The next step of a tick, in Flagger's order (pkg/controller/scheduler.go advanceCanary), given what has
 * already run this tick. Pure: the driver gathers `facts`, runs the step, and asks again.
 */
export function nextStep(facts: TickFacts, done: ReadonlySet<StepKind>): StepKind {
  return lifecycleStep(facts, done) ?? setupStep(facts, done) ?? runStep(facts, done);
}

// Deletion, finalizers, suspension and unusable specs come before any work on the workloads.
function lifecycleStep(facts: TickFacts, done: ReadonlySet<StepKind>): StepKind | undefined {
  if (facts.deleting) return facts.hasFinalizer ? 'finalize' : 'ignore-deleted';
  const finalizer = finalizerStep(facts, done);
  if (finalizer !== undefined) return finalizer;
  if (facts.suspended) return 'suspended';
  if (facts.stalled) return 'stall';
  if (facts.target !== 'ok') return 'target-problem';
  return undefined;
}

function finalizerStep(facts: TickFacts, done: ReadonlySet<StepKind>): StepKind | undefined {
  if (facts.revertOnDeletion === facts.hasFinalizer) return undefined;
  const step = facts.revertOnDeletion ? 'add-finalizer' : 'remove-finalizer';
  return done.has(step) ? undefined : step;
}

/**
 * Services, configs, primary and routing. During initialization the apex Service and routing wait for a
 * ready primary, and the target is scaled down only after them, so clients never lose their endpoints.
 * Past the progress deadline the initialization fails (the target keeps serving) and goes on waiting for
 * the primary: once it is ready, the canary is initialized as usual.
 * parity: Flagger skips the primary readiness wait when analysis is skipped, leaving a downtime window
 * (FAQ); Songbird always waits. Flagger stays Initializing forever on a stuck primary (§12.20).
 */
function setupStep(facts: TickFacts, done: ReadonlySet<StepKind>): StepKind | undefined {
  if (!done.has('reconcile-workloads')) return 'reconcile-workloads';
  const init = isInitPhase(facts.phase) || (facts.phase === 'Failed' && !facts.initialized);
  if (init && !isPrimaryReady(facts)) return primaryWaitStep(facts);
  if (!done.has('reconcile-routing')) return 'reconcile-routing';
  return init ? endOfInitStep(facts, done) : undefined;
}

function primaryWaitStep(facts: TickFacts): StepKind {
  return facts.phase === 'Initializing' && facts.phaseOverdue ? 'fail-initialization' : 'wait-primary';
}

function endOfInitStep(facts: TickFacts, done: ReadonlySet<StepKind>): StepKind {
  return facts.targetReplicas > 0 && !done.has('scale-target-to-zero') ? scaleDownStep(facts, done) : 'mark-initialized';
}

// The target goes to zero only once the provider routes nothing to it (always at once for synchronous providers).
function scaleDownStep(facts: TickFacts, done: ReadonlySet<StepKind>): StepKind {
  if (!facts.verifiesRoutes) return 'scale-target-to-zero';
  if (!done.has('verify-routes')) return 'verify-routes';
  return facts.routes === 'applied' ? 'scale-target-to-zero' : 'wait-routes';
}

/**
 * A run in progress, or the work after one. The status patch that ends a run (Succeeded or Failed) records
 * what is left to do (status.afterRun); that work happens here, in the ticks after the outcome is saved, so a
 * crash or a failed patch can neither strand the canary nor repeat the outcome: the post-rollout webhooks,
 * then the scale-down of the target (skipped when a new revision scales it up again anyway).
 */
function runStep(facts: TickFacts, done: ReadonlySet<StepKind>): StepKind {
  // Waiting: a new revision waits for confirm-rollout, asked again every interval, up to its deadline.
  if (facts.phase === 'Waiting') return facts.phaseOverdue ? 'fail-waiting' : 'start-run';
  if (RUN_PHASES.has(facts.phase)) return activeRunStep(facts, done);
  if (facts.postRolloutPending && !done.has('post-rollout')) return 'post-rollout';
  if (facts.revisionChanged || facts.retryRequested === true) return newRunStep(facts);
  if (facts.scaleDownPending && !done.has('scale-target-to-zero')) return scaleDownStep(facts, done);
  return 'idle';
}

/**
 * A run's analysis needs the target running: one found at zero replicas mid-run (scaled down by hand, or by
 * an interrupted rollback of an older version) is scaled up again, rather than waited for forever. In
 * Finalising the traffic is all on the primary already, and the target only waits to be scaled down.
 */
function activeRunStep(facts: TickFacts, done: ReadonlySet<StepKind>): StepKind {
  const restartable = facts.phase === 'Progressing' || facts.phase === 'WaitingPromotion';
  if (restartable && facts.revisionChanged) return 'restart-run';
  if (facts.targetReplicas === 0 && facts.phase !== 'Finalising' && !done.has('scale-target-up')) return 'scale-target-up';
  return 'analyse';
}

/**
 * A new revision starts its run only with a ready primary: the run begins by routing all traffic to it.
 * parity: after a failed promotion (traffic on the canary, primary stuck) Flagger rolls a new revision back
 * to the broken primary (spec §13); here the traffic stays on the serving side until the primary is ready.
 */
function newRunStep(facts: TickFacts): StepKind {
  return isPrimaryReady(facts) ? 'start-run' : 'wait-primary';
}

function isPrimaryReady(facts: TickFacts): boolean {
  return facts.primary !== 'missing' && facts.primary.ready;
}
