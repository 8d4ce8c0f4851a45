/**
 * Deadlines of the phases that wait. Every wait ends: in Failed with a reason once its deadline passes.
 *
 * Two kinds of wait, two deadlines:
 * - a wait on the cluster (the primary becoming ready at initialization, the primary rolling out the promoted
 *   revision) is bounded by the Canary's `progressDeadlineSeconds` (default 600);
 * - a wait on a person (a closed confirm-rollout, confirm-promotion or confirm-traffic-increase gate) is
 *   bounded by the Songbird extension `approvalDeadlineSeconds` (default 86400, a day).
 *
 * Pure: times are passed in, in milliseconds since the epoch.
 *
 * parity: Flagger waits forever in Waiting, WaitingPromotion and behind confirm-traffic-increase, stays
 * Initializing while the primary is stuck (§12.20), and judges a promotion stuck only by the primary
 * Deployment's own Progressing condition, i.e. its own progressDeadlineSeconds (600 s by default).
 */
import type { CanaryPhase } from '../api/canary-status.js';

/** What a canary can be waiting for. */
export type Wait = 'initialization' | 'promotion' | 'confirm-rollout' | 'confirm-promotion' | 'confirm-traffic-increase';

/** The two deadlines, in seconds. */
export interface DeadlineLimits {
  progressDeadlineSeconds: number;
  approvalDeadlineSeconds: number;
}

/** Ready condition reasons of a run that failed on a deadline. */
export type DeadlineReason = 'ProgressDeadlineExceeded' | 'ApprovalDeadlineExceeded';

const phaseWaits: Partial<Record<CanaryPhase, Wait>> = {
  Initializing: 'initialization',
  Waiting: 'confirm-rollout',
  WaitingPromotion: 'confirm-promotion',
  Promoting: 'promotion',
  Finalising: 'promotion',
};

/** The wait a phase stands for; `undefined` for phases that move on their own or rest. */
export function waitOfPhase(phase: CanaryPhase): Wait | undefined {
  return phaseWaits[phase];
}

/** True for the waits a person ends (a gate), false for the waits on the cluster. */
export function isApproval(wait: Wait): boolean {
  return wait.startsWith('confirm-');
}

/** The deadline of a wait, in seconds. */
export function deadlineSeconds(wait: Wait, limits: DeadlineLimits): number {
  return isApproval(wait) ? limits.approvalDeadlineSeconds : limits.progressDeadlineSeconds;
}

/**
 * True once a wait that began at `since` has lasted longer than `seconds`. A wait whose start is not known
 * (`undefined`, or an unparsable time) is never overdue: its clock starts now.
 *
 * Example: since 10:00:00 with 60 s ⇒ not overdue at 10:01:00, overdue from 10:01:00.001.
 */
export function isOverdue(since: number | undefined, now: number, seconds: number): boolean {
  if (since === undefined || Number.isNaN(since)) return false;
  return now - since > seconds * 1000;
}

/** Whether the current phase's wait is past its deadline. */
export function isPhaseOverdue(phase: CanaryPhase, since: number | undefined, now: number, limits: DeadlineLimits): boolean {
  const wait = waitOfPhase(phase);
  return wait !== undefined && isOverdue(since, now, deadlineSeconds(wait, limits));
}

/**
 * When the wait of `phase` began, from the start of the phase and the last progress of the run (the status's
 * `lastTransitionTime`: a change of phase or weight). A promotion is judged like a rollout, by its progress:
 * the primary must roll out within the deadline of the last step (the copy of the template, or a
 * stepWeightPromotion step), so a promotion that moves in many steps is not cut short while it moves. A gate or
 * the initialization is judged from the start of the phase: checks failing meanwhile are no progress.
 *
 * Example: Promoting since 10:00:00, traffic stepped at 10:01:00 ⇒ the primary's deadline runs from 10:01:00.
 */
export function waitStart(phase: CanaryPhase, times: { phaseStart: number; lastProgress?: number }): number {
  const { phaseStart, lastProgress } = times;
  if (waitOfPhase(phase) !== 'promotion' || lastProgress === undefined || Number.isNaN(lastProgress)) return phaseStart;
  return Math.max(phaseStart, lastProgress);
}

/**
 * What an overdue wait failed on, for the event, the alert and the Ready condition message.
 *
 * Examples: (promotion, 120) → "primary not rolled out within progressDeadlineSeconds (120s)";
 * (confirm-promotion, 86400) → "confirm-promotion approval not given within approvalDeadlineSeconds (86400s)".
 */
export function overdueMessage(wait: Wait, limits: DeadlineLimits): string {
  const seconds = deadlineSeconds(wait, limits);
  switch (wait) {
    case 'initialization': return `primary not ready within progressDeadlineSeconds (${seconds}s)`;
    case 'promotion': return `primary not rolled out within progressDeadlineSeconds (${seconds}s)`;
    default: return `${wait} approval not given within approvalDeadlineSeconds (${seconds}s)`;
  }
}

/** The Ready condition reason of a run that failed on the deadline of `wait`. */
export function overdueReason(wait: Wait): DeadlineReason {
  return isApproval(wait) ? 'ApprovalDeadlineExceeded' : 'ProgressDeadlineExceeded';
}
