/**
 * Sticky canary sessions (`analysis.sessionAffinity`): the cookies kept in the Canary status and the extra
 * HTTP routes that pin a session to the side that first served it.
 *
 * The router never invents cookie values, it reads them from `canary.status`, where the reconciler drafted
 * them before `setRoutes` (see session-cookies.ts). Reconciling later rebuilds the same routes from the
 * persisted status, so a cookie stays the same for the whole run.
 */
import type { SessionAffinity } from '../../api/canary-analysis.js';
import type { Canary } from '../../api/canary.js';
import { analysisInterval, cookieMaxAge } from '../../api/defaults.js';
import type { Weights } from '../router.js';
import { buildCookie } from '../session-cookie-routing.js';
import { cookieMatches, isCookieRegexFor } from './istio-match.js';
import { cookieHeader, setCookieHeader, type HttpRoute, type IstioHeaders, type RouteDestination } from './istio-objects.js';

/** Whether an HTTP route is one of the sticky-session rules (it matches on one of the session cookies). */
export function isCookieRule(route: HttpRoute, affinity: SessionAffinity | undefined): boolean {
  if (affinity === undefined) return false;
  return (route.match ?? []).some((m) => {
    const regex = m.headers?.[cookieHeader]?.regex;
    return isCookieRegexFor(regex, affinity.cookieName) || isCookieRegexFor(regex, affinity.primaryCookieName);
  });
}

/** What {@link sessionAffinityRoutes} builds from. */
export interface StickyInput {
  canary: Canary;
  affinity: SessionAffinity;
  /** The route every sticky rule copies (match, rewrite, timeout, …) without destinations. */
  base: HttpRoute;
  /** The weighted route, with the primary destination first and the canary second. */
  weighted: HttpRoute & { route: [RouteDestination, RouteDestination] };
  weights: Weights;
}

/**
 * The HTTP routes with session affinity. While the canary gets traffic: a rule sending requests that carry
 * the canary cookie to the canary (0/100), a rule sending those with the primary cookie to the primary
 * (100/0, only with `primaryCookieName`), then the weighted route, whose destinations hand out the cookies
 * (the canary's lasts `maxAge`, default 24h; the primary's one analysis interval). At canary weight 0: a rule
 * expiring the previous canary cookie (`Max-Age=-1`), then the weighted route. Cookies come from
 * `canary.status` only; a missing one gives the plain weighted route.
 *
 * parity: Flagger pkg/router/istio.go getSessionAffinityRouteRules. Departures: the expiring cookie keeps
 * the Domain and Path it was set with (a browser ignores a deletion without them); without a previous
 * cookie no duplicate of the weighted route is added; the primary cookie's Max-Age is the effective
 * analysis interval (Flagger parses the raw field, spec §13); the Set-Cookie header is added to a copy of
 * `service.headers` (Flagger writes it into the Canary's own map).
 */
export function sessionAffinityRoutes(input: StickyInput): HttpRoute[] {
  return input.weights.canary === 0 ? expiringRoutes(input) : stickyRoutes(input);
}

// Canary weight 0: requests still carrying the last run's canary cookie are told to drop it.
function expiringRoutes({ canary, affinity, base, weighted }: StickyInput): HttpRoute[] {
  const status = canary.status ?? {};
  const expiring = status.sessionAffinityCookie ?? status.previousSessionAffinityCookie;
  if (expiring === undefined) return [weighted];
  const headers = withSetCookie(base.headers, buildCookie(affinity, expiring, -1));
  return [{ ...base, match: cookieMatches(expiring, base.match), route: weighted.route, headers }, weighted];
}

// Canary weight above 0: sessions with a cookie stay where they started, new ones are split and get one.
function stickyRoutes({ canary, affinity, base, weighted }: StickyInput): HttpRoute[] {
  const status = canary.status ?? {};
  const [primary, canaryDest] = weighted.route;
  const canaryCookie = status.sessionAffinityCookie;
  if (canaryCookie === undefined) return [weighted];
  const pinned = (cookie: string, primaryWeight: number): HttpRoute =>
    ({ ...base, match: cookieMatches(cookie, base.match), route: [{ ...primary, weight: primaryWeight }, { ...canaryDest, weight: 100 - primaryWeight }] });
  const handOut = (destination: RouteDestination, cookie: string, maxAge: number): RouteDestination =>
    ({ ...destination, headers: withSetCookie(undefined, buildCookie(affinity, cookie, maxAge)) });
  const canaryRoute = handOut(canaryDest, canaryCookie, cookieMaxAge(affinity));
  const primaryCookie = affinity.primaryCookieName === undefined ? undefined : status.primarySessionAffinityCookie;
  if (primaryCookie === undefined) return [pinned(canaryCookie, 0), { ...weighted, route: [primary, canaryRoute] }];
  const primaryRoute = handOut(primary, primaryCookie, Math.round(analysisInterval(canary) / 1000));
  return [pinned(canaryCookie, 0), pinned(primaryCookie, 100), { ...weighted, route: [primaryRoute, canaryRoute] }];
}

function withSetCookie(headers: IstioHeaders | undefined, cookie: string): IstioHeaders {
  const response = headers?.response;
  return { ...headers, response: { ...response, add: { ...response?.add, [setCookieHeader]: cookie } } };
}
