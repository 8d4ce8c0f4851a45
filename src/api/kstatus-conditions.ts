/**
 * The kstatus side of a Canary's status (sigs.k8s.io/cli-utils/pkg/kstatus, which Flux's health checks and
 * `kubectl wait` follow): `Reconciling` and `Stalled` are "abnormal-true" conditions (True only while the Canary
 * is not at rest, or cannot move on by itself), `Ready` is True at rest in a good state, and every condition
 * carries the `observedGeneration` it was decided on. Pure; callers pass what the tick knows.
 *
 * kstatus reads a Canary as: deletionTimestamp set → Terminating; `status.observedGeneration` behind
 * `metadata.generation` → InProgress; Reconciling=True → InProgress; Stalled=True → Failed; else Current.
 */
import type { CanaryPhase } from './canary-status.js';
import type { Condition } from './common.js';
import { conditionTypeSchema, phaseReason, type ConditionUpdate } from './conditions.js';
import { failureReasonSchema, type FailureReason } from './failure-cause.js';

/** Phases in which the operator works towards a resting state (a run, an initialization, a removal). */
const workingPhases: ReadonlySet<CanaryPhase> = new Set<CanaryPhase>(['', 'Initializing', 'Waiting', 'Progressing', 'WaitingPromotion', 'Promoting', 'Finalising', 'Terminating']);

/** What the Reconciling condition says about a run. */
export interface RunView {
  phase: CanaryPhase;
  /** The revision the phase is about: under analysis during a run, promoted at rest. */
  revision?: string | undefined;
  /** Progress of the run, e.g. `canary weight 20, failed checks 1/5`. */
  progress?: string | undefined;
  /** `spec.suspend`: nothing moves until it is lifted, so nothing is in progress. */
  suspended?: boolean;
}

/**
 * `Reconciling`: True with the phase as reason while a run, an initialization or a removal is under way
 * (the operator will change the Canary again by itself), False at rest and while suspended.
 *
 * Example: Progressing on revision 5d8f7c9b at weight 20 → True, Progressing, "analysing revision 5d8f7c9b:
 * canary weight 20, failed checks 0/5".
 */
export function reconcilingCondition(run: RunView): ConditionUpdate {
  const { phase } = run;
  if (run.suspended === true) return { type: 'Reconciling', status: 'False', reason: 'Suspended', message: 'the canary is suspended (spec.suspend)' };
  if (!workingPhases.has(phase)) return { type: 'Reconciling', status: 'False', reason: phaseReason(phase), message: `no run in progress (canary is ${phase})` };
  return { type: 'Reconciling', status: 'True', reason: phaseReason(phase), message: workingMessage(run) };
}

function workingMessage(run: RunView): string {
  const revision = run.revision ?? 'unknown';
  const progress = run.progress === undefined ? '' : `: ${run.progress}`;
  switch (run.phase) {
    case '': case 'Initializing': return 'initializing the primary';
    case 'Waiting': return `revision ${revision} waits for the confirm-rollout approval`;
    case 'WaitingPromotion': return `revision ${revision} waits for the confirm-promotion approval${progress}`;
    case 'Promoting': return `promoting revision ${revision}`;
    case 'Finalising': return `routing all traffic to the primary running revision ${revision}`;
    case 'Terminating': return 'restoring the target before the Canary is removed';
    default: return `analysing revision ${revision}${progress}`;
  }
}

/** True for a reason that says why a run failed (kept while the Canary rests in Failed). */
export function isFailureReason(reason: string): reason is FailureReason {
  return (failureReasonSchema.options as readonly string[]).includes(reason);
}

/**
 * `Stalled` of a Canary whose spec is valid: True while it rests in Failed, since only a new revision (or a
 * person) moves it on, with the Ready condition's reason and message when they say why the run failed;
 * False otherwise. An invalid spec or a managed target is reported before this (see conditions.ts).
 *
 * parity: Flagger has no Stalled condition, so kstatus reads a failed Flagger Canary as Current (healthy).
 */
export function runStalledCondition(phase: CanaryPhase, ready: Pick<ConditionUpdate, 'reason' | 'message'>): ConditionUpdate {
  if (phase !== 'Failed') return { type: 'Stalled', status: 'False', reason: 'ValidSpec', message: 'spec is valid' };
  if (isFailureReason(ready.reason)) return { type: 'Stalled', status: 'True', reason: ready.reason, ...(ready.message === undefined ? {} : { message: ready.message }) };
  return { type: 'Stalled', status: 'True', reason: 'Failed', message: 'the last run failed; a new revision starts the next one' };
}

/**
 * The conditions Songbird writes, each marked with the generation it was decided on (kubectl wait and
 * kstatus ignore a condition whose observedGeneration is behind `metadata.generation`); other types are left
 * as they are. The input array is returned when nothing changes.
 */
export function withObservedGeneration(conditions: readonly Condition[] | undefined, generation: number | undefined): Condition[] | undefined {
  if (conditions === undefined || generation === undefined) return conditions as Condition[] | undefined;
  const ours = new Set<string>(conditionTypeSchema.options);
  if (conditions.every((c) => !ours.has(c.type) || c.observedGeneration === generation)) return conditions as Condition[];
  return conditions.map((c) => (ours.has(c.type) && c.observedGeneration !== generation ? { ...c, observedGeneration: generation } : c));
}
