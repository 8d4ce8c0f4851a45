/**
 * Deployment readiness (spec §3.4 with the §13 corrections): is a rollout of the primary or the canary
 * finished and healthy enough to go on, and if not, is it worth waiting for?
 *
 * Pure: the caller passes `now`, so deadlines are testable without a clock.
 */
import type { V1DeploymentCondition } from '@kubernetes/client-node';
import type { Deployment } from '../kube/resources.js';

/** Outcome of a readiness check; `retriable: false` means the rollout is stuck past its deadline. */
export type Readiness = { ready: true } | { ready: false; retriable: boolean; reason: string };

/** Input of {@link deploymentReadiness}. */
export interface DeploymentReadinessInput {
  deployment: Deployment;
  /** Percentage of updated replicas that must be available (the Canary's primary/canary ready threshold). */
  readyThresholdPercent: number;
  /** The Canary's `progressDeadlineSeconds` (not the Deployment's). */
  progressDeadlineSeconds: number;
  /** Current time, in milliseconds since the epoch. */
  now: number;
}

const waiting = 'waiting for rollout to finish: ';

/**
 * Whether a Deployment's rollout is done, checking in Flagger's order: observed generation; a
 * `ProgressDeadlineExceeded` Progressing condition (never retriable); updated replicas vs desired; old
 * replicas still terminating; available vs the ready threshold; and finally a deployment scaled to zero.
 *
 * While not ready, the answer is not retriable once the rollout is stuck: a Progressing condition exists and
 * the Available condition has been False with reason `MinimumReplicasUnavailable` for longer than
 * `progressDeadlineSeconds`. Example: deadline 600s, Available went False at 10:00:00 ⇒ retriable up to
 * 10:10:00 inclusive, not retriable from 10:10:00.001.
 *
 * parity: Flagger pkg/canary/deployment_ready.go isDeploymentReady, same checks and messages.
 */
export function deploymentReadiness(input: DeploymentReadinessInput): Readiness {
  const { deployment } = input;
  const early = notObservedOrFailed(deployment);
  if (early) return early;
  const reason = rolloutPendingReason(deployment, input.readyThresholdPercent) ?? scaledToZeroReason(deployment);
  if (reason === undefined) return { ready: true };
  return isStuck(deployment.status?.conditions, input)
    ? { ready: false, retriable: false, reason: `${reason} (no progress for more than ${input.progressDeadlineSeconds}s)` }
    : { ready: false, retriable: true, reason };
}

/** Not ready before any replica count is read: status not caught up yet, or the deadline already exceeded. */
function notObservedOrFailed(deployment: Deployment): Readiness | undefined {
  const status = deployment.status ?? {};
  if ((deployment.metadata.generation ?? 0) > (status.observedGeneration ?? 0)) {
    return { ready: false, retriable: true, reason: `${waiting}observed deployment generation less than desired generation` };
  }
  if (findCondition(status.conditions, 'Progressing')?.reason === 'ProgressDeadlineExceeded') {
    return { ready: false, retriable: false, reason: `deployment "${deployment.metadata.name}" exceeded its progress deadline` };
  }
  return undefined;
}

/**
 * Why the rollout is not finished, or `undefined` when it is.
 *
 * The threshold is a whole number of replicas, rounded down: floor(updatedReplicas × threshold / 100).
 * Example: 4 updated replicas at 50% ⇒ floor(4 × 50 / 100) = 2 must be available; 3 updated at 50% ⇒
 * floor(1.5) = 1; 3 updated at 100% ⇒ 3.
 *
 * parity: Flagger computes the same product in float32 and truncates; integer arithmetic gives the exact
 * result where float32 could be off by one (10 × 0.7 in float32 is 6.9999…).
 */
function rolloutPendingReason(deployment: Deployment, thresholdPercent: number): string | undefined {
  // No spec.replicas: no count of new replicas to wait for (no count is below 0).
  const desired = deployment.spec?.replicas ?? 0;
  const { replicas = 0, updatedReplicas = 0, availableReplicas = 0 } = deployment.status ?? {};
  const needed = Math.floor((updatedReplicas * thresholdPercent) / 100);
  if (updatedReplicas < desired) {
    return `${waiting}${updatedReplicas} out of ${desired} new replicas have been updated`;
  }
  if (replicas > updatedReplicas) {
    return `${waiting}${replicas - updatedReplicas} old replicas are pending termination`;
  }
  if (availableReplicas < needed) {
    return `${waiting}${availableReplicas} of ${needed} (readyThreshold ${thresholdPercent}%) updated replicas are available`;
  }
  return undefined;
}

// parity: Flagger pkg/canary/deployment_ready.go IsPrimaryReady compares a pointer with a fresh pointer, so
// its "scaled to zero" guard never fires (quirk §12.19). Here it works, for any deployment, and is
// retriable: scaling back up is an ordinary operation, not a stuck rollout.
function scaledToZeroReason(deployment: Deployment): string | undefined {
  return deployment.spec?.replicas === 0 ? 'deployment is scaled to zero' : undefined;
}

/**
 * True when a Progressing condition exists and Available is False with reason MinimumReplicasUnavailable
 * since before `now - deadline`. A condition without a parseable time cannot be dated, so it never counts as
 * stuck.
 *
 * parity: Flagger reads a missing `lastUpdateTime` as the Go zero time (year 1), i.e. always stuck; the
 * apiserver always sets it, so only hand-made objects differ.
 */
function isStuck(conditions: V1DeploymentCondition[] | undefined, input: DeploymentReadinessInput): boolean {
  if (!findCondition(conditions, 'Progressing')) return false;
  const available = findCondition(conditions, 'Available');
  if (available?.status !== 'False' || available.reason !== 'MinimumReplicasUnavailable') return false;
  const since = timeOf(available.lastUpdateTime ?? available.lastTransitionTime);
  return since !== undefined && since + input.progressDeadlineSeconds * 1000 < input.now;
}

function findCondition(conditions: V1DeploymentCondition[] | undefined, type: string): V1DeploymentCondition | undefined {
  return conditions?.find((c) => c.type === type);
}

// The REST API returns RFC 3339 strings although client-node types them as Date.
function timeOf(value: Date | string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? undefined : ms;
}
