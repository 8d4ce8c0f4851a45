/**
 * The primary DaemonSet of a DaemonSet target, and how the target is parked between runs (spec §3.1–§3.3 for
 * DaemonSets): a DaemonSet has no replica count, so "scaled to zero" is a nodeSelector that matches no node.
 */
import type { V1DaemonSetSpec, V1PodTemplateSpec } from '@kubernetes/client-node';
import { parkingNodeSelectorKey } from '../core/revision.js';
import type { DaemonSet } from '../kube/resources.js';
import { primaryName } from './labels.js';
import { primaryMetadata, primaryTemplate, type PrimaryTemplateInput } from './primary-deployment.js';

/** Input of {@link desiredPrimaryDaemonSet}. */
export interface PrimaryDaemonSetInput extends PrimaryTemplateInput {
  target: DaemonSet;
  existingPrimary?: DaemonSet;
}

/**
 * The desired primary DaemonSet `<target>-primary`, built as the primary Deployment is (labels, annotations,
 * selector `{L: V-primary}`, pod template with `flagger-id`, tracked configs renamed), with the DaemonSet's
 * own settings copied: minReadySeconds, revisionHistoryLimit, updateStrategy. The parking nodeSelector key
 * is never copied, so the primary runs on every node even when it is built from a parked target.
 *
 * parity: Flagger pkg/canary/daemonset_controller.go drops the parking key at promotion only; a primary
 * created (again) while the target is parked would run nowhere there.
 */
export function desiredPrimaryDaemonSet(input: PrimaryDaemonSetInput): DaemonSet {
  const { target, existingPrimary } = input;
  const primarySelector = { key: input.selector.key, value: primaryName(input.selector.value) };
  const { minReadySeconds, revisionHistoryLimit, updateStrategy } = target.spec ?? {};
  const spec: V1DaemonSetSpec = {
    ...existingPrimary?.spec,
    minReadySeconds,
    revisionHistoryLimit,
    updateStrategy,
    selector: existingPrimary?.spec?.selector ?? { matchLabels: { [primarySelector.key]: primarySelector.value } },
    template: unparkedTemplate(primaryTemplate(input, primarySelector)),
  };
  return structuredClone({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: primaryMetadata(input, primarySelector), spec });
}

function unparkedTemplate(template: V1PodTemplateSpec): V1PodTemplateSpec {
  const nodeSelector = { ...template.spec?.nodeSelector };
  if (!(parkingNodeSelectorKey in nodeSelector)) return template;
  delete nodeSelector[parkingNodeSelectorKey];
  const spec = { ...template.spec!, nodeSelector: Object.keys(nodeSelector).length > 0 ? nodeSelector : undefined };
  return { ...template, spec };
}

/**
 * Why a DaemonSet cannot be a target, or `undefined`: only the RollingUpdate strategy rolls a new template out
 * on its own (OnDelete waits for someone to delete every pod). Example: `updateStrategy.type: OnDelete` →
 * "daemonset podinfo must have the RollingUpdate strategy, not OnDelete".
 *
 * parity: Flagger pkg/canary/daemonset_controller.go createPrimaryDaemonSet refuses the same target.
 */
export function daemonSetTargetProblem(target: DaemonSet): string | undefined {
  const type = target.spec?.updateStrategy?.type;
  if (type === undefined || type === '' || type === 'RollingUpdate') return undefined;
  return `daemonset ${target.metadata.name} must have the RollingUpdate strategy, not ${type}`;
}

/** True when the DaemonSet target is parked: it carries the nodeSelector that matches no node. */
export function isParked(target: DaemonSet): boolean {
  return target.spec?.template.spec?.nodeSelector?.[parkingNodeSelectorKey] !== undefined;
}

/**
 * JSON merge patch that parks the target (`park: true`: adds `flagger.app/scale-to-zero: "true"` to the pod
 * template's nodeSelector, so every pod is removed) or lets it run again (removes that key only; the user's
 * other nodeSelector keys are untouched either way).
 */
export function parkingPatch(park: boolean): unknown {
  return { spec: { template: { spec: { nodeSelector: { [parkingNodeSelectorKey]: park ? 'true' : null } } } } };
}
