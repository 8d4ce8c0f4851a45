import { describe, expect, it } from 'vitest';
import { mergePatch } from '../../../test/fakes/json-patch.js';
import { desiredHttpRoutes, desiredTcpRoutes, desiredVirtualService } from './istio-desired.js';
import { isManagedRoute, namesService, withManagedRoutes } from './istio-foreign-routes.js';
import type { HttpRoute, VirtualService } from './istio-objects.js';
import { routesPatch, virtualServiceReconcilePatch } from './istio-patches.js';
import { readWeights } from './istio-routes.js';
import { istioCanary, tcpCanary } from './istio-test-fixtures.js';
import { ALL_PRIMARY, type Weights } from '../router.js';

const split = (primary: number, canary: number, mirrored = false): Weights => ({ primary, canary, mirrored });
const plain = istioCanary({ service: { match: [], portDiscovery: false, gateways: ['mesh'], headers: undefined, corsPolicy: undefined, retries: undefined } });

// The user's own routes: fault injection on a header, another path to another Service with retries.
const fault: HttpRoute = { match: [{ headers: { 'x-fault': { exact: 'abort' } } }], route: [{ destination: { host: 'podinfo' } }], ...{ fault: { abort: { httpStatus: 503, percentage: { value: 100 } } } } };
const admin: HttpRoute = { match: [{ uri: { prefix: '/admin' } }], route: [{ destination: { host: 'admin' } }], retries: { attempts: 3, perTryTimeout: '2s' } };
const tcpRoute = { match: [{ port: 5432 }], route: [{ destination: { host: 'postgres', port: { number: 5432 } } }] };
const tlsRoute = { match: [{ port: 443, sniHosts: ['secure.example.com'] }], route: [{ destination: { host: 'secure', port: { number: 443 } } }] };

function vs(http: HttpRoute[], extra: Record<string, unknown> = {}): VirtualService {
  return { metadata: { name: 'podinfo', namespace: 'default', resourceVersion: '5' }, spec: { hosts: ['podinfo'], gateways: ['mesh'], http, ...extra } };
}

const apply = (object: VirtualService, patch: unknown): VirtualService => (patch === undefined ? object : mergePatch(object, patch) as VirtualService);

describe('which routes Songbird manages', () => {
  it('names a Service by its short and qualified hosts only', () => {
    for (const host of ['podinfo-canary', 'podinfo-canary.default', 'podinfo-canary.default.svc', 'podinfo-canary.default.svc.cluster.local']) {
      expect(namesService(host, 'podinfo-canary', 'default')).toBe(true);
    }
    expect(namesService('podinfo-canary.other', 'podinfo-canary', 'default')).toBe(false);
    expect(namesService('podinfo-canary-2', 'podinfo-canary', 'default')).toBe(false);
  });

  it('manages a route with a primary or canary destination or mirror, and no other', () => {
    expect(isManagedRoute({ route: [{ destination: { host: 'podinfo-primary' } }] }, plain)).toBe(true);
    expect(isManagedRoute({ route: [{ destination: { host: 'admin' } }], mirror: { host: 'podinfo-canary' } }, plain)).toBe(true);
    expect(isManagedRoute(fault, plain)).toBe(false);
    expect(isManagedRoute(admin, plain)).toBe(false);
  });
});

describe('withManagedRoutes', () => {
  const m = (host: string): HttpRoute => ({ route: [{ destination: { host } }] });
  const [m1, m2, n1, n2] = [m('podinfo-primary'), m('podinfo-canary'), m('podinfo-primary.default'), m('podinfo-canary.default')];

  it('puts the new managed routes where the first managed route was, keeping the order of the others', () => {
    expect(withManagedRoutes([fault, m1, admin, m2], [n1, n2], plain)).toEqual([fault, n1, n2, admin]);
  });

  it('keeps the very objects of the user routes', () => {
    const result = withManagedRoutes([fault, m1, admin], [n1], plain);
    expect(result[0]).toBe(fault);
    expect(result[2]).toBe(admin);
  });

  it('replaces, on takeover, the route to the apex Service that matches what service.match matches', () => {
    const app: HttpRoute = { route: [{ destination: { host: 'podinfo.default.svc.cluster.local' } }], retries: { attempts: 2 } };
    expect(withManagedRoutes([fault, admin, app], [n1], plain)).toEqual([fault, admin, n1]);
  });

  it('goes before the first route that matches everything when no route is the one the Canary describes', () => {
    const api = istioCanary({ service: { match: [{ uri: { prefix: '/api' } }] } });
    const app: HttpRoute = { route: [{ destination: { host: 'podinfo' } }] };
    const block: HttpRoute[] = [{ match: [{ uri: { prefix: '/api' } }], route: [{ destination: { host: 'podinfo-primary' } }] }];
    expect(withManagedRoutes([admin, app], block, api)).toEqual([admin, ...block, app]);
    expect(withManagedRoutes([admin], block, api)).toEqual([admin, ...block]);
  });

  it('with no managed routes to put, removes Songbird\'s and keeps the user\'s', () => {
    expect(withManagedRoutes([m1, fault, m2], [], plain)).toEqual([fault]);
  });
});

describe("a run keeps the user's routes as written", () => {
  const userRoutes = [fault, admin];
  const extra = { tcp: [tcpRoute], tls: [tlsRoute], exportTo: ['.'] };

  it('takes over, moves weights through the steps and rolls back without changing a foreign entry', () => {
    const app: HttpRoute = { route: [{ destination: { host: 'podinfo' } }] };
    let current = vs([...userRoutes, app], extra);
    current = apply(current, virtualServiceReconcilePatch(current, plain));
    for (const weights of [split(90, 10), split(80, 20), split(50, 50), split(0, 100), ALL_PRIMARY]) {
      current = apply(current, routesPatch(current, plain, weights));
      current = apply(current, virtualServiceReconcilePatch(current, plain));
      const spec = current.spec as Record<string, unknown> & { http: HttpRoute[] };
      expect(JSON.stringify(spec.http.slice(0, 2))).toBe(JSON.stringify(userRoutes));
      expect(spec.http.slice(2)).toEqual(desiredHttpRoutes(plain, weights));
      expect(JSON.stringify(spec.tcp)).toBe(JSON.stringify([tcpRoute]));
      expect(JSON.stringify(spec.tls)).toBe(JSON.stringify([tlsRoute]));
      expect(readWeights(current.spec ?? {}, plain)).toEqual(weights.canary === 0 ? split(100, 0) : weights);
    }
  });

  it('moves a foreign route from between managed ones to after them, and reads the split from the weighted route', () => {
    const sticky = istioCanary({ analysis: { sessionAffinity: { cookieName: 'c' } }, status: { sessionAffinityCookie: 'c=Cc' } });
    const [pinned, weighted] = desiredHttpRoutes(sticky, split(90, 10)) as [HttpRoute, HttpRoute];
    const current = vs([pinned, admin, weighted]);
    const after = apply(current, routesPatch(current, sticky, split(80, 20)));
    expect(after.spec?.http?.slice(2)).toEqual([admin]);
    expect(JSON.stringify(after.spec?.http?.[2])).toBe(JSON.stringify(admin));
    expect(after.spec?.http).toHaveLength(3);
    expect(readWeights(after.spec ?? {}, sticky)).toEqual(split(80, 20));
  });

  it("keeps a TCP Canary's foreign tcp routes and every http route", () => {
    const canary = tcpCanary();
    const current = { ...desiredVirtualService(canary), metadata: { name: 'podinfo', namespace: 'default', resourceVersion: '1' } };
    current.spec = { ...current.spec, http: [admin], tcp: [tcpRoute, ...desiredTcpRoutes(canary, ALL_PRIMARY)] };
    const after = apply(current, routesPatch(current, canary, split(70, 30)));
    expect(after.spec?.http).toEqual([admin]);
    expect(after.spec?.tcp).toEqual([tcpRoute, ...desiredTcpRoutes(canary, split(70, 30))]);
    expect((virtualServiceReconcilePatch(after, canary) as { spec?: unknown }).spec).toBeUndefined();
  });

  it('writes nothing on reconcile when only the user routes and the weights are there', () => {
    const current = vs([fault, ...desiredHttpRoutes(plain, split(60, 40)), admin], extra);
    expect(virtualServiceReconcilePatch({ ...current, metadata: { ...current.metadata, ownerReferences: desiredVirtualService(plain).metadata.ownerReferences,
      labels: {}, annotations: desiredVirtualService(plain).metadata.annotations } }, plain)).toBeUndefined();
    expect(routesPatch(current, plain, split(60, 40))).toBeUndefined();
  });
});
