/**
 * The primary Deployment (spec §3.1 creation, §3.2 promotion) and the replica count of a target scaled back
 * up from zero (§3.3 with the §13 correction).
 */
import type { V1DeploymentSpec, V1PodTemplateSpec } from '@kubernetes/client-node';
import type { DaemonSet, Deployment } from '../kube/resources.js';
import type { OwnerReference } from '../ports/kube.js';
import type { TrackedConfigNames } from './config-refs.js';
import { filterByPrefixes, primaryLabels, primaryName, withoutKeys, withoutToolkitKeys, type SelectorLabel } from './labels.js';
import { primaryPodSpec } from './primary-pod-spec.js';

/** Pod template annotation whose new value on every promotion forces the primary to roll. */
export const flaggerIdAnnotation = 'flagger-id';

/**
 * Object annotation of a primary Deployment Songbird created: the target's template hash it was created from.
 * Initialization records that revision as the promoted one, so a target changed in the meantime starts a run.
 */
export const createdFromAnnotation = 'songbird/created-from-revision';

/** Annotations of the target Deployment that describe the target itself and are never copied to the primary. */
export const targetOnlyAnnotations: ReadonlySet<string> = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  'deployment.kubernetes.io/revision',
]);

/** What the primary's metadata and pod template are built from, for every workload kind. */
export interface PrimaryTemplateInput {
  /** The target workload (`spec.targetRef`). */
  target: Deployment | DaemonSet;
  /** The current primary; absent at creation. Its selector (immutable) and other fields are kept. */
  existingPrimary?: Deployment | DaemonSet;
  /** Controller reference to this Canary (used at creation). */
  owner: OwnerReference;
  /** The target's selector label and value, e.g. `app=podinfo`. */
  selector: SelectorLabel;
  /**
   * The operator's `--selector-labels`: anti-affinity and topology spread selector values under these keys
   * are rewritten. Defaults to `[selector.key]`.
   */
  selectorLabels?: readonly string[];
  /** The operator's `--include-label-prefix` list (`*` = all). */
  includeLabelPrefixes: readonly string[];
  /** Tracked configs, whose references point at their `-primary` copies. */
  trackedConfigs: TrackedConfigNames;
  /** A new random id (UUID v4) for the `flagger-id` pod annotation; the caller generates it. */
  flaggerId: string;
}

/** Input of {@link desiredPrimaryDeployment}. */
export interface PrimaryInput extends PrimaryTemplateInput {
  /** The target Deployment (`spec.targetRef`). */
  target: Deployment;
  /** The current primary; absent at creation. Its selector (immutable) and other fields are kept. */
  existingPrimary?: Deployment;
  /** True when the Canary has an `autoscalerRef`: then the autoscaler, not the target, owns replicas. */
  hasAutoscaler: boolean;
}

/**
 * The desired primary Deployment `<target>-primary`: at creation (no `existingPrimary`) a new object owned by
 * the Canary; at promotion the existing primary with the target's template and settings copied in. The
 * result is a fresh object (no input is shared or changed), ready to create or to replace.
 *
 * - selector: only `{L: V-primary}` at creation; the existing primary's selector on update (immutable);
 * - labels: the target's labels filtered by the include prefixes, toolkit keys dropped, `L=V-primary`;
 * - template labels: the target's, toolkit keys dropped, `L=V-primary`; template annotations: the target's,
 *   toolkit keys dropped, plus `flagger-id`;
 * - copied: progressDeadlineSeconds, minReadySeconds, revisionHistoryLimit, strategy; replicas per
 *   {@link primaryReplicas}; the pod spec per {@link primaryPodSpec}.
 */
export function desiredPrimaryDeployment(input: PrimaryInput): Deployment {
  const { target, existingPrimary } = input;
  const primarySelector = { key: input.selector.key, value: primaryName(input.selector.value) };
  const spec: V1DeploymentSpec = {
    ...existingPrimary?.spec,
    ...copiedSpecFields(target),
    replicas: primaryReplicas(input),
    selector: existingPrimary?.spec?.selector ?? { matchLabels: { [primarySelector.key]: primarySelector.value } },
    template: primaryTemplate(input, primarySelector),
  };
  return structuredClone({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: primaryMetadata(input, primarySelector), spec });
}

/** The primary's object metadata: name and owner at creation, then the target's labels and annotations (filtered). */
export function primaryMetadata(input: PrimaryTemplateInput, primarySelector: SelectorLabel): Deployment['metadata'] {
  const { target } = input;
  const base = input.existingPrimary?.metadata ?? {
    name: primaryName(target.metadata.name),
    namespace: target.metadata.namespace,
    ownerReferences: [input.owner],
  };
  return {
    ...base,
    labels: primaryLabels(filterByPrefixes(withoutToolkitKeys(target.metadata.labels), input.includeLabelPrefixes), primarySelector),
    annotations: primaryAnnotations(target.metadata.annotations),
  };
}

function copiedSpecFields(target: Deployment): Partial<V1DeploymentSpec> {
  const { progressDeadlineSeconds, minReadySeconds, revisionHistoryLimit, strategy } = target.spec ?? {};
  return { progressDeadlineSeconds, minReadySeconds, revisionHistoryLimit, strategy };
}

/**
 * Object annotations of the primary: the target's, minus toolkit keys and minus the annotations that
 * describe the target itself (kubectl's last-applied configuration, the Deployment revision).
 *
 * parity: Flagger pkg/canary/deployment_controller.go copies all annotations (minus toolkit keys) at
 * creation but only include-label-prefix matches at promotion, so annotations vanish at the first promotion
 * (quirk §12.18); one rule is used for both here.
 */
export function primaryAnnotations(annotations: Record<string, string> | undefined): Record<string, string> {
  return withoutKeys(withoutToolkitKeys(annotations), (key) => targetOnlyAnnotations.has(key));
}

/** The primary's pod template: the target's, relabelled for the primary, with a `flagger-id` and the primary's pod spec. */
export function primaryTemplate(input: PrimaryTemplateInput, primarySelector: SelectorLabel): V1PodTemplateSpec {
  const template = input.target.spec?.template;
  return {
    metadata: {
      labels: primaryLabels(template?.metadata?.labels, primarySelector),
      annotations: {
        ...withoutToolkitKeys(template?.metadata?.annotations),
        [flaggerIdAnnotation]: input.flaggerId,
      },
    },
    spec: primaryPodSpec({
      podSpec: template?.spec ?? { containers: [] },
      trackedConfigs: input.trackedConfigs,
      selector: input.selector,
      selectorLabels: input.selectorLabels ?? [input.selector.key],
    }),
  };
}

/**
 * Replicas of the primary. At creation: the target's when above 0, else 1. At promotion: the target's when
 * there is no autoscaler and it is above 0, else the existing primary's (an autoscaler owns them).
 *
 * Examples: create from a target with 3 → 3; create from a target scaled to 0 → 1; promote without
 * autoscaler, target 4, primary 2 → 4; promote with an HPA, target 4, primary 6 → 6.
 *
 * parity: Flagger pkg/canary/deployment_controller.go Promote copies the target's replicas even when they
 * are 0 or unset; a target is scaled up while it is promoted, so this only differs in that corner.
 */
export function primaryReplicas(input: Pick<PrimaryInput, 'target' | 'existingPrimary' | 'hasAutoscaler'>): number | undefined {
  const targetReplicas = input.target.spec?.replicas ?? 0;
  if (!input.existingPrimary) return targetReplicas > 0 ? targetReplicas : 1;
  if (!input.hasAutoscaler && targetReplicas > 0) return targetReplicas;
  return input.existingPrimary.spec?.replicas;
}

/** A Deployment or a DaemonSet (which has a pod template but no `replicas`). */
export interface ReplicatedWorkload {
  spec?: { replicas?: number; template?: unknown };
}

/** Input of {@link scaleFromZeroReplicas}. */
export interface ScaleFromZeroInput {
  /** The target; a DaemonSet has no replica count, so it always comes back as 1 (running). */
  target: ReplicatedWorkload;
  /** The primary, when it exists. */
  primary?: ReplicatedWorkload;
  /** The target's HPA, when the Canary's autoscalerRef is an HPA and it could be read. */
  hpa?: { spec?: { minReplicas?: number } };
  /** `spec.minReplicaCount` of the target's KEDA ScaledObject, when the autoscalerRef is one. */
  scaledObjectMinReplicaCount?: number;
  /** True when the Canary has an autoscalerRef; defaults to whether `hpa` or a ScaledObject count is given. */
  hasAutoscaler?: boolean;
}

/**
 * Replicas to give a target that is scaled up again (a new run starts, or the Canary is finalized without a
 * primary): the target's own count when above 0; else, with an autoscaler, its minimum when above 1, else 1;
 * without one, the primary's replicas when above 0, else 1.
 *
 * Examples: target 3 → 3; target 0, HPA min 2 → 2; target 0, HPA min 1 → 1; target 0, no autoscaler,
 * primary 4 → 4; target 0, no autoscaler, no primary → 1.
 *
 * parity: Flagger pkg/canary/deployment_controller.go ScaleFromZero (spec §13 correction of §3.3).
 */
export function scaleFromZeroReplicas(input: ScaleFromZeroInput): number {
  const current = input.target.spec?.replicas ?? 0;
  if (current > 0) return current;
  if (hasAutoscaler(input)) return Math.max(1, autoscalerMinReplicas(input));
  return Math.max(1, input.primary?.spec?.replicas ?? 1);
}

function hasAutoscaler(input: ScaleFromZeroInput): boolean {
  return input.hasAutoscaler ?? (input.hpa !== undefined || input.scaledObjectMinReplicaCount !== undefined);
}

function autoscalerMinReplicas(input: ScaleFromZeroInput): number {
  return input.hpa?.spec?.minReplicas ?? input.scaledObjectMinReplicaCount ?? 1;
}
