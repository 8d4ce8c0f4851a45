/**
 * The pod spec of the primary Deployment (spec §3.1): the target's pod spec with tracked configs renamed
 * and pod anti-affinity / topology spread selectors pointed at the primary's pods.
 */
import type { V1LabelSelector, V1PodSpec } from '@kubernetes/client-node';
import { renameConfigReferences, type TrackedConfigNames } from './config-refs.js';
import { primaryName, type SelectorLabel } from './labels.js';

/** Input of {@link primaryPodSpec}. */
export interface PrimaryPodSpecInput {
  podSpec: V1PodSpec;
  trackedConfigs: TrackedConfigNames;
  /** The target's selector label and value (not the primary's). */
  selector: SelectorLabel;
  /** Label keys whose selector values are rewritten; the operator's `--selector-labels`. */
  selectorLabels: readonly string[];
}

/**
 * A new pod spec for the primary: tracked ConfigMap/Secret references renamed to `-primary`, and in pod
 * anti-affinity terms (preferred and required) and topology spread constraints, every label selector value
 * equal to the target's selector value under a selector-label key gets `-primary`, so the primary's pods
 * spread among themselves as the target's did.
 *
 * Example: selector `app=podinfo`; anti-affinity `app In [podinfo, other]` → `app In [podinfo-primary, other]`.
 *
 * parity: Flagger pkg/canary/deployment_controller.go appendPrimarySuffixToValuesIfNeeded compares the
 * values with the target Deployment's *name*; this compares them with the selector value, which is the
 * label value the primary's pods have with `-primary` appended, so it also works when the two differ.
 */
export function primaryPodSpec(input: PrimaryPodSpecInput): V1PodSpec {
  const spec = renameConfigReferences(input.podSpec, input.trackedConfigs);
  const rewrite = (selector: V1LabelSelector | undefined): void => {
    if (selector) rewriteSelector(selector, input.selectorLabels, input.selector.value);
  };
  const antiAffinity = spec.affinity?.podAntiAffinity;
  for (const term of antiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []) rewrite(term.podAffinityTerm.labelSelector);
  for (const term of antiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []) rewrite(term.labelSelector);
  for (const constraint of spec.topologySpreadConstraints ?? []) rewrite(constraint.labelSelector);
  return spec;
}

/** Rewrites, in place, a selector of the fresh copy made by {@link primaryPodSpec} (never an input). */
function rewriteSelector(selector: V1LabelSelector, keys: readonly string[], value: string): void {
  const renamed = (v: string): string => (v === value ? primaryName(v) : v);
  for (const [key, labelValue] of Object.entries(selector.matchLabels ?? {})) {
    if (keys.includes(key)) selector.matchLabels![key] = renamed(labelValue);
  }
  for (const expression of selector.matchExpressions ?? []) {
    if (keys.includes(expression.key) && expression.values) expression.values = expression.values.map(renamed);
  }
}
