/**
 * The primary KEDA ScaledObject (spec §3.6 with the §13 correction): a copy of the target's ScaledObject that
 * scales `<target>-primary`, and the annotation that pauses the target's between runs.
 */
import { canonicalJson } from '../core/revision.js';
import type { ScaledObject, ScaleTrigger } from '../kube/resources.js';
import type { OwnerReference } from '../ports/kube.js';
import { primaryName, withoutKeys, withoutToolkitKeys } from './labels.js';
import { mapPatch } from './merge-patch.js';

/** KEDA's annotation that holds a ScaledObject's workload at this many replicas while it is set. */
export const pausedReplicasAnnotation = 'autoscaling.keda.sh/paused-replicas';

/** Annotations of the target ScaledObject that are never copied: they describe or pause the target only. */
const targetOnly: ReadonlySet<string> = new Set([
  'kubectl.kubernetes.io/last-applied-configuration', pausedReplicasAnnotation, 'autoscaling.keda.sh/paused',
]);

/** Input of {@link desiredPrimaryScaledObject}. */
export interface PrimaryScaledObjectInput {
  /** The target's ScaledObject (`spec.autoscalerRef`). */
  scaledObject: ScaledObject;
  /** Controller reference to this Canary. */
  owner: OwnerReference;
  /** `targetRef.name`: queries that name it (or its `-canary`) are rewritten to name its `-primary`. */
  targetName: string;
  /** `autoscalerRef.primaryScalerQueries`: trigger name → query of the primary's trigger. */
  queries?: Record<string, string>;
  /** `autoscalerRef.primaryScalerReplicas`: bounds that override the target's for the primary. */
  replicas?: { minReplicas?: number; maxReplicas?: number };
}

/**
 * The desired `<so>-primary`: scale target `<target>-primary` (kind, apiVersion and envSourceContainerName as
 * the target's), every other spec field copied, with min/max replica counts overridden by `replicas`, the
 * triggers' queries per {@link primaryTriggers}, and a custom `advanced.horizontalPodAutoscalerConfig.name`
 * suffixed `-primary` (two ScaledObjects cannot share one HPA). Labels and annotations of the target minus
 * toolkit keys, kubectl's last-applied configuration and KEDA's pause annotations; owned by the Canary.
 *
 * parity: Flagger pkg/canary/scaled_object_reconciler.go copies the target's annotations, so a target paused
 * by the operator itself (`paused-replicas: "0"`) when the primary is created again gives a primary paused at
 * zero; those annotations are never copied here.
 */
export function desiredPrimaryScaledObject(input: PrimaryScaledObjectInput): ScaledObject {
  const { scaledObject: so } = input;
  const spec = so.spec ?? { scaleTargetRef: { name: '' }, triggers: [] };
  const hpaName = spec.advanced?.horizontalPodAutoscalerConfig?.name;
  return structuredClone({
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: {
      name: primaryName(so.metadata.name),
      namespace: so.metadata.namespace,
      labels: withoutToolkitKeys(so.metadata.labels),
      annotations: withoutKeys(withoutToolkitKeys(so.metadata.annotations), (key) => targetOnly.has(key)),
      ownerReferences: [input.owner],
    },
    spec: {
      ...spec,
      scaleTargetRef: { ...spec.scaleTargetRef, name: primaryName(input.targetName) },
      minReplicaCount: input.replicas?.minReplicas ?? spec.minReplicaCount,
      maxReplicaCount: input.replicas?.maxReplicas ?? spec.maxReplicaCount,
      triggers: primaryTriggers(spec.triggers, input.targetName, input.queries),
      ...(hpaName ? { advanced: { ...spec.advanced, horizontalPodAutoscalerConfig: { ...spec.advanced?.horizontalPodAutoscalerConfig, name: primaryName(hpaName) } } } : {}),
    },
  });
}

/**
 * The primary's triggers. With `primaryScalerQueries` set (even empty), the triggers it names get its query
 * and every other trigger keeps the target's. Without it, every `query` has the target's name, or its
 * `-canary` name, replaced with the `-primary` name.
 *
 * Example, target `podinfo`: `sum(rate(http_requests_total{app="podinfo-canary"}[1m]))` →
 * `sum(rate(http_requests_total{app="podinfo-primary"}[1m]))`; `deployment="podinfo"` → `deployment="podinfo-primary"`.
 *
 * parity: Flagger (spec §13 on §3.6) rewrites `podinfo-primary` into `podinfo-primary-primary`; a name that
 * already ends in `-primary` is left as it is here.
 */
export function primaryTriggers(triggers: readonly ScaleTrigger[], targetName: string, queries?: Record<string, string>): ScaleTrigger[] {
  return triggers.map((trigger) => {
    const query = trigger.metadata.query;
    if (queries !== undefined) {
      const given = trigger.name === undefined ? undefined : queries[trigger.name];
      return given === undefined ? trigger : { ...trigger, metadata: { ...trigger.metadata, query: given } };
    }
    if (query === undefined) return trigger;
    return { ...trigger, metadata: { ...trigger.metadata, query: rewriteQuery(query, targetName) } };
  });
}

// `podinfo`, `podinfo-canary` and `podinfo-primary` all become `podinfo-primary`, in one pass.
function rewriteQuery(query: string, targetName: string): string {
  const escaped = targetName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return query.replace(new RegExp(`${escaped}(?:-canary|-primary)?`, 'g'), primaryName(targetName));
}

/**
 * JSON merge-patch body that brings the existing primary ScaledObject to the desired one, or `undefined`
 * when nothing differs: the whole spec when any of it differs (lists replace lists in a merge patch, and a
 * field the target dropped is sent as `null`), labels and annotations as changed keys only.
 */
export function primaryScaledObjectUpdate(existing: ScaledObject, desired: ScaledObject): unknown {
  const labels = mapPatch(existing.metadata.labels, desired.metadata.labels);
  const annotations = mapPatch(existing.metadata.annotations, desired.metadata.annotations);
  const specChanged = canonicalJson(existing.spec) !== canonicalJson(desired.spec);
  if (!specChanged && !labels && !annotations) return undefined;
  const dropped = Object.fromEntries(Object.keys(existing.spec ?? {}).filter((k) => !(k in (desired.spec ?? {})) || desired.spec?.[k] === undefined).map((k) => [k, null]));
  return {
    ...(labels || annotations ? { metadata: { labels, annotations } } : {}),
    ...(specChanged ? { spec: { ...dropped, ...withoutUndefined(desired.spec ?? {}) } } : {}),
  };
}

function withoutUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined));
}

/** Merge patch that pauses the target's ScaledObject at zero replicas (`pause: true`) or resumes it. */
export function pausePatch(pause: boolean): unknown {
  return { metadata: { annotations: { [pausedReplicasAnnotation]: pause ? '0' : null } } };
}
