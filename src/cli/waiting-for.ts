/**
 * What a Canary is waiting for, in words, derived from its status alone: a suspension or pause, the problem
 * the Ready condition reports, traffic the provider has not applied yet, a closed gate, or the phase's own
 * next step. Pure: `now` is passed in.
 */
import type { CanaryPhase } from '../api/canary-status.js';
import { analysisInterval, approvalDeadlineSeconds, progressDeadlineSeconds, webhookType } from '../api/defaults.js';
import type { CanaryObject } from './canaries.js';
import { formatDuration } from './output.js';

// Ready reasons that only name the phase: the phase says more.
const PHASE_REASONS = new Set<string>(['Initializing', 'Initialized', 'Waiting', 'Progressing', 'WaitingPromotion', 'Promoting', 'Finalising', 'Succeeded', 'Failed', 'Terminating', 'Terminated', 'Unknown']);

/**
 * What `canary` waits for at `now`.
 *
 * Example: Waiting since 10:00:00 with approvalDeadlineSeconds 3600, at 10:20:00 →
 * `confirm-rollout approval (gate: approve-rollout), 40m left`.
 */
export function waitingFor(canary: CanaryObject, now: number): string {
  return heldBy(canary) ?? problemOf(canary) ?? trafficWait(canary, now) ?? phaseWait(canary, canary.status?.phase ?? '', now);
}

function heldBy(canary: CanaryObject): string | undefined {
  if (canary.spec.suspend === true) return 'resume: spec.suspend is true';
  const paused = (canary.status as Record<string, unknown> | undefined)?.paused;
  return paused !== undefined && paused !== null ? `resume: paused${pauseReason(paused)}` : undefined;
}

// The Ready condition names a problem (not just the phase) while the run is not over.
function problemOf(canary: CanaryObject): string | undefined {
  const ready = canary.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready === undefined || ready.status !== 'False' || PHASE_REASONS.has(ready.reason) || canary.status?.phase === 'Failed') return undefined;
  return `${ready.reason}: ${ready.message ?? ''}`.trim();
}

function trafficWait(canary: CanaryObject, now: number): string | undefined {
  const status = canary.status ?? {};
  if (status.trafficPending !== undefined) return `the provider to apply ${status.trafficPending.weights} (primary/canary): ${status.trafficPending.reason}`;
  if (status.trafficHeldSince !== undefined && status.phase === 'Progressing') return gateWait(canary, 'confirm-traffic-increase', status.trafficHeldSince, now);
  return undefined;
}

function pauseReason(paused: unknown): string {
  const reason = typeof paused === 'object' ? (paused as { reason?: unknown }).reason : undefined;
  return typeof reason === 'string' && reason !== '' ? ` (${reason})` : '';
}

function gateWait(canary: CanaryObject, gate: string, since: string | undefined, now: number): string {
  const hooks = (canary.spec.analysis.webhooks ?? []).filter((h) => webhookType(h) === gate).map((h) => h.name);
  const started = since === undefined ? NaN : Date.parse(since);
  const left = Number.isNaN(started) ? '' : `, ${formatDuration(approvalDeadlineSeconds(canary) - (now - started) / 1000)} left`;
  return `${gate} approval${hooks.length > 0 ? ` (gate: ${hooks.join(', ')})` : ''}${left}`;
}

// Why the last run failed, from the Ready condition: ": CheckFailed, failed checks threshold reached 2".
function failure(canary: CanaryObject): string {
  const ready = canary.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready === undefined || PHASE_REASONS.has(ready.reason)) return '';
  return `: ${ready.reason}${ready.message === undefined || ready.message === '' ? '' : `, ${ready.message}`}`;
}

const PHASE_WAITS: Partial<Record<CanaryPhase, (canary: CanaryObject) => string>> = {
  '': (c) => `the primary to become ready (progressDeadlineSeconds ${progressDeadlineSeconds(c)}s)`,
  Initializing: (c) => `the primary to become ready (progressDeadlineSeconds ${progressDeadlineSeconds(c)}s)`,
  Progressing: (c) => `the next analysis tick (every ${formatDuration(analysisInterval(c) / 1000)})`,
  Promoting: () => 'the primary to roll out the promoted revision',
  Finalising: () => 'the canary to scale down',
  Terminating: () => 'the target to be restored before the Canary goes',
};

function phaseWait(canary: CanaryObject, phase: CanaryPhase, now: number): string {
  if (phase === 'Failed') return `a new revision of the target or a retry (the run failed${failure(canary)})`;
  if (phase === 'Waiting') return gateWait(canary, 'confirm-rollout', canary.status?.phaseStartTime, now);
  if (phase === 'WaitingPromotion') return gateWait(canary, 'confirm-promotion', canary.status?.phaseStartTime, now);
  return PHASE_WAITS[phase]?.(canary) ?? 'nothing: a new revision of the target starts a run';
}
