/**
 * The HTTPRoute a Canary asks for (spec §5.3), for a given traffic split: the apex `<svc>` HTTPRoute with the
 * Canary's parent Gateways and host names, and the rules Songbird manages, which route to the `<svc>-primary`
 * and `<svc>-canary` Services. Pure: no I/O, inputs never mutated.
 */
import type { SessionAffinity } from '../../api/canary-analysis.js';
import type { Canary } from '../../api/canary.js';
import { analysisInterval, cookieMaxAge, serviceNames } from '../../api/defaults.js';
import { controllerOwnerReference } from '../../workloads/owner.js';
import { fluxOptOutAnnotations } from '../../workloads/services.js';
import { buildCookie } from '../session-cookie-routing.js';
import { ALL_PRIMARY, type Weights } from '../router.js';
import { pruned, ruleFilters, ruleTimeouts, serviceRef } from './gatewayapi-filters.js';
import { abCondition, canaryMatchCondition, cookieMatches, mergeMatches, serviceMatches } from './gatewayapi-match.js';
import {
  setCookieHeader, type GatewayApiVersion, type HttpBackendRef, type HttpRoute, type HttpRouteFilter, type HttpRouteRule, type HttpRouteSpec, type ParentRef,
} from './gatewayapi-objects.js';

/** The Gateway API group; the apiVersion written is `<group>/<version>` of the provider. */
export const gatewayApiGroup = 'gateway.networking.k8s.io';

/** `service.gatewayRefs` with the CRD's defaults (group, kind) written out. */
export function parentRefs(canary: Canary): ParentRef[] {
  return (canary.spec.service?.gatewayRefs ?? []).map((ref) => pruned({
    group: ref.group ?? gatewayApiGroup, kind: ref.kind ?? 'Gateway', name: ref.name,
    namespace: ref.namespace, sectionName: ref.sectionName, port: ref.port,
  }));
}

/** A weighted backendRef to one of the generated Services, on the Canary's service port. */
export function backendRef(canary: Canary, name: string, weight: number): HttpBackendRef {
  return { ...serviceRef({ name, port: canary.spec.service?.port }), weight };
}

// The fields every managed rule copies from `service`: matches, filters and timeouts.
function ruleBase(canary: Canary): HttpRouteRule {
  const filters = ruleFilters(canary);
  return pruned({ matches: serviceMatches(canary.spec.service?.match), filters: filters.length > 0 ? filters : undefined, timeouts: ruleTimeouts(canary) });
}

/**
 * The RequestMirror filter sending a copy of the traffic to the canary (Blue/Green with `analysis.mirror`);
 * `percent` = `analysis.mirrorWeight` when above 0, which both CRD versions have.
 * parity: Flagger pkg/router/gateway_api.go mirrors every request (no percentage).
 */
export function canaryMirrorFilter(canary: Canary): HttpRouteFilter {
  const mirrorWeight = canary.spec.analysis.mirrorWeight ?? 0;
  const backend = serviceRef({ name: serviceNames(canary).canary, port: canary.spec.service?.port });
  return { type: 'RequestMirror', requestMirror: { backendRef: backend, ...(mirrorWeight > 0 ? { percent: mirrorWeight } : {}) } };
}

/**
 * The rules Songbird manages, for a traffic split. A/B testing (`analysis.match`): the conditions (within
 * each service match) go to the split, every other request to the primary alone. Otherwise one weighted
 * rule, mirrored to the canary when `weights.mirrored`, preceded by the sticky-session rules when
 * `analysis.sessionAffinity` is set and by the `analysis.canaryMatch` rule while the canary gets traffic.
 * Throws a RouterConfigError naming the field for a match an HTTPRoute cannot express.
 *
 * parity: Flagger pkg/router/gateway_api.go SetRoutes.
 */
export function desiredRules(canary: Canary, weights: Weights): HttpRouteRule[] {
  const base = ruleBase(canary);
  const { primary, canary: canaryName } = serviceNames(canary);
  const backendRefs = [backendRef(canary, primary, weights.primary), backendRef(canary, canaryName, weights.canary)];
  const abMatches = canary.spec.analysis.match ?? [];
  if (abMatches.length > 0) {
    const conditions = abMatches.map((m, i) => abCondition(m, `spec.analysis.match[${i}]`));
    return [
      { ...base, matches: mergeMatches(conditions, base.matches ?? []), backendRefs },
      { ...structuredClone(base), backendRefs: [backendRef(canary, primary, 100)] },
    ];
  }
  const filters = [...base.filters ?? [], ...(weights.mirrored ? [canaryMirrorFilter(canary)] : [])];
  const weighted: HttpRouteRule = pruned({ ...base, filters: filters.length > 0 ? filters : undefined, backendRefs });
  const affinity = canary.spec.analysis.sessionAffinity;
  const rules = affinity === undefined ? [weighted] : sessionAffinityRules(canary, affinity, weighted, weights);
  return [...canaryMatchRules(canary, base, weights), ...rules];
}

/**
 * The rule of `analysis.canaryMatch` (a Songbird extension): requests matching it, within each service
 * match, go to the canary alone while its weight is above 0; at weight 0 the rule is not written at all.
 * It comes first, so that it wins over the sticky and weighted rules it is as specific as.
 */
export function canaryMatchRules(canary: Canary, base: HttpRouteRule, weights: Weights): HttpRouteRule[] {
  const match = canary.spec.analysis.canaryMatch;
  if (match === undefined || weights.canary === 0) return [];
  const matches = mergeMatches([canaryMatchCondition(match)], base.matches ?? []);
  return [{ ...structuredClone(base), matches, backendRefs: [backendRef(canary, serviceNames(canary).canary, 100)] }];
}

/**
 * The rules with session affinity. While the canary gets traffic: a rule sending requests with the canary
 * cookie to the canary alone, one sending those with the primary cookie to the primary alone (with
 * `primaryCookieName`), then the weighted rule, whose backends hand out the cookies through a
 * ResponseHeaderModifier `Set-Cookie`. At canary weight 0: a rule expiring the previous canary cookie
 * (`Max-Age=-1`), then the weighted rule. Cookies come from `canary.status` (see session-cookies.ts).
 *
 * parity: Flagger pkg/router/gateway_api.go getSessionAffinityRouteRules (its v1beta1 router has no primary
 * cookie; here both versions have it).
 */
export function sessionAffinityRules(canary: Canary, affinity: SessionAffinity, weighted: HttpRouteRule, weights: Weights): HttpRouteRule[] {
  return weights.canary === 0 ? expiringRules(canary, affinity, weighted) : stickyRules(canary, affinity, weighted);
}

// Canary weight 0: requests still carrying the last run's canary cookie are told to drop it.
function expiringRules(canary: Canary, affinity: SessionAffinity, weighted: HttpRouteRule): HttpRouteRule[] {
  const status = canary.status ?? {};
  const expiring = status.sessionAffinityCookie ?? status.previousSessionAffinityCookie;
  if (expiring === undefined) return [weighted];
  const filters = withSetCookie(weighted.filters ?? [], buildCookie(affinity, expiring, -1));
  return [{ ...weighted, matches: cookieMatches(expiring, weighted.matches ?? []), filters }, weighted];
}

// Canary weight above 0: sessions with a cookie stay where they started, new ones are split and get one.
function stickyRules(canary: Canary, affinity: SessionAffinity, weighted: HttpRouteRule): HttpRouteRule[] {
  const status = canary.status ?? {};
  const canaryCookie = status.sessionAffinityCookie;
  if (canaryCookie === undefined) return [weighted];
  const [primaryRef, canaryRef] = weighted.backendRefs as [HttpBackendRef, HttpBackendRef];
  const filters = (weighted.filters ?? []).filter((f) => f.type !== 'RequestMirror' || f.requestMirror?.backendRef.name !== canaryRef.name);
  const pinned = (cookie: string, ref: HttpBackendRef): HttpRouteRule => pruned({
    ...weighted, filters: filters.length > 0 ? filters : undefined, matches: cookieMatches(cookie, weighted.matches ?? []), backendRefs: [{ ...ref, weight: 100 }],
  });
  const handOut = (ref: HttpBackendRef, cookie: string, maxAge: number): HttpBackendRef =>
    ({ ...ref, filters: withSetCookie([], buildCookie(affinity, cookie, maxAge)) });
  const primaryCookie = affinity.primaryCookieName === undefined ? undefined : status.primarySessionAffinityCookie;
  const primaryOut = primaryCookie === undefined ? primaryRef : handOut(primaryRef, primaryCookie, Math.round(analysisInterval(canary) / 1000));
  const handingOut = { ...weighted, backendRefs: [primaryOut, handOut(canaryRef, canaryCookie, cookieMaxAge(affinity))] };
  return [pinned(canaryCookie, canaryRef), ...(primaryCookie === undefined ? [] : [pinned(primaryCookie, primaryRef)]), handingOut];
}

// Adds `Set-Cookie` to the ResponseHeaderModifier of `filters` (the CRD allows one per list), or a new one.
function withSetCookie(filters: readonly HttpRouteFilter[], cookie: string): HttpRouteFilter[] {
  const header = { name: setCookieHeader, value: cookie };
  const at = filters.findIndex((f) => f.type === 'ResponseHeaderModifier');
  if (at < 0) return [...filters, { type: 'ResponseHeaderModifier', responseHeaderModifier: { add: [header] } }];
  return filters.map((f, i) => {
    if (i !== at) return f;
    const modifier = f.responseHeaderModifier ?? {};
    return { ...f, responseHeaderModifier: { ...modifier, add: [...(modifier.add ?? []).filter((h) => h.name !== setCookieHeader), header] } };
  });
}

/** The spec fields the router owns, for a traffic split (all on the primary by default). */
export function desiredSpec(canary: Canary, weights: Weights = ALL_PRIMARY): HttpRouteSpec {
  const hosts = canary.spec.service?.hosts ?? [];
  return pruned({ parentRefs: parentRefs(canary), hostnames: hosts.length > 0 ? [...hosts] : undefined, rules: desiredRules(canary, weights) });
}

/**
 * The apex HTTPRoute in the provider's API version: labels from `service.apex`, annotations from
 * `service.apex` plus the Flux opt-out annotations, controlled by the Canary.
 */
export function desiredHttpRoute(canary: Canary, version: GatewayApiVersion, weights: Weights = ALL_PRIMARY): HttpRoute {
  const apex = canary.spec.service?.apex;
  return {
    apiVersion: `${gatewayApiGroup}/${version}`,
    kind: 'HTTPRoute',
    metadata: {
      name: serviceNames(canary).apex,
      namespace: canary.metadata.namespace,
      labels: { ...apex?.labels },
      annotations: { ...apex?.annotations, ...fluxOptOutAnnotations },
      ownerReferences: [controllerOwnerReference(canary)],
    },
    spec: desiredSpec(canary, weights),
  };
}
