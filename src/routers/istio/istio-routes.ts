/**
 * Reading an existing VirtualService: the traffic split it holds now, and its routing-independent shape, so
 * that the router can tell a change of the Canary spec from the weights it moved itself. Pure.
 */
import type { Canary } from '../../api/canary.js';
import { canonicalJson } from '../../core/revision.js';
import { serviceNames } from '../../api/defaults.js';
import { isTcp } from './istio-desired.js';
import type { HttpRoute, RouteDestination, TcpRoute, VirtualServiceSpec } from './istio-objects.js';
import { isCanaryMatchRoute } from './istio-canary-match.js';
import { isCookieRule } from './istio-session-affinity.js';
import type { Weights } from '../router.js';
import { withoutEmpty } from '../without-empty.js';

export { withoutEmpty } from '../without-empty.js';

function hasHost(route: { route?: RouteDestination[] }, host: string): boolean {
  return (route.route ?? []).some((d) => d.destination.host === host);
}

function weightOf(route: { route?: RouteDestination[] }, host: string): number {
  return route.route?.find((d) => d.destination.host === host)?.weight ?? 0;
}

/**
 * The route that carries the traffic split: the first HTTP route (TCP for a TCP service) with a canary
 * destination that is not a sticky-session rule nor the canaryMatch route. In an A/B test that is the route
 * of the conditions.
 */
export function weightedRoute(spec: VirtualServiceSpec, canary: Canary): HttpRoute | TcpRoute | undefined {
  const canaryHost = serviceNames(canary).canary;
  if (isTcp(canary)) return (spec.tcp ?? []).find((r) => hasHost(r, canaryHost));
  const affinity = canary.spec.analysis.sessionAffinity;
  return (spec.http ?? []).find((r) => hasHost(r, canaryHost) && !isCookieRule(r, affinity) && !isCanaryMatchRoute(r, canary));
}

/**
 * The traffic split of a VirtualService, or `undefined` when it has no weighted route or both weights are
 * 0. `mirrored` is true when the weighted HTTP route mirrors to a host.
 *
 * parity: Flagger pkg/router/istio.go GetRoutes, which takes the last route with a canary destination
 * (or, with session affinity, the destinations that set a cookie); the same route in every VirtualService
 * Flagger or Songbird writes.
 */
export function readWeights(spec: VirtualServiceSpec, canary: Canary): Weights | undefined {
  const route = weightedRoute(spec, canary);
  if (route === undefined) return undefined;
  const { primary, canary: canaryHost } = serviceNames(canary);
  const weights = { primary: weightOf(route, primary), canary: weightOf(route, canaryHost) };
  if (weights.primary === 0 && weights.canary === 0) return undefined;
  const mirrored = 'mirror' in route && route.mirror !== undefined && route.mirror.host !== '';
  return { ...weights, mirrored };
}

/**
 * The owned spec fields with everything the traffic split decides left out: destination weights, mirror
 * fields and, with session affinity, the sticky-session rules and destination headers. Empty lists and
 * maps count as absent. Two specs with the same comparable form differ only in routing.
 *
 * parity: Flagger pkg/router/istio.go reconcileVirtualService ignores the same fields with go-cmp options.
 */
export function comparableSpec(spec: VirtualServiceSpec, canary: Canary): string {
  const affinity = canary.spec.analysis.sessionAffinity;
  const stripDestination = (d: RouteDestination): RouteDestination =>
    (affinity === undefined ? { ...d, weight: undefined } : { destination: d.destination });
  const http = spec.http?.filter((r) => !isCookieRule(r, affinity))
    .map((r) => ({ ...r, mirror: undefined, mirrorPercentage: undefined, route: r.route?.map(stripDestination) }));
  const tcp = spec.tcp?.map((r) => ({ ...r, route: r.route?.map(stripDestination) }));
  return canonicalJson(withoutEmpty({ hosts: spec.hosts, gateways: spec.gateways, http, tcp }));
}

/** The owned spec fields, empty lists and maps counting as absent, for an exact comparison. */
export function ownedSpec(spec: VirtualServiceSpec | undefined): VirtualServiceSpec {
  const { hosts, gateways, http, tcp } = spec ?? {};
  return withoutEmpty({ hosts, gateways, http, tcp }) ?? {};
}
