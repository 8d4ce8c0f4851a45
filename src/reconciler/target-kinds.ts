import { daemonSetReadiness, deploymentReadiness, type Readiness } from '../core/readiness.js';
import { daemonSetTemplateHash, podTemplateHash } from '../core/revision.js';
import { Resources, type DaemonSet, type Deployment } from '../kube/resources.js';
import type { ResourceType } from '../ports/kube.js';
import { daemonSetTargetProblem, desiredPrimaryDaemonSet, isParked, parkingPatch } from '../workloads/primary-daemonset.js';
import { desiredPrimaryDeployment, type PrimaryTemplateInput } from '../workloads/primary-deployment.js';
import type { ClusterCaches } from './cluster-caches.js';

/** A workload Songbird rolls out: the target and its `-primary` are of one of these kinds. */
export type Workload = Deployment | DaemonSet;

/** Input of {@link TargetKind.readiness}. */
export interface WorkloadReadinessInput {
  workload: Workload;
  readyThresholdPercent: number;
  progressDeadlineSeconds: number;
  /** When the Canary last changed phase (ms): the deadline of kinds without a Progressing condition. */
  since: number;
  now: number;
}

/**
 * What differs between the workload kinds a Canary can target; everything else (Services, routing, analysis,
 * webhooks) is the same for all. Each entry delegates to the pure builders and decisions of its kind.
 */
export interface TargetKind {
  readonly kind: 'Deployment' | 'DaemonSet';
  readonly type: ResourceType<Workload>;
  /** The watch cache of this kind. */
  cache(caches: ClusterCaches): { get(namespace: string, name: string): Workload | undefined };
  /** Hash of the pod template: what a new revision is. */
  revisionHash(target: Workload): string;
  /** Replicas running: a Deployment's `spec.replicas` (1 when unset); a DaemonSet's 0 when parked, else 1. */
  replicas(target: Workload): number;
  /** Merge patch that scales the target: a Deployment to `replicas`; a DaemonSet parked at 0, running otherwise. */
  scalePatch(replicas: number): unknown;
  readiness(input: WorkloadReadinessInput): Readiness;
  /** The desired primary, at creation (no `existingPrimary`) or at promotion. */
  desiredPrimary(input: PrimaryTemplateInput & { hasAutoscaler: boolean }): Workload;
  /** Why this target cannot be rolled out, or `undefined`. */
  targetProblem(target: Workload): string | undefined;
  /** Whether an `autoscalerRef` can scale this kind (HPAs and ScaledObjects need a scale subresource). */
  readonly scalable: boolean;
}

const deploymentKind: TargetKind = {
  kind: 'Deployment',
  type: Resources.deployments,
  cache: (caches) => caches.deployments,
  revisionHash: (target) => podTemplateHash(target.spec?.template),
  replicas: (target) => (target as Deployment).spec?.replicas ?? 1,
  scalePatch: (replicas) => ({ spec: { replicas } }),
  readiness: (input) => deploymentReadiness({ ...input, deployment: input.workload }),
  desiredPrimary: (input) => desiredPrimaryDeployment({
    ...input, target: input.target, existingPrimary: input.existingPrimary,
  }),
  targetProblem: () => undefined,
  scalable: true,
};

const daemonSetKind: TargetKind = {
  kind: 'DaemonSet',
  type: Resources.daemonSets,
  cache: (caches) => caches.daemonSets,
  revisionHash: (target) => daemonSetTemplateHash(target.spec?.template),
  replicas: (target) => (isParked(target as DaemonSet) ? 0 : 1),
  scalePatch: (replicas) => parkingPatch(replicas === 0),
  readiness: (input) => daemonSetReadiness({ ...input, daemonSet: input.workload as DaemonSet }),
  desiredPrimary: (input) => desiredPrimaryDaemonSet({
    ...input, target: input.target as DaemonSet, existingPrimary: input.existingPrimary as DaemonSet | undefined,
  }),
  targetProblem: (target) => daemonSetTargetProblem(target as DaemonSet),
  scalable: false,
};

/**
 * How many pods the workload should run: a Deployment's replicas (1 when unset); a DaemonSet's
 * `desiredNumberScheduled`, one per node it is scheduled on (1 before its status says).
 */
export function expectedPods(workload: Workload): number {
  if (workload.status !== undefined && 'desiredNumberScheduled' in workload.status) return workload.status.desiredNumberScheduled;
  return (workload.spec !== undefined && 'replicas' in workload.spec ? workload.spec.replicas : undefined) ?? 1;
}

/** The kinds Songbird rolls out, by `targetRef.kind`. */
export const TARGET_KINDS: Readonly<Record<string, TargetKind>> = { Deployment: deploymentKind, DaemonSet: daemonSetKind };

/** The kind entry of a Canary's `targetRef.kind`, or `undefined` for a kind Songbird does not roll out. */
export function targetKindOf(kind: string): TargetKind | undefined {
  return Object.hasOwn(TARGET_KINDS, kind) ? TARGET_KINDS[kind] : undefined;
}
