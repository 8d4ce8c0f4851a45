/**
 * The session-affinity cookies of a run (`analysis.sessionAffinity`), kept in the Canary status.
 *
 * Contract with the reconciler, for providers whose descriptor has `sessionCookies` (routers/index.ts):
 * before calling `setRoutes(canary, weights)` it computes `sessionAffinityStatus(canary, weights)`, puts the
 * result into its status draft (persisted in the same tick) and passes the Canary with that status to
 * `setRoutes`. Routers only read the cookies.
 */
import { randomInt } from 'node:crypto';
import type { CanaryStatus } from '../api/canary-status.js';
import type { Canary } from '../api/canary.js';
import type { Weights } from './router.js';

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
