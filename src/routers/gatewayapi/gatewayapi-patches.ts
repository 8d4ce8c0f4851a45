/**
 * JSON merge patches (RFC 7386) that bring an existing HTTPRoute to what a Canary asks for, or `undefined`
 * when nothing differs. A merge patch replaces a list whole, so `spec.rules` is always written with the
 * user's rules exactly as read, and every patch carries the `resourceVersion` it was computed from: a rule
 * the user changed since the read makes the write fail with a conflict instead of being overwritten. Pure.
 */
import type { Canary } from '../../api/canary.js';
import { serviceNames } from '../../api/defaults.js';
import { canonicalJson } from '../../core/revision.js';
import { mergePatchDiff } from '../../kube/merge-patch-diff.js';
import { handBackPatch, finalizePatch as restorePatch, originalSpec as takenOverSpec } from '../taken-over-spec.js';
import { isOwnedByCanary } from '../../workloads/owner.js';
import { mapPatch } from '../../workloads/merge-patch.js';
import { withoutEmpty } from '../without-empty.js';
import { ALL_PRIMARY, type Weights } from '../router.js';
import { desiredHttpRoute, desiredRules } from './gatewayapi-desired.js';
import {
  kubectlLastAppliedAnnotation, originalConfigAnnotation, type GatewayApiVersion, type HttpRoute, type HttpRouteRule,
  type HttpRouteSpec,
} from './gatewayapi-objects.js';
import { comparableSpec, isManagedRule, readWeights, spliceRules } from './gatewayapi-routes.js';

type StringMap = Record<string, string> | undefined;

/**
 * Patch that brings an existing HTTPRoute to the Canary's spec while keeping its traffic split: parentRefs,
 * hostnames and the managed rules are rewritten only when they differ in something other than routing (see
 * `comparableSpec`), and then at the weights read from the object. The user's rules stay as they are.
 *
 * parity: Flagger pkg/router/gateway_api.go Reconcile resets the split to 100/0 on any other change (quirk
 * §12.13) and replaces every rule, the user's included.
 */
export function httpRouteReconcilePatch(existing: HttpRoute, canary: Canary, version: GatewayApiVersion): unknown {
  const current = existing.spec ?? {};
  const weights = readWeights(current, canary) ?? ALL_PRIMARY;
  const desired = desiredHttpRoute(canary, version, weights);
  const desiredSpec = desired.spec ?? {};
  const changed = comparableSpec(desiredSpec, canary) !== comparableSpec(current, canary);
  const spec = changed
    ? mergePatchDiff(owned(current), { ...desiredSpec, rules: spliceRules(current.rules, desiredSpec.rules ?? [], canary) })
    : undefined;
  const metadata = metadataPatch(existing, desired, canary);
  if (spec === undefined && metadata === undefined) return undefined;
  return { metadata: { ...metadata, resourceVersion: existing.metadata.resourceVersion }, ...(spec === undefined ? {} : { spec }) };
}

function owned(spec: HttpRouteSpec): HttpRouteSpec {
  const { parentRefs, hostnames, rules } = spec;
  return withoutEmpty({ parentRefs, hostnames, rules }) ?? {};
}

/**
 * Metadata patch. An HTTPRoute created by this Canary gets exactly the desired labels and annotations
 * (keeping kubectl's record and the saved original); one taken over keeps its metadata and gains the
 * desired keys, plus, once, its spec as it was in `flagger.kubernetes.io/original-configuration`, unless
 * kubectl's last-applied record exists.
 * parity: Flagger merges annotations other controllers added and never saves the original spec.
 */
export function metadataPatch(existing: HttpRoute, desired: HttpRoute, canary: Canary): Record<string, unknown> | undefined {
  const meta = existing.metadata;
  const ownedByCanary = isOwnedByCanary(meta, canary.metadata.name);
  const labels = ownedByCanary ? mapPatch(meta.labels, { ...desired.metadata.labels }) : additions(meta.labels, desired.metadata.labels);
  const keep = Object.fromEntries([kubectlLastAppliedAnnotation, originalConfigAnnotation]
    .flatMap((k) => (meta.annotations?.[k] === undefined ? [] : [[k, meta.annotations[k]]])));
  const annotations = ownedByCanary
    ? mapPatch(meta.annotations, { ...desired.metadata.annotations, ...keep })
    : additions(meta.annotations, { ...desired.metadata.annotations, ...originalConfig(existing) });
  if (labels === undefined && annotations === undefined) return undefined;
  return { ...(labels === undefined ? {} : { labels }), ...(annotations === undefined ? {} : { annotations }) };
}

function additions(existing: StringMap, desired: StringMap): Record<string, string> | undefined {
  const changed = Object.entries(desired ?? {}).filter(([k, v]) => existing?.[k] !== v);
  return changed.length > 0 ? Object.fromEntries(changed) : undefined;
}

function originalConfig(existing: HttpRoute): Record<string, string> {
  const annotations = existing.metadata.annotations ?? {};
  if (annotations[kubectlLastAppliedAnnotation] !== undefined || annotations[originalConfigAnnotation] !== undefined) return {};
  return { [originalConfigAnnotation]: JSON.stringify(existing.spec ?? {}) };
}

/**
 * Patch of `spec.rules` for a new traffic split, or `undefined` when the rules are already those: the
 * managed rules rebuilt from the Canary (session cookies read from `canary.status`), the user's as read.
 */
export function routesPatch(existing: HttpRoute, canary: Canary, weights: Weights): unknown {
  const rules = spliceRules(existing.spec?.rules, desiredRules(canary, weights), canary);
  if (canonicalJson(withoutEmpty(existing.spec?.rules)) === canonicalJson(withoutEmpty(rules))) return undefined;
  return { metadata: { resourceVersion: existing.metadata.resourceVersion }, spec: { rules } };
}

/** The spec the HTTPRoute had before the takeover (see taken-over-spec.ts); `undefined` when the router created it. */
export function originalSpec(existing: HttpRoute): HttpRouteSpec | undefined {
  return takenOverSpec(existing, 'HTTPRoute');
}

/** Patch that restores the HTTPRoute as it was before the takeover; `undefined` when there is nothing to restore. */
export function finalizePatch(existing: HttpRoute): unknown {
  return restorePatch(existing, 'HTTPRoute');
}

/**
 * Patch that sends every managed rule of an HTTPRoute the router created to the apex Service, for a Canary
 * deleted with revertOnDeletion (the apex Service already selects the target's pods; the primary's are about
 * to be removed by the garbage collector). A rule keeps its matches, timeouts and the user's filters, and loses
 * the mirror to the canary and the backends' own filters (the session cookies). Example: `podinfo-primary` 70
 * / `podinfo-canary` 30 on port 9898 → `podinfo` 100 on port 9898.
 *
 * An HTTPRoute attached to a Gateway is released from the Canary too, as the apex Service is: clients outside
 * the cluster reach the application through it, and the garbage collector would delete it. One whose parents
 * are all Services (the mesh) is left to the collector. `undefined` when nothing is left to change.
 *
 * parity: Flagger lets the garbage collector delete the HTTPRoute still routing to the primary.
 */
export function apexRulesPatch(existing: HttpRoute, canary: Canary): unknown {
  const rules = existing.spec?.rules ?? [];
  const managed = rules.some((r) => isManagedRule(r, canary));
  const spec = managed ? { rules: rules.map((r) => (isManagedRule(r, canary) ? toApex(r, canary) : r)) } : undefined;
  const attachedToGateway = (existing.spec?.parentRefs ?? []).some((p) => p.kind !== 'Service');
  return handBackPatch(existing, canary, spec, attachedToGateway);
}

function toApex(rule: HttpRouteRule, canary: Canary): HttpRouteRule {
  const { canary: canaryName, apex } = serviceNames(canary);
  const port = rule.backendRefs?.find((b) => b.port !== undefined)?.port;
  const filters = (rule.filters ?? []).filter((f) => f.type !== 'RequestMirror' || f.requestMirror?.backendRef.name !== canaryName);
  const { filters: _filters, ...rest } = rule;
  return {
    ...rest,
    ...(filters.length > 0 ? { filters } : {}),
    backendRefs: [{ group: '', kind: 'Service', name: apex, ...(port === undefined ? {} : { port }), weight: 100 }],
  };
}
