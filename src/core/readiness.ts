/**
 * Deployment readiness (spec §3.4 with the §13 corrections): is a rollout of the primary or the canary
 * finished and healthy enough to go on, and if not, is it worth waiting for?
 *
 * Pure: the caller passes `now`, so deadlines are testable without a clock.
 */
import type { V1DeploymentCondition } from '@kubernetes/client-node';
import type { DaemonSet, Deployment } from '../kube/resources.js';
import { parkingNodeSelectorKey } from './revision.js';

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

/** Input of {@link daemonSetReadiness}. */
export interface DaemonSetReadinessInput {
  daemonSet: DaemonSet;
  /** Percentage of the scheduled pods that must be updated and available (the Canary's ready threshold). */
  readyThresholdPercent: number;
  /** The Canary's `progressDeadlineSeconds`. */
  progressDeadlineSeconds: number;
  /** When the Canary's current phase began (ms since the epoch): a DaemonSet has no Progressing condition to date. */
  since: number;
  /** Current time, in milliseconds since the epoch. */
  now: number;
}

/**
 * Whether a DaemonSet's rollout is done: its status has observed the current generation, every node that
 * should run its pod runs the new template (`updatedNumberScheduled` ≥ `desiredNumberScheduled`), and enough
 * of those pods are available: floor(desired × threshold / 100). Example: 3 nodes at 100% ⇒ 3 available
 * pods; 3 nodes at 50% ⇒ 1. A parked DaemonSet (the `flagger.app/scale-to-zero` nodeSelector) runs no pod
 * and is not ready, as a Deployment scaled to zero is not.
 *
 * Not ready past the deadline is not retriable: the Canary's phase began more than `progressDeadlineSeconds`
 * ago. Example: deadline 600s, phase since 10:00:00 ⇒ retriable up to 10:10:00 inclusive.
 *
 * parity: Flagger pkg/canary/daemonset_ready.go isDaemonSetReady requires every scheduled pod available
 * whatever the ready threshold, and measures the deadline from the Canary's lastTransitionTime; with the
 * default threshold (100%) the two agree.
 */
export function daemonSetReadiness(input: DaemonSetReadinessInput): Readiness {
  const reason = daemonSetPendingReason(input.daemonSet, input.readyThresholdPercent);
  if (reason === undefined) return { ready: true };
  return input.since + input.progressDeadlineSeconds * 1000 < input.now
    ? { ready: false, retriable: false, reason: `${reason} (no progress for more than ${input.progressDeadlineSeconds}s)` }
    : { ready: false, retriable: true, reason };
}

function daemonSetPendingReason(daemonSet: DaemonSet, thresholdPercent: number): string | undefined {
  if ((daemonSet.metadata.generation ?? 0) > (daemonSet.status?.observedGeneration ?? 0)) {
    return `${waiting}observed daemonset generation less than desired generation`;
  }
  if (daemonSet.spec?.template.spec?.nodeSelector?.[parkingNodeSelectorKey] !== undefined) return 'daemonset is scaled to zero';
  return daemonSetRolloutReason(daemonSet.status, thresholdPercent);
}

function daemonSetRolloutReason(status: DaemonSet['status'], thresholdPercent: number): string | undefined {
  const { desiredNumberScheduled = 0, updatedNumberScheduled = 0, numberAvailable = 0 } = status ?? {};
  if (updatedNumberScheduled < desiredNumberScheduled) {
    return `${waiting}${updatedNumberScheduled} out of ${desiredNumberScheduled} new pods have been updated`;
  }
  const needed = Math.floor((desiredNumberScheduled * thresholdPercent) / 100);
  if (numberAvailable < needed) {
    return `${waiting}${numberAvailable} of ${needed} (readyThreshold ${thresholdPercent}%) updated pods are available`;
  }
  return undefined;
}
