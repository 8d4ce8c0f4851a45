/**
 * Status conditions of a Canary: Flagger's `Promoted` condition plus Songbird's kstatus conditions `Ready`,
 * `Reconciling` and `Stalled` (see kstatus-conditions.ts), with pure helpers that compute the next condition
 * list. Nothing here reads the clock; callers pass `now`.
 */
import { z } from 'zod';
import type { CanaryPhase } from './canary-status.js';
import type { CanaryTargetRef } from './canary.js';
import type { Condition, ConditionStatus } from './common.js';
import { failureReasonSchema } from './failure-cause.js';
import { maxConditionMessageBytes, truncateUtf8 } from './limits.js';
import type { Problem } from './problem.js';

/** Condition types Songbird writes. */
export const conditionTypeSchema = z.enum(['Promoted', 'Ready', 'Reconciling', 'Stalled']);

/** A condition type Songbird writes. */
export type ConditionType = z.infer<typeof conditionTypeSchema>;

/**
 * Reasons Songbird writes. `Promoted`, `Reconciling` and `Ready` use the phase name (as Flagger does for
 * `Promoted`); `Ready` names a problem instead while one lasts (`TargetNotFound`, `PrimaryNotReady`,
 * `WaitingForApproval`, …) and, after a failed run, why it failed (see failure-cause.ts), as `Stalled` then
 * does too. Otherwise `Stalled` uses `InvalidSpec` (the spec cannot be acted on: see validate.ts),
 * `TargetAlreadyManaged` (another Canary manages the target: see reconciler/target-ownership.ts) or `ValidSpec`.
 */
export const conditionReasonSchema = z.enum([
  'Initializing', 'Initialized', 'Waiting', 'Progressing', 'WaitingPromotion', 'Promoting', 'Finalising', 'Succeeded',
  'Failed', 'Terminating', 'Terminated', 'Unknown', 'InvalidSpec', 'TargetAlreadyManaged', 'ValidSpec',
  'TargetNotFound', 'TargetInvalid', 'ConfigNotFound', 'PrimaryNotReady', 'RolloutInProgress', 'WaitingForApproval', 'TrafficPending',
  'Suspended', 'Paused', 'ReconcileError',
  ...failureReasonSchema.options,
]);

/** A condition reason Songbird writes. */
export type ConditionReason = z.infer<typeof conditionReasonSchema>;

/** What a caller sets; the helpers add the timestamps. */
export type ConditionUpdate = Omit<Condition, 'type' | 'reason' | 'lastUpdateTime' | 'lastTransitionTime'> & {
  type: ConditionType;
  reason: ConditionReason;
};

/** A timestamp as the apiserver writes it: RFC 3339, whole seconds, UTC (`2025-01-02T03:04:05Z`). */
export function formatTime(now: Date): string {
  return `${now.toISOString().slice(0, 19)}Z`;
}

/** The condition of a type, if present. */
export function findCondition(conditions: readonly Condition[] | undefined, type: ConditionType): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/** True when the condition of a type is present with status True. */
export function isConditionTrue(conditions: readonly Condition[] | undefined, type: ConditionType): boolean {
  return findCondition(conditions, type)?.status === 'True';
}

/**
 * The condition list with `update` applied; other types are kept in place. When status, reason and message
 * are all unchanged the input array itself is returned (no write needed). Otherwise `lastUpdateTime` is
 * `now`, and `lastTransitionTime` is kept while the status stays the same (e.g. only the reason changed).
 *
 * parity: Flagger pkg/canary/status.go MakeStatusConditions keeps lastTransitionTime the same way, but ignores
 * a change of message alone and replaces the whole list with the Promoted condition.
 */
export function setCondition(conditions: readonly Condition[] | undefined, given: ConditionUpdate, now: Date): Condition[] {
  const update = boundedMessage(given);
  const list = conditions ?? [];
  const current = findCondition(list, update.type);
  if (current !== undefined && sameContent(current, update)) return list as Condition[];
  const time = formatTime(now);
  const keepTransition = current?.status === update.status && current.lastTransitionTime !== undefined;
  const next: Condition = {
    type: update.type,
    status: update.status,
    reason: update.reason,
    ...(update.message === undefined ? {} : { message: update.message }),
    lastUpdateTime: time,
    lastTransitionTime: keepTransition ? current.lastTransitionTime : time,
  };
  return current === undefined ? [...list, next] : list.map((c) => (c === current ? next : c));
}

// Cut before comparing, so that setting the same long message again is no change (and no write).
function boundedMessage(update: ConditionUpdate): ConditionUpdate {
  if (update.message === undefined) return update;
  return { ...update, message: truncateUtf8(update.message, maxConditionMessageBytes) };
}

function sameContent(current: Condition, update: ConditionUpdate): boolean {
  return current.status === update.status && current.reason === update.reason && current.message === update.message;
}

/** The condition list without the condition of a type. */
export function removeCondition(conditions: readonly Condition[] | undefined, type: ConditionType): Condition[] {
  return (conditions ?? []).filter((c) => c.type !== type);
}

/**
 * Flagger's `Promoted` condition for a phase: status True once the primary runs the promoted (or initial)
 * version, False after a failed run, Unknown in between; reason is the phase; messages are Flagger's.
 *
 * Examples: Succeeded → True "Canary analysis completed successfully, promotion finished.";
 * Failed with a Deployment target → False "Canary analysis failed, Deployment scaled to zero.".
 */
export function promotedCondition(phase: CanaryPhase, targetKind: CanaryTargetRef['kind']): ConditionUpdate {
  const [status, message] = promotedStatus(phase, targetKind);
  return { type: 'Promoted', status, reason: phaseReason(phase), message };
}

/** Status and message of `Promoted` per phase (Flagger's messages; some name the target kind). */
const promotedByPhase: Readonly<Record<CanaryPhase, readonly [ConditionStatus, (kind: string) => string]>> = {
  '': ['Unknown', (kind) => `New ${kind} detected, starting initialization.`],
  Initializing: ['Unknown', (kind) => `New ${kind} detected, starting initialization.`],
  Initialized: ['True', (kind) => `${kind} initialization completed.`],
  Waiting: ['Unknown', () => 'Waiting for approval.'],
  WaitingPromotion: ['Unknown', () => 'Waiting for approval.'],
  Progressing: ['Unknown', () => 'New revision detected, progressing canary analysis.'],
  Promoting: ['Unknown', () => 'Canary analysis completed, starting primary rolling update.'],
  Finalising: ['Unknown', () => 'Canary analysis completed, routing all traffic to primary.'],
  Succeeded: ['True', () => 'Canary analysis completed successfully, promotion finished.'],
  Failed: ['False', (kind) => `Canary analysis failed, ${kind} scaled to zero.`],
  Terminating: ['Unknown', (kind) => `New ${kind} detected, starting initialization.`],
  Terminated: ['Unknown', (kind) => `New ${kind} detected, starting initialization.`],
};

function promotedStatus(phase: CanaryPhase, kind: string): [ConditionStatus, string] {
  const [status, message] = promotedByPhase[phase];
  return [status, message(kind)];
}

/** The reason for a phase; the empty phase (a Canary not seen yet) is `Unknown`. */
export function phaseReason(phase: CanaryPhase): ConditionReason {
  return phase === '' ? 'Unknown' : phase;
}

/**
 * The `Ready` condition for a phase: True when the Canary rests in a good state (Initialized, Succeeded),
 * False when its last run failed or it is being removed, Unknown while a run or the initialization is in
 * progress. A Stalled Canary is not Ready: see {@link stalledCondition}. The message names the revision the
 * phase is about (the promoted one once at rest, the one under analysis during a run), so that a reader can
 * tell which rollout the condition speaks of.
 *
 * Example: Succeeded, revision `5d8f7c9b` → True, reason Succeeded, "promotion finished (revision 5d8f7c9b)".
 */
export function readyCondition(phase: CanaryPhase, revision?: string): ConditionUpdate {
  return { type: 'Ready', status: readyStatus(phase), reason: phaseReason(phase), message: readyMessage(phase, revision) };
}

const readyByPhase: Readonly<Record<CanaryPhase, ConditionStatus>> = {
  '': 'Unknown',
  Initializing: 'Unknown',
  Initialized: 'True',
  Waiting: 'Unknown',
  Progressing: 'Unknown',
  WaitingPromotion: 'Unknown',
  Promoting: 'Unknown',
  Finalising: 'Unknown',
  Succeeded: 'True',
  Failed: 'False',
  Terminating: 'False',
  Terminated: 'False',
};

function readyStatus(phase: CanaryPhase): ConditionStatus {
  return readyByPhase[phase];
}

function readyMessage(phase: CanaryPhase, revision: string | undefined): string {
  if (phase === '') return 'canary not initialized yet';
  const of = revision === undefined ? '' : ` (revision ${revision})`;
  if (phase === 'Succeeded') return `promotion finished${of}`;
  return phase === 'Initialized' ? `initialization finished${of}` : `canary is ${phase}${of}`;
}

/**
 * The `Stalled` condition from the problems `validateCanary` found: True with reason InvalidSpec and one
 * `field: message` per problem when there are any, else False with reason ValidSpec.
 *
 * Example: `[{field: 'spec.provider', message: 'provider alb is not implemented yet'}]` → True, InvalidSpec,
 * "spec.provider: provider alb is not implemented yet".
 */
export function stalledCondition(problems: readonly Problem[]): ConditionUpdate {
  if (problems.length === 0) return { type: 'Stalled', status: 'False', reason: 'ValidSpec', message: 'spec is valid' };
  const message = truncateUtf8(problems.map((p) => `${p.field}: ${p.message}`).join('; '), maxConditionMessageBytes);
  return { type: 'Stalled', status: 'True', reason: 'InvalidSpec', message };
}
