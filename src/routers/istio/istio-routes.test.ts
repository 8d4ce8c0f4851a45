import { describe, expect, it } from 'vitest';
import type { Canary } from '../../api/canary.js';
import { desiredVirtualServiceSpec } from './istio-desired.js';
import type { VirtualServiceSpec } from './istio-objects.js';
import { comparableSpec, ownedSpec, readWeights, withoutEmpty } from './istio-routes.js';
import { abTestCanary, istioCanary, tcpCanary } from '../../../test/fixtures/istio-fixtures.js';
import { ALL_PRIMARY, type Weights } from '../router.js';

const split = (primary: number, canary: number, mirrored = false): Weights => ({ primary, canary, mirrored });
const affinity = { cookieName: 'c', primaryCookieName: 'p' };
const sticky = istioCanary({ analysis: { sessionAffinity: affinity }, status: { sessionAffinityCookie: 'c=Cc', primarySessionAffinityCookie: 'p=Pp' } });

describe('readWeights (Flagger GetRoutes)', () => {
  it.each<[string, Canary, Weights]>([
    ['reads all traffic on the primary from a new VirtualService', istioCanary(), ALL_PRIMARY],
    ['reads a split', istioCanary(), split(60, 40)],
    ['reads a mirrored split', istioCanary({ analysis: { mirror: true } }), split(100, 0, true)],
    ['reads the split of a TCP route, never mirrored', tcpCanary(), split(70, 30)],
    ['reads the split of the A/B route', abTestCanary(), split(0, 100)],
    ['reads the weighted route, not the sticky-session rules', sticky, split(90, 10)],
  ])('%s', (_name, canary, weights) => {
    expect(readWeights(desiredVirtualServiceSpec(canary, weights), canary)).toEqual(weights);
  });

  it('reads the weighted route after the rule expiring the previous cookie', () => {
    const canary = { ...sticky, status: { previousSessionAffinityCookie: 'c=Old' } };
    expect(readWeights(desiredVirtualServiceSpec(canary, ALL_PRIMARY), canary)).toEqual(ALL_PRIMARY);
  });

  it.each<[string, VirtualServiceSpec, Canary]>([
    ['no routes', { hosts: ['podinfo'] }, istioCanary()],
    ['no route to the canary', { http: [{ route: [{ destination: { host: 'podinfo-primary' }, weight: 100 }] }] }, istioCanary()],
    ['both weights at 0', { http: [{ route: [{ destination: { host: 'podinfo-primary' }, weight: 0 }, { destination: { host: 'podinfo-canary' } }] }] },
      istioCanary()],
    ['HTTP routes only, for a TCP service', desiredVirtualServiceSpec(istioCanary()), tcpCanary()],
  ])('finds no split with %s', (_name, spec, canary) => {
    expect(readWeights(spec, canary)).toBeUndefined();
  });

  it('reads a mirror only when it names a host', () => {
    const spec = desiredVirtualServiceSpec(istioCanary(), ALL_PRIMARY);
    const withEmptyMirror = { ...spec, http: spec.http?.map((r) => ({ ...r, mirror: { host: '' } })) };
    expect(readWeights(withEmptyMirror, istioCanary())?.mirrored).toBe(false);
  });
});

describe('comparableSpec', () => {
  it.each<[string, Canary, Weights, Weights]>([
    ['ignores weights', istioCanary(), ALL_PRIMARY, split(40, 60)],
    ['ignores mirroring', istioCanary({ analysis: { mirror: true, mirrorWeight: 20 } }), ALL_PRIMARY, split(100, 0, true)],
    ['ignores sticky-session rules and the cookies handed out', sticky, ALL_PRIMARY, split(90, 10)],
    ['ignores TCP weights', tcpCanary(), ALL_PRIMARY, split(50, 50)],
  ])('%s', (_name, canary, a, b) => {
    expect(comparableSpec(desiredVirtualServiceSpec(canary, a), canary)).toBe(comparableSpec(desiredVirtualServiceSpec(canary, b), canary));
  });

  it.each<[string, Canary]>([
    ['a timeout', istioCanary({ service: { timeout: '5s' } })],
    ['a host', istioCanary({ service: { hosts: ['app.example.com'] } })],
    ['a gateway', istioCanary({ service: { gateways: ['mesh'] } })],
    ['a match', istioCanary({ service: { match: [] } })],
  ])('tells a change of %s apart', (_name, changed) => {
    expect(comparableSpec(desiredVirtualServiceSpec(changed), changed)).not.toBe(comparableSpec(desiredVirtualServiceSpec(istioCanary()), changed));
  });

  it('counts empty lists and maps as absent', () => {
    const canary = istioCanary();
    expect(comparableSpec({ hosts: [], http: [{ route: [{ destination: { host: 'a' }, weight: 1, headers: {} }] }] }, canary))
      .toBe(comparableSpec({ http: [{ route: [{ destination: { host: 'a' } }] }] }, canary));
  });
});

describe('ownedSpec and withoutEmpty', () => {
  it('keeps only hosts, gateways, http and tcp', () => {
    expect(ownedSpec({ hosts: ['a'], gateways: [], ...{ exportTo: ['.'] } })).toEqual({ hosts: ['a'] });
    expect(ownedSpec(undefined)).toEqual({});
  });

  it.each<[string, unknown, unknown]>([
    ['drops empty lists and maps at every depth', { a: [], b: {}, c: { d: [] }, e: 1 }, { e: 1 }],
    ['keeps an empty item in its place', { match: [{ port: 1 }, {}] }, { match: [{ port: 1 }, {}] }],
    ['keeps scalars, false and 0', { a: false, b: 0, c: '' }, { a: false, b: 0, c: '' }],
  ])('%s', (_name, value, expected) => {
    expect(withoutEmpty(value)).toEqual(expected);
  });
});
