/**
 * `analysis.canaryMatch` on Istio (a Songbird extension, see api/canary-match.ts): while the canary weight
 * is above 0, one HTTP route before the weighted one sends the matching requests to `<svc>-canary` alone.
 * At weight 0 the route is not written. Pure.
 */
import type { Canary } from '../../api/canary.js';
import { canaryCookieValue, type CanaryMatch } from '../../api/canary-match.js';
import { serviceNames } from '../../api/defaults.js';
import type { HttpMatchRequest } from '../../api/istio-types.js';
import type { Weights } from '../router.js';
import { escapeRegex, mergeMatchConditions } from './istio-match.js';
import type { HttpRoute, RouteDestination } from './istio-objects.js';

/**
 * The `cookie` header regex of a request carrying the cookie `<name>=always` (Istio regexes match the
 * whole value). Example: `canary` → `^(.*;\s*)?canary=always(;.*)?$`, which matches `a=1; canary=always`
 * and `canary=always; b=2`, not `mycanary=always` nor `canary=alwaysnot`.
 */
export function canaryCookieRegex(name: string): string {
  return `^(.*;\\s*)?${escapeRegex(name)}=${canaryCookieValue}(;.*)?$`;
}

/**
 * The Istio condition of a canaryMatch. Istio wants lower-case header names.
 * Example: `{header: {name: 'X-Canary', prefix: 'on'}}` → `{headers: {'x-canary': {prefix: 'on'}}}`.
 */
export function canaryMatchCondition(match: CanaryMatch): HttpMatchRequest {
  if (match.header !== undefined) {
    const { name, exact, prefix, regex } = match.header;
    const value = exact !== undefined ? { exact } : prefix !== undefined ? { prefix } : { regex: regex ?? '' };
    return { headers: { [name.toLowerCase()]: value } };
  }
  return { headers: { cookie: { regex: canaryCookieRegex(match.cookie?.name ?? '') } } };
}

/**
 * The canaryMatch route for `weights`: `base` (the service's match, rewrite, timeout, …) narrowed by the
 * condition, to `toCanary` alone (weight 100); `undefined` without canaryMatch, at canary weight 0, or in an A/B test
 * (validation refuses canaryMatch beside `analysis.match`).
 */
export function canaryMatchRoute(canary: Canary, base: HttpRoute, weights: Weights, toCanary: RouteDestination): HttpRoute | undefined {
  const match = canary.spec.analysis.canaryMatch;
  if (match === undefined || weights.canary === 0 || (canary.spec.analysis.match ?? []).length > 0) return undefined;
  return { ...base, match: mergeMatchConditions([canaryMatchCondition(match)], base.match), route: [{ ...toCanary, weight: 100 }] };
}

/** True for the canaryMatch route: its only destination is the canary host. */
export function isCanaryMatchRoute(route: { route?: readonly RouteDestination[] }, canary: Canary): boolean {
  const destinations = route.route ?? [];
  return destinations.length === 1 && destinations[0]?.destination.host === serviceNames(canary).canary;
}
