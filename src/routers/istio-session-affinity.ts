/**
 * Sticky canary sessions (`analysis.sessionAffinity`): the cookies kept in the Canary status and the extra
 * HTTP routes that pin a session to the side that first served it.
 *
 * Contract with the reconciler: the router never invents cookie values, it reads them from `canary.status`.
 * Before calling `setRoutes(canary, weights)` the reconciler computes
 * `sessionAffinityStatus(canary, weights)`, puts the result into its status draft (persisted in the same
 * tick) and passes the Canary with that status to `setRoutes`. Reconciling later rebuilds the same routes
 * from the persisted status, so a cookie stays the same for the whole run.
 */
import { randomInt } from 'node:crypto';
import type { SessionAffinity } from '../api/canary-analysis.js';
import type { CanaryStatus } from '../api/canary-status.js';
import type { Canary } from '../api/canary.js';
import { analysisInterval, cookieMaxAge } from '../api/defaults.js';
import type { Weights } from './router.js';
import { cookieMatches, isCookieRegexFor } from './istio-match.js';
import { cookieHeader, setCookieHeader, type HttpRoute, type IstioHeaders, type RouteDestination } from './istio-objects.js';

/**
 * The status fields holding the session cookies, each `name=value`. All three keys are always present, so
 * the object can be spread over a status draft; an undefined value means the field is to be removed.
 */
export type SessionAffinityStatus = {
  [K in 'sessionAffinityCookie' | 'primarySessionAffinityCookie' | 'previousSessionAffinityCookie']: CanaryStatus[K] | undefined;
};

const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Ten random ASCII letters, the value part of a new session cookie (as Flagger's randSeq). */
export function randomCookieValue(): string {
  return Array.from({ length: 10 }, () => letters[randomInt(letters.length)]).join('');
}

/**
 * The session-cookie status fields after routing `weights`. While the canary gets traffic the run keeps its
 * cookies (new ones are made for a run that has none, or whose cookie names changed); when the canary weight
 * drops to 0 the canary cookie becomes the previous one, which the routes then expire, and the run's cookies
 * are cleared. Without `sessionAffinity` the fields are returned unchanged.
 *
 * Example: cookieName `c`, weights 90/10, empty status → `{ sessionAffinityCookie: 'c=<10 letters>' }`;
 * then weights 100/0 → `{ previousSessionAffinityCookie: 'c=<same letters>' }`.
 *
 * parity: Flagger pkg/router/istio.go getSessionAffinityRouteRules mutates the status inside SetRoutes,
 * always makes a primary cookie (named `=…` without primaryCookieName) and never clears it (spec §13).
 */
export function sessionAffinityStatus(canary: Canary, weights: Weights, newValue: () => string = randomCookieValue): SessionAffinityStatus {
  const status = canary.status ?? {};
  const current: SessionAffinityStatus = {
    sessionAffinityCookie: status.sessionAffinityCookie,
    primarySessionAffinityCookie: status.primarySessionAffinityCookie,
    previousSessionAffinityCookie: status.previousSessionAffinityCookie,
  };
  const affinity = canary.spec.analysis.sessionAffinity;
  if (affinity === undefined) return current;
  if (weights.canary === 0) {
    const previous = current.sessionAffinityCookie ?? current.previousSessionAffinityCookie;
    return { sessionAffinityCookie: undefined, primarySessionAffinityCookie: undefined, previousSessionAffinityCookie: previous };
  }
  const primaryName = affinity.primaryCookieName;
  return {
    sessionAffinityCookie: keepOrMake(current.sessionAffinityCookie, affinity.cookieName, newValue),
    primarySessionAffinityCookie: primaryName === undefined ? undefined : keepOrMake(current.primarySessionAffinityCookie, primaryName, newValue),
    previousSessionAffinityCookie: current.previousSessionAffinityCookie,
  };
}

function keepOrMake(cookie: string | undefined, name: string, newValue: () => string): string {
  return cookie?.startsWith(`${name}=`) === true ? cookie : `${name}=${newValue()}`;
}

/**
 * A `Set-Cookie` value: `<name=value>; Max-Age=<maxAge>` plus the attributes of `affinity`, in Flagger's
 * order. Example: `c=abc`, 300, `{ path: '/app', secure: true }` → `c=abc; Max-Age=300; Path=/app; Secure`.
 */
export function buildCookie(affinity: SessionAffinity, cookie: string, maxAge: number): string {
  const attributes = [
    `Max-Age=${maxAge}`,
    affinity.domain ? `Domain=${affinity.domain}` : undefined,
    affinity.httpOnly === true ? 'HttpOnly' : undefined,
    affinity.partitioned === true ? 'Partitioned' : undefined,
    affinity.path ? `Path=${affinity.path}` : undefined,
    affinity.sameSite ? `SameSite=${affinity.sameSite}` : undefined,
    affinity.secure === true ? 'Secure' : undefined,
  ];
  return [cookie, ...attributes.filter((a) => a !== undefined)].join('; ');
}

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
