import { describe, expect, it } from 'vitest';
import { desiredHttpRoute, desiredRules, desiredSpec, parentRefs } from './gatewayapi-desired.js';
import { RouterConfigError } from '../../errors.js';
import { gatewayAbCanary, gatewayCanary } from '../../../test/fixtures/gatewayapi-fixtures.js';
import { ALL_PRIMARY, type Weights } from '../router.js';

const split = (primary: number, canary: number, mirrored = false): Weights => ({ primary, canary, mirrored });
const primaryRef = (weight: number): object => ({ group: '', kind: 'Service', name: 'podinfo-primary', port: 9898, weight });
const canaryRef = (weight: number): object => ({ group: '', kind: 'Service', name: 'podinfo-canary', port: 9898, weight });
const prefix = { path: { type: 'PathPrefix', value: '/podinfo' } };

describe('desiredHttpRoute', () => {
  it('writes the apex HTTPRoute in the provider version with parentRefs, hostnames and a weighted rule (Flagger Reconcile)', () => {
    const route = desiredHttpRoute(gatewayCanary(), 'v1beta1');
    expect(route).toEqual({
      apiVersion: 'gateway.networking.k8s.io/v1beta1',
      kind: 'HTTPRoute',
      metadata: {
        name: 'podinfo', namespace: 'default', labels: {},
        annotations: { 'kustomize.toolkit.fluxcd.io/reconcile': 'disabled', 'helm.toolkit.fluxcd.io/driftDetection': 'disabled' },
        ownerReferences: [expect.objectContaining({ kind: 'Canary', name: 'podinfo', controller: true })],
      },
      spec: {
        parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'podinfo', namespace: 'public-gateway' }],
        hostnames: ['www.example.com'],
        rules: [{ matches: [prefix], backendRefs: [primaryRef(100), canaryRef(0)] }],
      },
    });
    expect(desiredHttpRoute(gatewayCanary(), 'v1').apiVersion).toBe('gateway.networking.k8s.io/v1');
  });

  it('defaults the match to PathPrefix / and leaves out hostnames when the Canary has none', () => {
    const spec = desiredSpec(gatewayCanary({ service: { match: undefined, hosts: undefined } }));
    expect(spec.hostnames).toBeUndefined();
    expect(spec.rules?.[0]?.matches).toEqual([{ path: { type: 'PathPrefix', value: '/' } }]);
  });

  it('keeps explicit parentRef fields and fills in group and kind', () => {
    const canary = gatewayCanary({ service: { gatewayRefs: [{ name: 'gw', sectionName: 'https', port: 443, kind: 'ListenerSet', group: 'example.io' }] } });
    expect(parentRefs(canary)).toEqual([{ group: 'example.io', kind: 'ListenerSet', name: 'gw', sectionName: 'https', port: 443 }]);
  });
});

describe('desiredRules', () => {
  it('copies timeouts, header modifiers sorted by name, URL rewrite, static mirrors and CORS into the rule', () => {
    const canary = gatewayCanary({ service: {
      timeout: '30s', backendTimeout: '10s',
      headers: { request: { set: { 'x-b': '2', 'x-a': '1' }, remove: ['x-drop'] }, response: { add: { 'x-served-by': 'songbird' } } },
      rewrite: { uri: '/', type: 'ReplacePrefixMatch', authority: 'internal.example.com' },
      mirror: [{ backendRef: { name: 'shadow', port: 8080 } }],
      corsPolicy: { allowOrigin: ['https://a.example.com'], allowOrigins: [{ exact: 'https://b.example.com' }, { regex: '.*' }], allowMethods: ['GET'], maxAge: '1m', allowCredentials: true },
    } });
    const [rule] = desiredRules(canary, split(90, 10));
    expect(rule).toEqual({
      matches: [prefix],
      timeouts: { request: '30s', backendRequest: '10s' },
      filters: [
        { type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x-a', value: '1' }, { name: 'x-b', value: '2' }], remove: ['x-drop'] } },
        { type: 'ResponseHeaderModifier', responseHeaderModifier: { add: [{ name: 'x-served-by', value: 'songbird' }] } },
        { type: 'URLRewrite', urlRewrite: { hostname: 'internal.example.com', path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' } } },
        { type: 'RequestMirror', requestMirror: { backendRef: { group: '', kind: 'Service', name: 'shadow', port: 8080 } } },
        { type: 'CORS', cors: { allowOrigins: ['https://a.example.com', 'https://b.example.com'], allowMethods: ['GET'], maxAge: 60, allowCredentials: true } },
      ],
      backendRefs: [primaryRef(90), canaryRef(10)],
    });
  });

  it('writes the CRD default CORS maxAge of 5 seconds when the Canary sets none, and a full-path rewrite by default', () => {
    const [rule] = desiredRules(gatewayCanary({ service: { corsPolicy: { allowMethods: ['GET'] }, rewrite: { uri: '/v2' } } }), ALL_PRIMARY);
    expect(rule?.filters).toEqual([
      { type: 'URLRewrite', urlRewrite: { path: { type: 'ReplaceFullPath', replaceFullPath: '/v2' } } },
      { type: 'CORS', cors: { allowMethods: ['GET'], maxAge: 5 } },
    ]);
  });

  it('mirrors to the canary with percent = mirrorWeight when the split is mirrored (Blue/Green)', () => {
    const canary = gatewayCanary({ analysis: { stepWeight: undefined, iterations: 5, mirror: true, mirrorWeight: 25 } });
    const [rule] = desiredRules(canary, split(100, 0, true));
    expect(rule?.filters).toEqual([
      { type: 'RequestMirror', requestMirror: { backendRef: { group: '', kind: 'Service', name: 'podinfo-canary', port: 9898 }, percent: 25 } },
    ]);
    expect(desiredRules(canary, split(100, 0))[0]?.filters).toBeUndefined();
  });

  it('mirrors every request, with no percent, when mirrorWeight is 0', () => {
    const canary = gatewayCanary({ analysis: { stepWeight: undefined, iterations: 5, mirror: true, mirrorWeight: 0 } });
    expect(desiredRules(canary, split(100, 0, true))[0]?.filters).toStrictEqual([
      { type: 'RequestMirror', requestMirror: { backendRef: { group: '', kind: 'Service', name: 'podinfo-canary', port: 9898 } } },
    ]);
  });

  it('routes the A/B conditions within each service match to the split and everything else to the primary', () => {
    const canary = gatewayAbCanary({ service: { match: [{ uri: { prefix: '/podinfo' }, headers: { 'X-Canary': { exact: 'no' } } }] }, analysis: {
      match: [{ headers: { 'x-canary': { exact: 'insider' } } }, { headers: { 'user-agent': { regex: '.*Firefox.*' }, 'x-tier': { prefix: 'beta' } }, queryParams: { v: { exact: '2' } } }],
    } });
    expect(desiredRules(canary, split(0, 100))).toEqual([
      {
        matches: [
          { ...prefix, headers: [{ type: 'Exact', name: 'x-canary', value: 'insider' }] },
          { ...prefix, headers: [{ type: 'Exact', name: 'X-Canary', value: 'no' }, { type: 'RegularExpression', name: 'user-agent', value: '.*Firefox.*' },
            { type: 'RegularExpression', name: 'x-tier', value: '^beta.*' }], queryParams: [{ type: 'Exact', name: 'v', value: '2' }] },
        ],
        backendRefs: [primaryRef(0), canaryRef(100)],
      },
      { matches: [{ ...prefix, headers: [{ type: 'Exact', name: 'X-Canary', value: 'no' }] }], backendRefs: [primaryRef(100)] },
    ]);
  });

  it('refuses, naming the field, what an HTTPRoute match cannot express', () => {
    const sourceLabels = gatewayAbCanary({ analysis: { match: [{ sourceLabels: { app: 'tester' } }] } });
    expect(() => desiredRules(sourceLabels, ALL_PRIMARY)).toThrow(new RouterConfigError('spec.analysis.match[0].sourceLabels', 'cannot be expressed in an HTTPRoute match'));
    const authority = gatewayCanary({ service: { match: [{ uri: { prefix: '/' } }, { authority: { exact: 'a.example.com' } }] } });
    expect(() => desiredRules(authority, ALL_PRIMARY)).toThrow('spec.service.match[1].authority: cannot be expressed in an HTTPRoute match');
    const method = gatewayCanary({ service: { match: [{ method: { regex: 'GET|HEAD' } }] } });
    expect(() => desiredRules(method, ALL_PRIMARY)).toThrow('spec.service.match[0].method: must be an exact match in an HTTPRoute');
  });

  it('refuses a backend timeout longer than the request timeout, naming the field (the CRD would refuse the write)', () => {
    expect(() => desiredRules(gatewayCanary({ service: { timeout: '5s', backendTimeout: '10s' } }), ALL_PRIMARY))
      .toThrow('spec.service.backendTimeout: 10s is longer than service.timeout 5s');
    expect(desiredRules(gatewayCanary({ service: { timeout: '0s', backendTimeout: '10s' } }), ALL_PRIMARY)[0]?.timeouts).toEqual({ request: '0s', backendRequest: '10s' });
  });

  it('translates service uri matches: exact, prefix and regex paths, exact methods', () => {
    const canary = gatewayCanary({ service: { match: [{ uri: { exact: '/a' }, method: { exact: 'POST' } }, { uri: { regex: '/b/[0-9]+' } }] } });
    expect(desiredRules(canary, ALL_PRIMARY)[0]?.matches).toEqual([
      { path: { type: 'Exact', value: '/a' }, method: 'POST' },
      { path: { type: 'RegularExpression', value: '/b/[0-9]+' } },
    ]);
  });
});

describe('desiredRules with session affinity', () => {
  const affinity = { cookieName: 'canary-cookie', maxAge: 3600, path: '/' };
  const status = { sessionAffinityCookie: 'canary-cookie=AbCdEfGhIj' };
  const cookieMatch = { ...prefix, headers: [{ type: 'RegularExpression', name: 'Cookie', value: '.*canary-cookie.*AbCdEfGhIj.*' }] };

  it('pins sessions with the canary cookie to the canary and hands the cookie out from the canary backend', () => {
    const canary = gatewayCanary({ analysis: { sessionAffinity: affinity }, status });
    expect(desiredRules(canary, split(90, 10))).toEqual([
      { matches: [cookieMatch], backendRefs: [canaryRef(100)] },
      {
        matches: [prefix],
        backendRefs: [primaryRef(90), { ...canaryRef(10), filters: [{ type: 'ResponseHeaderModifier', responseHeaderModifier: {
          add: [{ name: 'Set-Cookie', value: 'canary-cookie=AbCdEfGhIj; Max-Age=3600; Path=/' }],
        } }] }],
      },
    ]);
  });

  it('hands out the primary cookie for one analysis interval with primaryCookieName', () => {
    const canary = gatewayCanary({ analysis: { sessionAffinity: { ...affinity, primaryCookieName: 'primary-cookie' } },
      status: { ...status, primarySessionAffinityCookie: 'primary-cookie=ZyXwVuTsRq' } });
    const rules = desiredRules(canary, split(90, 10));
    expect(rules).toHaveLength(3);
    expect(rules[1]?.backendRefs).toEqual([primaryRef(100)]);
    expect(rules[2]?.backendRefs?.[0]?.filters?.[0]?.responseHeaderModifier?.add).toEqual([{ name: 'Set-Cookie', value: 'primary-cookie=ZyXwVuTsRq; Max-Age=60; Path=/' }]);
  });

  it('ignores a primary cookie in the status when primaryCookieName is not set', () => {
    const canary = gatewayCanary({ analysis: { sessionAffinity: affinity }, status: { ...status, primarySessionAffinityCookie: 'primary-cookie=ZyXwVuTsRq' } });
    const rules = desiredRules(canary, split(90, 10));
    expect(rules.map((r) => r.backendRefs?.map((b) => b.weight))).toEqual([[100], [90, 10]]);
    expect(rules[1]?.backendRefs?.[0]).toEqual(primaryRef(90));
  });

  it('expires the previous canary cookie once the canary weight is back to 0', () => {
    const canary = gatewayCanary({ analysis: { sessionAffinity: affinity }, status: { previousSessionAffinityCookie: 'canary-cookie=AbCdEfGhIj' } });
    expect(desiredRules(canary, ALL_PRIMARY)).toEqual([
      { matches: [cookieMatch], backendRefs: [primaryRef(100), canaryRef(0)], filters: [{ type: 'ResponseHeaderModifier', responseHeaderModifier: {
        add: [{ name: 'Set-Cookie', value: 'canary-cookie=AbCdEfGhIj; Max-Age=-1; Path=/' }],
      } }] },
      { matches: [prefix], backendRefs: [primaryRef(100), canaryRef(0)] },
    ]);
  });
});

describe('desiredRules with session affinity and filters of its own', () => {
  const affinity = { cookieName: 'canary-cookie', maxAge: 3600, path: '/' };
  const service = {
    headers: { request: { remove: ['x-drop'] }, response: { add: { 'x-served-by': 'songbird', 'Set-Cookie': 'stale=1' } } }, mirror: [{ backendRef: { name: 'shadow', port: 8080 } }],
  };
  const dropped = { type: 'RequestHeaderModifier', requestHeaderModifier: { remove: ['x-drop'] } };
  const served = { name: 'x-served-by', value: 'songbird' };
  const shadow = { type: 'RequestMirror', requestMirror: { backendRef: { group: '', kind: 'Service', name: 'shadow', port: 8080 } } };

  it.each<[string, Weights]>([['90/10', split(90, 10)], ['100/0', ALL_PRIMARY]])(
    'writes the weighted rule alone at %s when the status holds no cookie yet, or affinity is off', (_name, weights) => {
      const noCookie = desiredRules(gatewayCanary({ analysis: { sessionAffinity: affinity } }), weights);
      const affinityOff = desiredRules(gatewayCanary({ status: { sessionAffinityCookie: 'canary-cookie=AbCdEfGhIj', previousSessionAffinityCookie: 'canary-cookie=Old' } }), weights);
      expect(noCookie.map((r) => r.backendRefs)).toEqual([[primaryRef(weights.primary), canaryRef(weights.canary)]]);
      expect(affinityOff).toEqual(noCookie);
    });

  it('keeps the user filters on the pinned rule but does not mirror canary-pinned traffic to the canary again', () => {
    const canary = gatewayCanary({ service, analysis: { sessionAffinity: affinity, mirrorWeight: 20 }, status: { sessionAffinityCookie: 'canary-cookie=AbCdEfGhIj' } });
    const [pinned, weighted] = desiredRules(canary, split(90, 10, true));
    expect(pinned?.backendRefs).toEqual([canaryRef(100)]);
    expect(pinned?.filters).toEqual([
      dropped, { type: 'ResponseHeaderModifier', responseHeaderModifier: { add: [{ name: 'Set-Cookie', value: 'stale=1' }, served] } }, shadow,
    ]);
    expect(weighted?.filters?.at(-1)).toEqual({ type: 'RequestMirror', requestMirror: { backendRef: { group: '', kind: 'Service', name: 'podinfo-canary', port: 9898 }, percent: 20 } });
  });

  it("expires the previous cookie through the user's response header modifier, replacing any Set-Cookie it had", () => {
    const canary = gatewayCanary({ service, analysis: { sessionAffinity: affinity }, status: { previousSessionAffinityCookie: 'canary-cookie=AbCdEfGhIj' } });
    const [expiring] = desiredRules(canary, ALL_PRIMARY);
    expect(expiring?.filters).toEqual([
      dropped, { type: 'ResponseHeaderModifier', responseHeaderModifier: { add: [served, { name: 'Set-Cookie', value: 'canary-cookie=AbCdEfGhIj; Max-Age=-1; Path=/' }] } }, shadow,
    ]);
  });
});

describe('desiredRules with analysis.canaryMatch (Songbird extension)', () => {
  it('sends requests with the header to the canary alone while its weight is above 0, and writes no such rule at 0', () => {
    const canary = gatewayCanary({ analysis: { canaryMatch: { header: { name: 'x-canary', prefix: 'yes' } } } });
    expect(desiredRules(canary, split(80, 20))).toEqual([
      { matches: [{ ...prefix, headers: [{ type: 'RegularExpression', name: 'x-canary', value: '^yes.*' }] }], backendRefs: [canaryRef(100)] },
      { matches: [prefix], backendRefs: [primaryRef(80), canaryRef(20)] },
    ]);
    expect(desiredRules(canary, ALL_PRIMARY)).toEqual([{ matches: [prefix], backendRefs: [primaryRef(100), canaryRef(0)] }]);
  });

  it('matches the cookie <name>=always among the request cookies, and nothing else', () => {
    const canary = gatewayCanary({ analysis: { canaryMatch: { cookie: { name: 'beta.tester' } } } });
    const [rule] = desiredRules(canary, split(90, 10));
    const header = rule?.matches?.[0]?.headers?.[0];
    expect(header).toEqual({ type: 'RegularExpression', name: 'Cookie', value: '^(.*;\\s*)?beta\\.tester=always(;.*)?$' });
    const regex = new RegExp(header?.value ?? '');
    expect(['beta.tester=always', 'a=1; beta.tester=always', 'beta.tester=always; b=2'].every((c) => regex.test(c))).toBe(true);
    expect(['beta.tester=never', 'betaXtester=always', 'xbeta.tester=always', 'beta.tester=alwaysnot'].some((c) => regex.test(c))).toBe(false);
  });
});
