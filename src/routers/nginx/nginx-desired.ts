/**
 * Pure builders of the `nginx` provider (spec §5.2): the canary Ingress cloned from the user's `ingressRef`
 * Ingress, the canary annotations for the mode in force (weighted, A/B by header, A/B by cookie), the
 * patches that bring an existing canary Ingress to them, and the split read back from its annotations.
 * Nothing here reads the API or mutates its inputs.
 */
import type { V1IngressBackend, V1IngressSpec } from '@kubernetes/client-node';
import type { AbMatch } from '../../api/istio-types.js';
import type { Canary } from '../../api/canary.js';
import { serviceNames } from '../../api/defaults.js';
import type { Ingress } from '../../kube/resources.js';
import { mergePatchDiff } from '../../kube/merge-patch-diff.js';
import { mapPatch } from '../../workloads/merge-patch.js';
import { controllerOwnerReference } from '../../workloads/owner.js';
import { RouterConfigError } from '../../errors.js';
import type { Weights } from '../router.js';
import { canaryMatchAnnotations, userHeaderAnnotations, userHeaderSuffixes } from './nginx-canary-match.js';

type Annotations = Record<string, string>;
type HeaderMatch = NonNullable<AbMatch['headers']>[string];

/** Default of `--ingress-annotations-prefix`. */
export const defaultIngressAnnotationsPrefix = 'nginx.ingress.kubernetes.io';
const kubectlLastApplied = 'kubectl.kubernetes.io/last-applied-configuration';
const toolkitMarker = 'toolkit.fluxcd.io';

/** Name of the `ingressRef` Ingress; throws when the Canary has none (Flagger: "ingress selector is empty"). */
export function sourceIngressName(canary: Canary): string {
  const name = canary.spec.ingressRef?.name;
  if (name === undefined || name === '') throw new Error('ingress selector is empty: the nginx provider needs spec.ingressRef');
  return name;
}

/** Name of the canary Ingress: `<ingressRef.name>-canary`. */
export function canaryIngressName(canary: Canary): string {
  return `${sourceIngressName(canary)}-canary`;
}

/** True for the canary annotations the router owns: every key starting with `<prefix>/canary`. */
export function isCanaryAnnotation(key: string, prefix: string): boolean {
  return key.startsWith(`${prefix}/canary`);
}

/** True when the Canary runs an A/B test on NGINX (`analysis.match` non-empty). */
export function isAbTest(canary: Canary): boolean {
  return (canary.spec.analysis.match ?? []).length > 0;
}

/**
 * The canary Ingress for `weights`: the source spec with every backend naming the apex Service `<svc>`
 * pointed at `<svc>-canary`, the source labels, the source annotations minus toolkit keys, kubectl's
 * last-applied record and `<prefix>/canary*` keys, plus the canary annotations of the mode in force; owned
 * by the Canary. Throws when no backend names the apex Service.
 */
export function desiredCanaryIngress(canary: Canary, source: Ingress, prefix: string, weights: Weights): Ingress {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name: canaryIngressName(canary),
      namespace: canary.metadata.namespace ?? '',
      ...(source.metadata.labels === undefined ? {} : { labels: { ...source.metadata.labels } }),
      annotations: { ...copiedAnnotations(source, prefix), ...canaryAnnotations(canary, source, prefix, weights) },
      ownerReferences: [controllerOwnerReference(canary)],
    },
    spec: canarySpec(canary, source),
  };
}

/**
 * The source spec with backends naming the apex Service renamed to the canary Service.
 * parity: Flagger pkg/router/ingress.go renames backends in `rules` only; a `defaultBackend` naming the apex
 * Service is renamed too, so the canary Ingress never sends canary traffic to the primary.
 */
export function canarySpec(canary: Canary, source: Ingress): V1IngressSpec {
  const { apex, canary: canaryName } = serviceNames(canary);
  const spec: V1IngressSpec = structuredClone(source.spec ?? {});
  let found = false;
  const rename = (backend: V1IngressBackend | undefined): void => {
    if (backend?.service?.name !== apex) return;
    backend.service.name = canaryName;
    found = true;
  };
  rename(spec.defaultBackend);
  for (const path of (spec.rules ?? []).flatMap((rule) => rule.http?.paths ?? [])) rename(path.backend);
  if (!found) {
    throw new RouterConfigError('spec.ingressRef', `Ingress ${source.metadata.name}.${source.metadata.namespace ?? ''} has no backend naming the Service ${apex}`);
  }
  return spec;
}

/** Source annotations the canary Ingress inherits: all but toolkit keys, kubectl's record and `<prefix>/canary*`. */
export function copiedAnnotations(source: Ingress, prefix: string): Annotations {
  return pick(source.metadata.annotations, (key) =>
    !key.includes(toolkitMarker) && key !== kubectlLastApplied && !isCanaryAnnotation(key, prefix));
}

/**
 * The `<prefix>/canary*` annotations for the mode in force, built from scratch (spec §13): A/B when
 * `analysis.match` is non-empty and the canary is given traffic, weighted otherwise. An A/B Canary at canary
 * weight 0 (created, promoted, rolled back) gets the weighted annotations at 0, as in Flagger (spec §5.2), so
 * that no header or cookie is routed to canary pods that are scaled down. Weighted with canary weight above 0,
 * `analysis.canaryMatch` adds its request rule (nginx-canary-match.ts); the user's own header rule on the
 * source Ingress is kept unless it contradicts canaryMatch's, which throws naming the field.
 */
export function canaryAnnotations(canary: Canary, source: Ingress, prefix: string, weights: Weights): Annotations {
  if (isAbTest(canary) && weights.canary > 0) return abAnnotations(canary.spec.analysis.match ?? [], prefix);
  const users = userHeaderAnnotations(canary, source, prefix);
  const weighted = weightedAnnotations(prefix, weights.canary, users);
  return weights.canary > 0 ? { ...weighted, ...canaryMatchAnnotations(canary, prefix) } : weighted;
}

/**
 * Weighted mode: `canary: "true"` and `canary-weight: "<C>"`. While C > 0 the user's own
 * `canary-by-header`, `-value` and `-pattern` annotations on the source Ingress are kept, so that a tester
 * can reach the canary on purpose (NGINX gives a header match precedence over the weight).
 *
 * parity: Flagger pkg/router/ingress.go drops them (issues #1777, #1838). At weight 0 they are left out as
 * Flagger does, so a header never reaches canary pods that are scaled down between runs.
 */
export function weightedAnnotations(prefix: string, canaryWeight: number, sourceAnnotations: Annotations): Annotations {
  const kept = canaryWeight > 0
    ? userHeaderSuffixes.flatMap((suffix) => {
      const value = sourceAnnotations[`${prefix}/${suffix}`];
      return value === undefined ? [] : [[`${prefix}/${suffix}`, value] as const];
    })
    : [];
  return { ...Object.fromEntries(kept), [`${prefix}/canary`]: 'true', [`${prefix}/canary-weight`]: String(canaryWeight) };
}

/**
 * A/B mode, from the match list (the last header of each kind wins): a header `cookie` with `exact: X` ⇒
 * `canary-by-cookie: X` (NGINX sends a request whose cookie X is `always` to the canary); any other header H
 * ⇒ `canary-by-header: H` with `canary-by-header-value` (exact) or `canary-by-header-pattern`; plus
 * `canary: "true"` and no `canary-weight`.
 *
 * parity: Flagger handles exact and regex only; a prefix or suffix becomes an anchored pattern here.
 */
export function abAnnotations(match: readonly AbMatch[], prefix: string): Annotations {
  let cookie: Annotations = {};
  let header: Annotations = {};
  for (const [name, value] of match.flatMap((m) => Object.entries(m.headers ?? {}))) {
    if (name.toLowerCase() === 'cookie' && value.exact !== undefined) cookie = { [`${prefix}/canary-by-cookie`]: value.exact };
    else header = headerAnnotations(name, value, prefix);
  }
  return { [`${prefix}/canary`]: 'true', ...header, ...cookie };
}

function headerAnnotations(name: string, value: HeaderMatch, prefix: string): Annotations {
  const byHeader = { [`${prefix}/canary-by-header`]: name };
  if (value.exact !== undefined) return { ...byHeader, [`${prefix}/canary-by-header-value`]: value.exact };
  const pattern = value.regex ?? anchored(value);
  return pattern === undefined ? byHeader : { ...byHeader, [`${prefix}/canary-by-header-pattern`]: pattern };
}

function anchored(value: HeaderMatch): string | undefined {
  const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  if (value.prefix !== undefined) return `^${escape(value.prefix)}.*`;
  if (value.suffix !== undefined) return `.*${escape(value.suffix)}$`;
  return undefined;
}

/**
 * The split a canary Ingress holds: (0, 100) in A/B mode with a by-cookie or by-header annotation present,
 * else the canary weight from `canary-weight` (absent = 0). Never mirrored. Throws on a weight that is not
 * an integer from 0 to 100.
 */
export function readNginxWeights(canary: Canary, ingress: Ingress, prefix: string): Weights {
  const annotations = ingress.metadata.annotations ?? {};
  const routedByRequest = [`${prefix}/canary-by-cookie`, `${prefix}/canary-by-header`].some((key) => annotations[key] !== undefined);
  if (isAbTest(canary) && routedByRequest) return { primary: 0, canary: 100, mirrored: false };
  const text = annotations[`${prefix}/canary-weight`] ?? '0';
  const weight = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(weight >= 0 && weight <= 100)) {
    throw new Error(`Ingress ${ingress.metadata.name}.${ingress.metadata.namespace ?? ''} has an invalid ${prefix}/canary-weight "${text}"`);
  }
  return { primary: 100 - weight, canary: weight, mirrored: false };
}

/**
 * Merge patch that brings an existing canary Ingress to `desired` without touching the split: the spec when
 * it differs, the labels, and the annotations other than `<prefix>/canary*`; `undefined` when nothing
 * differs. parity: Flagger updates the spec only, so a later change of the source annotations never reaches
 * the canary Ingress.
 */
export function canaryIngressReconcilePatch(existing: Ingress, desired: Ingress, prefix: string): unknown {
  const routing = pick(existing.metadata.annotations, (key) => isCanaryAnnotation(key, prefix));
  const others = pick(desired.metadata.annotations, (key) => !isCanaryAnnotation(key, prefix));
  const metadata = withoutUndefined({
    labels: mapPatch(existing.metadata.labels, desired.metadata.labels),
    annotations: mapPatch(existing.metadata.annotations, { ...others, ...routing }),
  });
  const patch = withoutUndefined({
    metadata: Object.keys(metadata).length === 0 ? undefined : metadata,
    spec: mergePatchDiff(existing.spec ?? {}, desired.spec ?? {}),
  });
  return Object.keys(patch).length === 0 ? undefined : patch;
}

function pick(map: Annotations | undefined, keep: (key: string) => boolean): Annotations {
  return Object.fromEntries(Object.entries(map ?? {}).filter(([key]) => keep(key)));
}

function withoutUndefined(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

/**
 * Merge patch of the `<prefix>/canary*` annotations only, to `desired`'s, with the Ingress's
 * `resourceVersion` (keys are removed based on what was read); `undefined` when they are already those.
 */
export function canaryRoutesPatch(existing: Ingress, desired: Annotations, prefix: string): unknown {
  const annotations = mapPatch(pick(existing.metadata.annotations, (key) => isCanaryAnnotation(key, prefix)), desired);
  return annotations === undefined ? undefined : { metadata: { resourceVersion: existing.metadata.resourceVersion, annotations } };
}
