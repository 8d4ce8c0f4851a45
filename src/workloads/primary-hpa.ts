/**
 * The primary HorizontalPodAutoscaler (spec §3.6): a copy of the target's HPA that scales `<target>-primary`.
 */
import type { V2HorizontalPodAutoscaler, V2HorizontalPodAutoscalerSpec } from '@kubernetes/client-node';
import { canonicalJson } from '../core/revision.js';
import type { WithMeta } from '../kube/resources.js';
import type { OwnerReference } from '../ports/kube.js';
import { primaryName, withoutKeys, withoutToolkitKeys } from './labels.js';
import { mapPatch } from './merge-patch.js';

/** An `autoscaling/v2` HorizontalPodAutoscaler, with our metadata. */
export type HorizontalPodAutoscalerV2 = WithMeta<V2HorizontalPodAutoscaler>;

/** Input of {@link desiredPrimaryHpa}. */
export interface PrimaryHpaInput {
  /** The target's HPA (`spec.autoscalerRef`). */
  hpa: HorizontalPodAutoscalerV2;
  /** Controller reference to this Canary. */
  owner: OwnerReference;
  /** Name of the primary Deployment, the new scale target. */
  primaryName: string;
  /** `autoscalerRef.primaryScalerReplicas`: bounds that override the target HPA's for the primary. */
  replicas?: { minReplicas?: number; maxReplicas?: number };
}

const lastApplied = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * The desired `<hpa>-primary`: scale target `primaryName` (same kind and apiVersion as the target HPA's),
 * the target's min/max (overridden by `replicas`), metrics and behavior; labels and annotations of the
 * target HPA minus toolkit keys (and minus kubectl's last-applied configuration); owned by the Canary.
 *
 * parity: Flagger pkg/canary/hpa_reconciler.go reconcilePrimaryHpaV2 copies no annotations at creation, and
 * its label/annotation update is a no-op (quirk §12.18); labels and annotations follow one rule here.
 */
export function desiredPrimaryHpa(input: PrimaryHpaInput): HorizontalPodAutoscalerV2 {
  const { hpa } = input;
  return structuredClone({
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: {
      name: primaryName(hpa.metadata.name),
      namespace: hpa.metadata.namespace,
      labels: withoutToolkitKeys(hpa.metadata.labels),
      annotations: withoutKeys(withoutToolkitKeys(hpa.metadata.annotations), (key) => key === lastApplied),
      ownerReferences: [input.owner],
    },
    spec: primaryHpaSpec(input),
  });
}

function primaryHpaSpec(input: PrimaryHpaInput): V2HorizontalPodAutoscalerSpec {
  const { scaleTargetRef, minReplicas, maxReplicas, metrics, behavior } = input.hpa.spec ?? { scaleTargetRef: { kind: 'Deployment', name: '' }, maxReplicas: 1 };
  return {
    scaleTargetRef: { apiVersion: scaleTargetRef.apiVersion, kind: scaleTargetRef.kind, name: input.primaryName },
    minReplicas: input.replicas?.minReplicas ?? minReplicas,
    maxReplicas: input.replicas?.maxReplicas ?? maxReplicas,
    metrics,
    behavior,
  };
}

/**
 * Whether the existing primary HPA differs from the desired one in scale target, min (unset = 1), max,
 * metrics, behavior, labels or annotations.
 */
export function hpaNeedsUpdate(existing: HorizontalPodAutoscalerV2, desired: HorizontalPodAutoscalerV2): boolean {
  return primaryHpaUpdate(existing, desired) !== undefined;
}

/**
 * JSON merge-patch body that brings the existing primary HPA to the desired one, or `undefined` when
 * {@link hpaNeedsUpdate} is false. The spec fields are sent whole (lists replace lists in a merge patch);
 * labels and annotations only as changed keys, with `null` for removed ones.
 */
export function primaryHpaUpdate(existing: HorizontalPodAutoscalerV2, desired: HorizontalPodAutoscalerV2): unknown {
  const labels = mapPatch(existing.metadata.labels, desired.metadata.labels);
  const annotations = mapPatch(existing.metadata.annotations, desired.metadata.annotations);
  const specChanged = canonicalJson(comparableSpec(existing)) !== canonicalJson(comparableSpec(desired));
  if (!specChanged && !labels && !annotations) return undefined;
  return {
    ...(labels || annotations ? { metadata: { labels, annotations } } : {}),
    ...(specChanged ? { spec: specPatch(desired.spec) } : {}),
  };
}

// Every spec field is sent, `null` for unset optional ones, so that a field dropped from the target HPA
// is also removed from the primary's.
function specPatch(spec: V2HorizontalPodAutoscalerSpec | undefined): Record<string, unknown> {
  return {
    ...spec,
    minReplicas: spec?.minReplicas ?? null,
    metrics: spec?.metrics ?? null,
    behavior: spec?.behavior ?? null,
  };
}

function comparableSpec(hpa: HorizontalPodAutoscalerV2): unknown {
  const spec = hpa.spec;
  return {
    scaleTargetRef: spec?.scaleTargetRef,
    minReplicas: spec?.minReplicas ?? 1,
    maxReplicas: spec?.maxReplicas,
    metrics: spec?.metrics ?? [],
    behavior: spec?.behavior,
  };
}
