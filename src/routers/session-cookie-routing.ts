/**
 * What the routers that pin sessions with cookies share (Istio, Gateway API): the `Cookie` header regex of a
 * session cookie, the `Set-Cookie` value, and whether the status holds the cookies a run needs.
 */
import type { SessionAffinity } from '../api/canary-analysis.js';
import type { Canary } from '../api/canary.js';
import type { Weights } from './router.js';

/** `text` with every RE2 metacharacter escaped, so that it matches itself literally. */
export function escapeRegex(text: string): string {
  return text.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

/**
 * The `Cookie` header regex that recognises a session cookie `name=value`.
 * Example: `canary-cookie=AbCdEfGhIj` → `.*canary-cookie.*AbCdEfGhIj.*`.
 *
 * parity: Flagger pkg/router/istio.go getSessionAffinityRouteRules, same pattern; the name is escaped
 * here, since cookie names may contain regex metacharacters such as `.`.
 */
export function cookieRegex(cookie: string): string {
  const [name = '', value = ''] = splitCookie(cookie);
  return `.*${escapeRegex(name)}.*${escapeRegex(value)}.*`;
}

/** Whether a `Cookie` header regex was made by {@link cookieRegex} for a cookie named `name`. */
export function isCookieRegexFor(regex: string | undefined, name: string | undefined): boolean {
  if (regex === undefined || name === undefined || name === '') return false;
  return regex.startsWith(`.*${escapeRegex(name)}.*`);
}

function splitCookie(cookie: string): [string, string] {
  const at = cookie.indexOf('=');
  return at < 0 ? [cookie, ''] : [cookie.slice(0, at), cookie.slice(at + 1)];
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

/**
 * Why `setRoutes` cannot hand out session cookies for `weights`: with `sessionAffinity` on an HTTP,
 * non-A/B canary and canary weight above 0, the status must hold the run's cookies.
 */
export function missingSessionCookie(canary: Canary, weights: Weights): string | undefined {
  const affinity = canary.spec.analysis.sessionAffinity;
  if (affinity === undefined || weights.canary === 0 || canary.spec.service?.appProtocol?.toLowerCase() === 'tcp' || (canary.spec.analysis.match ?? []).length > 0) return undefined;
  const status = canary.status ?? {};
  const needed = [
    [affinity.cookieName, status.sessionAffinityCookie, 'sessionAffinityCookie'],
    [affinity.primaryCookieName, status.primarySessionAffinityCookie, 'primarySessionAffinityCookie'],
  ] as const;
  const missing = needed.filter(([name, cookie]) => name !== undefined && cookie?.startsWith(`${name}=`) !== true).map(([, , field]) => field);
  if (missing.length === 0) return undefined;
  return `session affinity needs status.${missing.join(' and status.')} before routing to the canary (see sessionAffinityStatus)`;
}
