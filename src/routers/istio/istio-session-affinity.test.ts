import { describe, expect, it } from 'vitest';
import type { SessionAffinity } from '../../api/canary-analysis.js';
import type { CanaryStatus } from '../../api/canary-status.js';
import { desiredHttpRoutes } from './istio-desired.js';
import type { HttpRoute } from './istio-objects.js';
import { buildCookie } from '../session-cookie-routing.js';
import { isCookieRule } from './istio-session-affinity.js';
import { randomCookieValue, sessionAffinityStatus } from '../session-cookies.js';
import { istioCanary } from '../../../test/fixtures/istio-fixtures.js';
import type { Weights } from '../router.js';

const split = (primary: number, canary: number): Weights => ({ primary, canary, mirrored: false });
const affinity: SessionAffinity = { cookieName: 'flagger-cookie', maxAge: 300 };
const withPrimary: SessionAffinity = { cookieName: 'canary-flagger-cookie', primaryCookieName: 'primary-flagger-cookie', maxAge: 300 };
const plain = istioCanary({ service: { match: [], headers: undefined, corsPolicy: undefined, retries: undefined, gateways: undefined } });
const sticky = (a: SessionAffinity, status: CanaryStatus, interval = '1m'): ReturnType<typeof istioCanary> =>
  ({ ...plain, spec: { ...plain.spec, analysis: { ...plain.spec.analysis, interval, sessionAffinity: a } }, status });
const dest = (host: string, weight: number, cookie?: string): object =>
  ({ destination: { host }, weight, ...(cookie === undefined ? {} : { headers: { response: { add: { 'Set-Cookie': cookie } } } }) });
const cookieMatch = (cookie: string, value: string): object[] => [{ headers: { Cookie: { regex: `.*${cookie}.*${value}.*` } } }];

describe('sessionAffinityStatus', () => {
  const next = (): string => 'NewValueAb';

  it.each<[string, SessionAffinity | undefined, CanaryStatus, Weights, CanaryStatus]>([
    ['makes a canary cookie when the canary first gets traffic', affinity, {}, split(90, 10),
      { sessionAffinityCookie: 'flagger-cookie=NewValueAb' }],
    ["keeps the run's cookie while the canary gets traffic", affinity, { sessionAffinityCookie: 'flagger-cookie=OldValueAb' }, split(50, 50),
      { sessionAffinityCookie: 'flagger-cookie=OldValueAb' }],
    ['makes a primary cookie too with primaryCookieName', withPrimary, {}, split(90, 10),
      { sessionAffinityCookie: 'canary-flagger-cookie=NewValueAb', primarySessionAffinityCookie: 'primary-flagger-cookie=NewValueAb' }],
    ['replaces a cookie whose name is no longer the configured one', affinity, { sessionAffinityCookie: 'renamed=OldValueAb' }, split(90, 10),
      { sessionAffinityCookie: 'flagger-cookie=NewValueAb' }],
    ['keeps the previous cookie while a new run routes to the canary', affinity, { previousSessionAffinityCookie: 'flagger-cookie=Prev' }, split(90, 10),
      { sessionAffinityCookie: 'flagger-cookie=NewValueAb', previousSessionAffinityCookie: 'flagger-cookie=Prev' }],
    ['moves the canary cookie to previous and clears the run cookies at weight 0', withPrimary,
      { sessionAffinityCookie: 'canary-flagger-cookie=Run', primarySessionAffinityCookie: 'primary-flagger-cookie=P', previousSessionAffinityCookie: 'x=old' },
      split(100, 0), { previousSessionAffinityCookie: 'canary-flagger-cookie=Run' }],
    ['keeps the previous cookie at weight 0 between runs', affinity, { previousSessionAffinityCookie: 'flagger-cookie=Prev' }, split(100, 0),
      { previousSessionAffinityCookie: 'flagger-cookie=Prev' }],
    ['leaves the fields as they are without session affinity', undefined, { sessionAffinityCookie: 'c=v' }, split(90, 10),
      { sessionAffinityCookie: 'c=v' }],
  ])('%s', (...[, a, status, weights, expected]) => {
    const canary = a === undefined ? { ...plain, status } : sticky(a, status);
    const result = sessionAffinityStatus(canary, weights, next);
    expect(Object.fromEntries(Object.entries(result).filter(([, v]) => v !== undefined))).toEqual(expected);
    expect(canary.status).toEqual(status);
  });

  it('returns all three fields, so that spreading the result over a status clears the run cookies', () => {
    const canary = sticky(withPrimary, { sessionAffinityCookie: 'canary-flagger-cookie=Run', primarySessionAffinityCookie: 'primary-flagger-cookie=P' });
    expect({ ...canary.status, ...sessionAffinityStatus(canary, split(100, 0), next) }).toStrictEqual({
      sessionAffinityCookie: undefined, primarySessionAffinityCookie: undefined, previousSessionAffinityCookie: 'canary-flagger-cookie=Run',
    });
    expect(Object.keys(sessionAffinityStatus(sticky(affinity, {}), split(90, 10), next))).toHaveLength(3);
  });

  it('makes cookie values of ten random letters', () => {
    const values = new Set(Array.from({ length: 20 }, randomCookieValue));
    expect([...values].every((v) => /^[a-zA-Z]{10}$/.test(v))).toBe(true);
    expect(values.size).toBeGreaterThan(1);
  });
});

describe('buildCookie', () => {
  it.each<[string, SessionAffinity, number, string]>([
    ['sets only Max-Age by default', { cookieName: 'c' }, 86400, 'c=v; Max-Age=86400'],
    ['adds every attribute in order', { cookieName: 'c', domain: 'flagger.app', httpOnly: true, partitioned: true, path: '/app', sameSite: 'Strict', secure: true },
      300, 'c=v; Max-Age=300; Domain=flagger.app; HttpOnly; Partitioned; Path=/app; SameSite=Strict; Secure'],
    ['leaves out false flags and empty values', { cookieName: 'c', domain: '', httpOnly: false, secure: false }, 5, 'c=v; Max-Age=5'],
    ['expires a cookie with Max-Age -1', { cookieName: 'c', path: '/app' }, -1, 'c=v; Max-Age=-1; Path=/app'],
  ])('%s', (_name, a, maxAge, expected) => {
    expect(buildCookie(a, 'c=v', maxAge)).toBe(expected);
  });
});

describe('session affinity routes (Flagger getSessionAffinityRoutes)', () => {
  it('without a primary cookie: a sticky canary rule, then the weighted route handing out the canary cookie', () => {
    const routes = desiredHttpRoutes(sticky(affinity, { sessionAffinityCookie: 'flagger-cookie=AbCdEfGhIj' }), split(90, 10));
    expect(routes).toEqual([
      { match: cookieMatch('flagger-cookie', 'AbCdEfGhIj'), route: [dest('podinfo-primary', 0), dest('podinfo-canary', 100)] },
      { route: [dest('podinfo-primary', 90), dest('podinfo-canary', 10, 'flagger-cookie=AbCdEfGhIj; Max-Age=300')] },
    ]);
  });

  it("with a primary cookie: sticky canary and primary rules; the primary cookie lasts one analysis interval", () => {
    const status = { sessionAffinityCookie: 'canary-flagger-cookie=Cc', primarySessionAffinityCookie: 'primary-flagger-cookie=Pp' };
    const routes = desiredHttpRoutes(sticky(withPrimary, status, '15s'), split(90, 10));
    expect(routes).toEqual([
      { match: cookieMatch('canary-flagger-cookie', 'Cc'), route: [dest('podinfo-primary', 0), dest('podinfo-canary', 100)] },
      { match: cookieMatch('primary-flagger-cookie', 'Pp'), route: [dest('podinfo-primary', 100), dest('podinfo-canary', 0)] },
      { route: [dest('podinfo-primary', 90, 'primary-flagger-cookie=Pp; Max-Age=15'), dest('podinfo-canary', 10, 'canary-flagger-cookie=Cc; Max-Age=300')] },
    ]);
  });

  it('at canary weight 0: a rule expiring the previous cookie (with its Path), then the weighted route without cookies', () => {
    const routes = desiredHttpRoutes(sticky({ ...affinity, path: '/app' }, { previousSessionAffinityCookie: 'flagger-cookie=Old' }), split(100, 0));
    expect(routes).toEqual([
      { match: cookieMatch('flagger-cookie', 'Old'), route: [dest('podinfo-primary', 100), dest('podinfo-canary', 0)],
        headers: { response: { add: { 'Set-Cookie': 'flagger-cookie=Old; Max-Age=-1; Path=/app' } } } },
      { route: [dest('podinfo-primary', 100), dest('podinfo-canary', 0)] },
    ]);
  });

  it('at canary weight 0 expires the run cookie when the status still holds it', () => {
    const [expiry] = desiredHttpRoutes(sticky(affinity, { sessionAffinityCookie: 'flagger-cookie=Run' }), split(100, 0));
    expect(expiry?.headers?.response?.add).toEqual({ 'Set-Cookie': 'flagger-cookie=Run; Max-Age=-1' });
  });

  it.each<[string, CanaryStatus, Weights]>([
    ['at canary weight 0 with no cookie to expire', {}, split(100, 0)],
    ['when the status holds no cookie for the run', {}, split(90, 10)],
  ])('writes the weighted route alone %s', (_name, status, weights) => {
    expect(desiredHttpRoutes(sticky(affinity, status), weights)).toEqual([
      { route: [dest('podinfo-primary', weights.primary), dest('podinfo-canary', weights.canary)] },
    ]);
  });

  it("keeps the service match and headers in the sticky rules, adding Set-Cookie to a copy of the service's headers", () => {
    const base = istioCanary({ analysis: { sessionAffinity: affinity }, status: { previousSessionAffinityCookie: 'flagger-cookie=Old' } });
    const before = structuredClone(base);
    const [expiry] = desiredHttpRoutes(base, split(100, 0));
    expect(expiry?.match).toEqual([{ name: 'podinfo', uri: { prefix: '/podinfo' }, method: { exact: 'GET' }, ignoreUriCase: true,
      headers: { Cookie: { regex: '.*flagger-cookie.*Old.*' } } }]);
    expect(expiry?.headers).toEqual({
      request: { add: { 'x-envoy-upstream-rq-timeout-ms': '15000' }, remove: ['test'] },
      response: { remove: ['token'], add: { 'Set-Cookie': 'flagger-cookie=Old; Max-Age=-1' } },
    });
    expect(base).toEqual(before);
  });

  it('keeps the mirror on the weighted route, not on a sticky rule', () => {
    const routes = desiredHttpRoutes(sticky(affinity, { previousSessionAffinityCookie: 'flagger-cookie=Old' }), { primary: 100, canary: 0, mirrored: true });
    expect(routes.map((r) => r.mirror)).toEqual([undefined, { host: 'podinfo-canary' }]);
  });
});

describe('isCookieRule', () => {
  const rule = (regex: string): HttpRoute => ({ match: [{ uri: { prefix: '/' } }, { headers: { Cookie: { regex } } }] });

  it.each<[string, HttpRoute, SessionAffinity | undefined, boolean]>([
    ['recognises the sticky canary rule', rule('.*canary-flagger-cookie.*abc.*'), withPrimary, true],
    ['recognises the sticky primary rule', rule('.*primary-flagger-cookie.*abc.*'), withPrimary, true],
    ['does not take a route matching another cookie for a sticky rule', rule('.*session.*abc.*'), withPrimary, false],
    ['does not take a route without matches for a sticky rule', {}, withPrimary, false],
    ['recognises nothing without session affinity', rule('.*canary-flagger-cookie.*abc.*'), undefined, false],
  ])('%s', (_name, route, a, expected) => {
    expect(isCookieRule(route, a)).toBe(expected);
  });
});
