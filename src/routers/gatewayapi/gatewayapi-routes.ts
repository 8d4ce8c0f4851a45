/**
 * Reading an existing HTTPRoute: which rules Songbird manages, the traffic split they hold, and their
 * routing-independent shape, so that the router can tell a change of the Canary spec from the weights it
 * moved itself. Every other rule is the user's and is copied back exactly as read (the same rule as Istio's
 * foreign routes, istio-foreign-routes.ts). Pure.
 */
import type { Canary } from '../../api/canary.js';
import { serviceNames } from '../../api/defaults.js';
import { canonicalJson } from '../../core/revision.js';
import { isCookieRegexFor } from '../session-cookie-routing.js';
import { withoutEmpty } from '../without-empty.js';
import type { Weights } from '../router.js';
import { defaultMatch, serviceMatches } from './gatewayapi-match.js';
import { cookieHeader, type HttpBackendRef, type HttpRouteRule, type HttpRouteSpec } from './gatewayapi-objects.js';

const isServiceRef = (ref: HttpBackendRef): boolean => (ref.group ?? '') === '' && (ref.kind ?? 'Service') === 'Service';

/**
 * Whether a rule is one Songbird manages: it has backends, and every one is the primary or canary Service of
 * the Canary's namespace. Any other rule (other backends, the apex Service, none, e.g. a redirect) is the
 * user's and is never rewritten.
 */
export function isManagedRule(rule: HttpRouteRule, canary: Canary): boolean {
  const { primary, canary: canaryName } = serviceNames(canary);
  return refsAll(rule, canary, new Set([primary, canaryName]));
}

function refsAll(rule: HttpRouteRule, canary: Canary, names: ReadonlySet<string>): boolean {
  const refs = rule.backendRefs ?? [];
  const sameNamespace = (ref: HttpBackendRef): boolean => ref.namespace === undefined || ref.namespace === canary.metadata.namespace;
  return refs.length > 0 && refs.every((ref) => isServiceRef(ref) && names.has(ref.name) && sameNamespace(ref));
}

/**
 * The user's rule a takeover replaces: before Songbird has rules in the HTTPRoute, the first rule to the apex
 * Service alone whose matches are those of `service.match` (PathPrefix `/` when it has none), i.e. the route
 * the Canary is about. Rules to the apex Service with other matches stay the user's.
 * Example: `service.match` unset, rules `/docs → docs`, `/ → podinfo`, `/admin → podinfo` → `/ → podinfo`.
 */
export function takenOverRule(rules: readonly HttpRouteRule[], canary: Canary): number {
  if (rules.some((r) => isManagedRule(r, canary))) return -1;
  const apex = new Set([serviceNames(canary).apex]);
  const wanted = canonicalJson(serviceMatches(canary.spec.service?.match));
  return rules.findIndex((r) => refsAll(r, canary, apex) && canonicalJson(r.matches ?? [defaultMatch]) === wanted);
}

/** Whether a rule matches on one of the run's session cookies (a sticky-session rule). */
export function isCookieRule(rule: HttpRouteRule, canary: Canary): boolean {
  const affinity = canary.spec.analysis.sessionAffinity;
  if (affinity === undefined) return false;
  return (rule.matches ?? []).some((m) => (m.headers ?? []).some((h) => h.name === cookieHeader
    && (isCookieRegexFor(h.value, affinity.cookieName) || isCookieRegexFor(h.value, affinity.primaryCookieName))));
}

/**
 * The rule that carries the split: the first managed rule with both the primary and the canary backend
 * that is not a sticky-session rule. In an A/B test that is the rule of the conditions.
 */
export function weightedRule(spec: HttpRouteSpec, canary: Canary): HttpRouteRule | undefined {
  const { primary, canary: canaryName } = serviceNames(canary);
  return (spec.rules ?? []).find((rule) => {
    const names = (rule.backendRefs ?? []).map((r) => r.name);
    return isManagedRule(rule, canary) && names.includes(primary) && names.includes(canaryName) && !isCookieRule(rule, canary);
  });
}

/**
 * The traffic split of an HTTPRoute, or `undefined` without a weighted rule or when both weights are 0. A
 * backend without `weight` has the CRD's default, 1. `mirrored` when the rule mirrors to the canary.
 * parity: Flagger pkg/router/gateway_api.go GetRoutes reads the rule with exactly two backendRefs.
 */
export function readWeights(spec: HttpRouteSpec, canary: Canary): Weights | undefined {
  const rule = weightedRule(spec, canary);
  if (rule === undefined) return undefined;
  const { primary, canary: canaryName } = serviceNames(canary);
  const weightOf = (name: string): number => rule.backendRefs?.find((r) => r.name === name)?.weight ?? 1;
  const weights = { primary: weightOf(primary), canary: weightOf(canaryName) };
  if (weights.primary === 0 && weights.canary === 0) return undefined;
  const mirrored = (rule.filters ?? []).some((f) => f.type === 'RequestMirror' && f.requestMirror?.backendRef.name === canaryName);
  return { ...weights, mirrored };
}

/** The managed rules of a spec, in order. */
export function managedRules(spec: HttpRouteSpec | undefined, canary: Canary): HttpRouteRule[] {
  return (spec?.rules ?? []).filter((r) => isManagedRule(r, canary));
}

/**
 * The rules of `existing` with its managed rules replaced by `managed`: the user's rules keep their content
 * and order, and the managed ones take the place of the first managed rule, or on takeover of the rule
 * {@link takenOverRule} finds, else they go last (Gateway API orders rules by how specific their matches
 * are; the rule order only breaks ties).
 */
export function spliceRules(existing: readonly HttpRouteRule[] | undefined, managed: readonly HttpRouteRule[], canary: Canary): HttpRouteRule[] {
  const rules = existing ?? [];
  const replaced = takenOverRule(rules, canary);
  const isReplaced = (r: HttpRouteRule, i: number): boolean => i === replaced || isManagedRule(r, canary);
  const at = rules.findIndex(isReplaced);
  const foreign = rules.filter((r, i) => !isReplaced(r, i));
  const position = at < 0 ? foreign.length : rules.slice(0, at).filter((r, i) => !isReplaced(r, i)).length;
  return [...foreign.slice(0, position), ...managed, ...foreign.slice(position)];
}

/**
 * The owned spec fields with everything the traffic split decides left out: backend weights and filters,
 * the mirror to the canary and the sticky-session rules; the user's rules are not part of it. Two specs with
 * the same comparable form differ only in routing.
 * parity: Flagger pkg/router/gateway_api.go Reconcile ignores weights (and filters while mirroring).
 */
export function comparableSpec(spec: HttpRouteSpec, canary: Canary): string {
  const canaryName = serviceNames(canary).canary;
  const rules = managedRules(spec, canary).filter((r) => !isCookieRule(r, canary)).map((r) => ({
    ...r,
    filters: r.filters?.filter((f) => f.type !== 'RequestMirror' || f.requestMirror?.backendRef.name !== canaryName),
    backendRefs: r.backendRefs?.map((ref) => ({ ...ref, weight: undefined, filters: undefined })),
  }));
  return canonicalJson(withoutEmpty({ parentRefs: spec.parentRefs, hostnames: spec.hostnames, rules }));
}
