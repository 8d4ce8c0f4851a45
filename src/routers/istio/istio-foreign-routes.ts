/**
 * The user's own routes in the apex VirtualService. Songbird rewrites only the routes it manages and keeps
 * every other `http`, `tcp` and `tls` route exactly as the user wrote it, in its place, during a run and
 * after it. Pure.
 *
 * A route is managed when one of its destinations (or its mirror) names the `<svc>-primary` or
 * `<svc>-canary` host, short or qualified (`podinfo-canary`, `podinfo-canary.test.svc.cluster.local`).
 * Those are the routes Flagger and Songbird write (weighted, A/B, sticky-session, canaryMatch), so a
 * VirtualService written by Flagger is recognised as it is, and no route name is needed. A route of the
 * user's that sends traffic to those hosts itself is taken for Songbird's.
 *
 * Where the managed routes go, worked example (`service.match` empty; F = a route of the user's):
 *
 *     user's VirtualService               taken over                    during the run (canaryMatch, 90/10)
 *     F1 x-fault: abort 503 → podinfo      F1 x-fault → podinfo           F1 x-fault → podinfo
 *     F2 /admin → admin                    F2 /admin → admin              F2 /admin → admin
 *     F3 (no match) → podinfo, retries     M  podinfo-primary 100/-canary 0  M' x-canary: on → podinfo-canary
 *                                                                         M  podinfo-primary 90/-canary 10
 *
 * 1. Managed routes present: all of them are removed and the new managed routes are put where the first
 *    of them was; the user's routes keep their order around them (one the user put between two managed
 *    routes ends up after them).
 * 2. None yet (a new or taken-over VirtualService): the first route of the user's that sends everything it
 *    matches to the apex Service and matches exactly what `service.match` matches (F3 above) is the one the
 *    Canary describes, and is replaced; the rest of the spec is saved for restoring at deletion anyway.
 * 3. No such route: the managed routes go before the first route that matches every request (which would
 *    otherwise hide them), or last. Example: `service.match` `/api`, user's `[F /admin → admin, F' → podinfo]`
 *    → `[F, M (/api), F']`: `/api` is split, everything else still reaches the apex Service.
 */
import type { Canary } from '../../api/canary.js';
import { serviceNames } from '../../api/defaults.js';
import { canonicalJson } from '../../core/revision.js';
import type { IstioDestination, RouteDestination } from './istio-objects.js';
import { withoutEmpty } from '../without-empty.js';

/** What every Istio route kind (`http`, `tcp`, `tls`) has that this module reads. */
export interface AnyRoute {
  match?: readonly unknown[];
  route?: readonly RouteDestination[];
  mirror?: IstioDestination;
}

/**
 * True when `host` names the Service `name` of `namespace`, in any form Istio resolves to it.
 * Example: `podinfo`, `podinfo.test`, `podinfo.test.svc`, `podinfo.test.svc.cluster.local` name `podinfo`.
 */
export function namesService(host: string, name: string, namespace: string): boolean {
  return host === name || host === `${name}.${namespace}` || host === `${name}.${namespace}.svc` || host.startsWith(`${name}.${namespace}.svc.`);
}

function hostsOf(route: AnyRoute): string[] {
  return [...(route.route ?? []).map((d) => d.destination.host), ...(route.mirror === undefined ? [] : [route.mirror.host])];
}

/** True for a route Songbird manages: a destination or the mirror names the `-primary` or `-canary` host. */
export function isManagedRoute(route: AnyRoute, canary: Canary): boolean {
  const { primary, canary: canaryName } = serviceNames(canary);
  const namespace = canary.metadata.namespace ?? '';
  return hostsOf(route).some((host) => namesService(host, primary, namespace) || namesService(host, canaryName, namespace));
}

// A route that sends everything it matches to the apex Service, as a user's route to the app does.
function isApexRoute(route: AnyRoute, canary: Canary): boolean {
  const hosts = (route.route ?? []).map((d) => d.destination.host);
  return route.mirror === undefined && hosts.length > 0 && hosts.every((h) => namesService(h, serviceNames(canary).apex, canary.metadata.namespace ?? ''));
}

// No match, or a match entry with no condition: every request.
function matchesEverything(route: AnyRoute): boolean {
  const match = route.match ?? [];
  return match.length === 0 || match.some((m) => withoutEmpty(m) === undefined);
}

/**
 * The route list with `managed` in place of the managed routes of `existing` (see the module comment for
 * where they go); the user's routes are the very objects of `existing`, in their order. `managed` empty
 * removes Songbird's routes and keeps the user's. Example: `[F1, M1, F2, M2]` with `[N1, N2]` →
 * `[F1, N1, N2, F2]`.
 */
export function withManagedRoutes<R extends AnyRoute>(existing: readonly R[] | undefined, managed: readonly R[], canary: Canary): R[] {
  const routes = existing ?? [];
  const first = routes.findIndex((r) => isManagedRoute(r, canary));
  if (first >= 0) return [...routes.slice(0, first), ...managed, ...routes.slice(first).filter((r) => !isManagedRoute(r, canary))];
  if (managed.length === 0) return [...routes];
  const ownMatch = canonicalJson(withoutEmpty(managed[managed.length - 1]?.match) ?? null);
  const described = routes.findIndex((r) => isApexRoute(r, canary) && canonicalJson(withoutEmpty(r.match) ?? null) === ownMatch);
  if (described >= 0) return [...routes.slice(0, described), ...managed, ...routes.slice(described + 1)];
  const catchAll = routes.findIndex(matchesEverything);
  const at = catchAll >= 0 ? catchAll : routes.length;
  return [...routes.slice(0, at), ...managed, ...routes.slice(at)];
}

/** The user's routes of a list (managed ones left out), or `undefined` when there are none. */
export function foreignRoutes<R extends AnyRoute>(existing: readonly R[] | undefined, canary: Canary): R[] | undefined {
  const kept = withManagedRoutes(existing, [], canary);
  return kept.length > 0 ? kept : undefined;
}
