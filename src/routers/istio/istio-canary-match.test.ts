import { describe, expect, it } from 'vitest';
import { desiredHttpRoutes } from './istio-desired.js';
import { canaryCookieRegex, canaryMatchCondition } from './istio-canary-match.js';
import { comparableSpec, readWeights } from './istio-routes.js';
import { istioCanary } from './istio-test-fixtures.js';
import type { Weights } from '../router.js';

const split = (primary: number, canary: number, mirrored = false): Weights => ({ primary, canary, mirrored });
const byHeader = istioCanary({ analysis: { canaryMatch: { header: { name: 'X-Canary', exact: 'on' } } } });

describe('canaryMatch on Istio', () => {
  it('puts a route to the canary alone before the weighted route while the canary weight is above 0', () => {
    const [first, weighted, ...rest] = desiredHttpRoutes(byHeader, split(90, 10));
    expect(rest).toEqual([]);
    expect(first?.match).toEqual([{ name: 'podinfo', uri: { prefix: '/podinfo' }, method: { exact: 'GET' }, ignoreUriCase: true, headers: { 'x-canary': { exact: 'on' } } }]);
    expect(first?.route).toEqual([{ destination: { host: 'podinfo-canary', port: { number: 9898 } }, weight: 100 }]);
    expect(first?.retries).toEqual(byHeader.spec.service?.retries);
    expect(weighted?.route?.map((d) => d.weight)).toEqual([90, 10]);
  });

  it('writes no such route at weight 0, nor at the mirror step', () => {
    const plain = istioCanary();
    expect(desiredHttpRoutes(byHeader, split(100, 0))).toEqual(desiredHttpRoutes(plain, split(100, 0)));
    expect(desiredHttpRoutes(byHeader, split(100, 0, true))).toEqual(desiredHttpRoutes(plain, split(100, 0, true)));
  });

  it('reads the split from the weighted route, not from the canaryMatch route', () => {
    expect(readWeights({ http: desiredHttpRoutes(byHeader, split(70, 30)) }, byHeader)).toEqual(split(70, 30));
  });

  it('goes before the sticky-session rules', () => {
    const canary = istioCanary({ analysis: { canaryMatch: { cookie: { name: 'canary' } }, sessionAffinity: { cookieName: 'c' } }, status: { sessionAffinityCookie: 'c=Cc' } });
    const routes = desiredHttpRoutes(canary, split(90, 10));
    expect(routes).toHaveLength(3);
    expect(routes[0]?.match?.[0]?.headers).toEqual({ cookie: { regex: canaryCookieRegex('canary') } });
    expect(readWeights({ http: routes }, canary)).toEqual(split(90, 10));
  });

  it('tells a change of canaryMatch apart mid-run, so reconcile rewrites it', () => {
    const other = istioCanary({ analysis: { canaryMatch: { header: { name: 'X-Canary', prefix: 'o' } } } });
    expect(comparableSpec({ http: desiredHttpRoutes(byHeader, split(90, 10)) }, byHeader))
      .not.toBe(comparableSpec({ http: desiredHttpRoutes(other, split(90, 10)) }, other));
  });

  it.each<[string, Parameters<typeof canaryMatchCondition>[0], unknown]>([
    ['an exact header', { header: { name: 'X-Canary', exact: 'on' } }, { headers: { 'x-canary': { exact: 'on' } } }],
    ['a header prefix', { header: { name: 'x-canary', prefix: 'on' } }, { headers: { 'x-canary': { prefix: 'on' } } }],
    ['a header regex', { header: { name: 'x-canary', regex: 'o(n|k)' } }, { headers: { 'x-canary': { regex: 'o(n|k)' } } }],
    ['a cookie', { cookie: { name: 'my.canary' } }, { headers: { cookie: { regex: '^(.*;\\s*)?my\\.canary=always(;.*)?$' } } }],
  ])('matches %s', (_case, match, expected) => {
    expect(canaryMatchCondition(match)).toEqual(expected);
  });

  it('matches the cookie <name>=always anywhere in the Cookie header, and nothing else', () => {
    const regex = new RegExp(canaryCookieRegex('canary'));
    for (const header of ['canary=always', 'a=1; canary=always', 'canary=always; b=2', 'a=1;canary=always;b=2']) expect(regex.test(header), header).toBe(true);
    for (const header of ['mycanary=always', 'canary=never', 'canary=alwaysnot', 'x=canary=always']) expect(regex.test(header), header).toBe(false);
  });
});
