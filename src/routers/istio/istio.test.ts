import { beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../test/fakes/fake-clock.js';
import { FakeKube } from '../../../test/fakes/fake-kube.js';
import type { Canary } from '../../api/canary.js';
import { silentLogger } from '../../ports/logger.js';
import type { ObjectReader } from '../router.js';
import { destinationRuleType, virtualServiceType, type VirtualService } from './istio-objects.js';
import { sessionAffinityStatus } from '../session-cookies.js';
import { abTestCanary, istioCanary, tcpCanary } from '../../../test/fixtures/istio-fixtures.js';
import { IstioRouter } from './istio.js';
import { ALL_PRIMARY, type Weights } from '../router.js';

const split = (primary: number, canary: number, mirrored = false): Weights => ({ primary, canary, mirrored });
const at = { namespace: 'default', name: 'podinfo' };

let kube: FakeKube;
let router: IstioRouter;

function routerWith(reader: ObjectReader = kube): IstioRouter {
  return new IstioRouter({ kube, reader, clock: new FakeClock(), logger: silentLogger, settings: { ingressAnnotationsPrefix: 'nginx.ingress.kubernetes.io' } });
}

async function virtualService(name = 'podinfo'): Promise<VirtualService> {
  const vs = await kube.get(virtualServiceType, 'default', name);
  if (vs === undefined) throw new Error(`VirtualService ${name} not found`);
  return vs;
}

// The reconciler's side of the session-affinity contract: cookies go into the status before setRoutes.
function withCookies(canary: Canary, weights: Weights, value: string): Canary {
  return { ...canary, status: { ...canary.status, ...sessionAffinityStatus(canary, weights, () => value) } };
}

beforeEach(() => {
  kube = new FakeKube();
  router = routerWith();
});

describe('IstioRouter reconcile (Flagger Sync)', () => {
  it('creates both DestinationRules and the VirtualService, owned by the Canary, with all traffic on the primary', async () => {
    await router.reconcile(istioCanary());
    for (const name of ['podinfo-canary', 'podinfo-primary']) {
      expect(await kube.get(destinationRuleType, 'default', name)).toMatchObject({
        spec: { host: name }, metadata: { ownerReferences: [{ kind: 'Canary', name: 'podinfo', controller: true }] },
      });
    }
    const vs = await virtualService();
    expect(vs.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Canary', name: 'podinfo', uid: 'uid-podinfo' })]);
    expect(vs.spec?.http).toHaveLength(1);
    expect(await router.getRoutes(istioCanary())).toEqual(ALL_PRIMARY);
  });

  it('writes nothing when nothing changed, also after traffic moved', async () => {
    await router.reconcile(istioCanary());
    await router.setRoutes(istioCanary(), split(60, 40));
    const writes = kube.writes.length;
    await router.reconcile(istioCanary());
    await router.reconcile(istioCanary());
    expect(kube.writes).toHaveLength(writes);
  });

  it('applies a spec change mid-run without resetting the split', async () => {
    await router.reconcile(istioCanary());
    await router.setRoutes(istioCanary(), split(60, 40));
    const changed = istioCanary({ service: { timeout: '5s', hosts: ['test.example.com'] } });
    await router.reconcile(changed);
    const vs = await virtualService();
    expect(vs.spec?.hosts).toEqual(['test.example.com', 'podinfo']);
    expect(vs.spec?.http?.[0]?.timeout).toBe('5s');
    expect(await router.getRoutes(changed)).toEqual(split(60, 40));
  });

  it('reverts a gateway someone added', async () => {
    await router.reconcile(istioCanary());
    await kube.patch(virtualServiceType, at, { spec: { gateways: ['istio/public-gateway', 'mesh', 'istio-system/test-gateway'] } });
    await router.reconcile(istioCanary());
    expect((await virtualService()).spec?.gateways).toEqual(['istio/public-gateway', 'mesh']);
  });

  it('updates a DestinationRule only when its traffic policy changes, keeping fields it does not own', async () => {
    await router.reconcile(istioCanary());
    await kube.patch(destinationRuleType, { namespace: 'default', name: 'podinfo-canary' }, { spec: { subsets: [{ name: 'v1', labels: { v: '1' } }] } });
    const policy = istioCanary({ service: { trafficPolicy: { loadBalancer: { simple: 'LEAST_REQUEST' } } } });
    await router.reconcile(policy);
    expect((await kube.get(destinationRuleType, 'default', 'podinfo-canary'))?.spec).toEqual({
      host: 'podinfo-canary', trafficPolicy: { loadBalancer: { simple: 'LEAST_REQUEST' } }, subsets: [{ name: 'v1', labels: { v: '1' } }],
    });
    const writes = kube.writes.length;
    await router.reconcile(policy);
    expect(kube.writes).toHaveLength(writes);
  });

  it('refuses delegation with gateways and writes nothing (Flagger Delegate invalid)', async () => {
    await expect(router.reconcile(istioCanary({ service: { delegation: true } })))
      .rejects.toThrow('VirtualService podinfo.default cannot have hosts and gateways when delegation enabled');
    expect(kube.writes).toEqual([]);
  });

  it('retries once with a fresh read when the reader is stale, keeping the split written since', async () => {
    await router.reconcile(istioCanary());
    const stale = await virtualService();
    await router.setRoutes(istioCanary(), split(70, 30));
    const staleReader: ObjectReader = { get: <T,>() => Promise.resolve(structuredClone(stale) as unknown as T) };
    const changed = istioCanary({ service: { timeout: '5s' } });
    await routerWith(staleReader).reconcile(changed);
    expect(await router.getRoutes(changed)).toEqual(split(70, 30));
    expect((await virtualService()).spec?.http?.[0]?.timeout).toBe('5s');
  });

  it('brings a VirtualService created since it was read to the desired spec instead of failing', async () => {
    await router.reconcile(istioCanary());
    await router.setRoutes(istioCanary(), split(80, 20));
    const blind: ObjectReader = { get: () => Promise.resolve(undefined) };
    const changed = istioCanary({ service: { timeout: '5s' } });
    await routerWith(blind).reconcile(changed);
    expect((await virtualService()).spec?.http?.[0]?.timeout).toBe('5s');
    expect(await router.getRoutes(changed)).toEqual(split(80, 20));
  });
});

describe('IstioRouter routes (Flagger SetRoutes and GetRoutes)', () => {
  it('sets and reads a split, writing only when it changes', async () => {
    await router.reconcile(istioCanary());
    await router.setRoutes(istioCanary(), split(60, 40));
    const writes = kube.writes.length;
    await router.setRoutes(istioCanary(), split(60, 40));
    expect(kube.writes).toHaveLength(writes);
    expect(await router.getRoutes(istioCanary())).toEqual(split(60, 40));
  });

  it('reports mirroring only once the routes mirror, not because the Canary asks for it', async () => {
    const mirror = istioCanary({ analysis: { mirror: true, mirrorWeight: 50 } });
    await router.reconcile(mirror);
    expect(await router.getRoutes(mirror)).toEqual(ALL_PRIMARY);
    await router.setRoutes(mirror, split(100, 0, true));
    expect(await router.getRoutes(mirror)).toEqual(split(100, 0, true));
    expect((await virtualService()).spec?.http?.[0]).toMatchObject({ mirror: { host: 'podinfo-canary' }, mirrorPercentage: { value: 50 } });
    await router.reconcile(mirror);
    expect(await router.getRoutes(mirror)).toEqual(split(100, 0, true));
  });

  it('routes the A/B condition to the canary (Flagger ABTest)', async () => {
    await router.reconcile(abTestCanary());
    await router.setRoutes(abTestCanary(), split(0, 100));
    expect(await router.getRoutes(abTestCanary())).toEqual(split(0, 100));
    expect((await virtualService('abtest')).spec?.http).toHaveLength(2);
  });

  it('sets and reads the split of a TCP service (Flagger SetRoutesTCP, GetRoutesTCP)', async () => {
    await router.reconcile(tcpCanary());
    expect(await router.getRoutes(tcpCanary())).toEqual(ALL_PRIMARY);
    await router.setRoutes(tcpCanary(), split(60, 40));
    expect(await router.getRoutes(tcpCanary())).toEqual(split(60, 40));
    expect((await virtualService()).spec?.http).toBeUndefined();
  });

  it('fails to read or set routes without a VirtualService', async () => {
    await expect(router.getRoutes(istioCanary())).rejects.toThrow('VirtualService podinfo.default not found');
    await expect(router.setRoutes(istioCanary(), split(90, 10))).rejects.toThrow('VirtualService podinfo.default not found');
  });

  it('fails to read routes when both weights are 0', async () => {
    await router.reconcile(istioCanary());
    const vs = await virtualService();
    const zero = vs.spec?.http?.map((r) => ({ ...r, route: r.route?.map((d) => ({ ...d, weight: 0 })) }));
    await kube.patch(virtualServiceType, at, { spec: { http: zero } });
    await expect(router.getRoutes(istioCanary())).rejects.toThrow('VirtualService podinfo.default does not contain routes for podinfo-primary and podinfo-canary');
  });
});

describe('IstioRouter session affinity (Flagger SetRoutes session affinity)', () => {
  const affinity = { cookieName: 'flagger-cookie', domain: 'flagger.app', httpOnly: true, maxAge: 300, partitioned: true, path: '/app', sameSite: 'Strict' as const, secure: true };
  const sticky = istioCanary({ service: { match: [] }, analysis: { sessionAffinity: affinity } });

  it('pins sessions to the canary through a run, keeps the rules on reconcile and expires the cookie at promotion', async () => {
    await router.reconcile(sticky);
    const run = withCookies(sticky, split(0, 10), 'AbCdEfGhIj');
    expect(run.status?.sessionAffinityCookie).toBe('flagger-cookie=AbCdEfGhIj');
    await router.setRoutes(run, split(0, 10));
    const [stickyRule, weighted] = (await virtualService()).spec?.http ?? [];
    expect(stickyRule).toMatchObject({ match: [{ headers: { Cookie: { regex: '.*flagger-cookie.*AbCdEfGhIj.*' } } }],
      route: [{ weight: 0 }, { weight: 100 }] });
    expect(weighted?.route?.[1]?.headers?.response?.add?.['Set-Cookie'])
      .toBe('flagger-cookie=AbCdEfGhIj; Max-Age=300; Domain=flagger.app; HttpOnly; Partitioned; Path=/app; SameSite=Strict; Secure');

    const writes = kube.writes.length;
    await router.reconcile(run);
    expect(kube.writes).toHaveLength(writes);
    expect(await router.getRoutes(run)).toEqual(split(0, 10));

    const half = withCookies(run, split(50, 50), 'Unused');
    expect(half.status?.sessionAffinityCookie).toBe('flagger-cookie=AbCdEfGhIj');
    await router.setRoutes(half, split(50, 50));
    expect(await router.getRoutes(half)).toEqual(split(50, 50));

    const promoted = withCookies(half, ALL_PRIMARY, 'Unused');
    expect(promoted.status).toEqual({ previousSessionAffinityCookie: 'flagger-cookie=AbCdEfGhIj' });
    await router.setRoutes(promoted, ALL_PRIMARY);
    const [expiry, after] = (await virtualService()).spec?.http ?? [];
    expect(expiry?.headers?.response?.add?.['Set-Cookie']).toBe('flagger-cookie=AbCdEfGhIj; Max-Age=-1; Domain=flagger.app; HttpOnly; Partitioned; Path=/app; SameSite=Strict; Secure');
    expect(after?.route?.map((d) => d.headers)).toEqual([undefined, undefined]);
    expect(await router.getRoutes(promoted)).toEqual(ALL_PRIMARY);
  });

  it('refuses to route to the canary when the status holds no cookie for the run, and writes nothing', async () => {
    await router.reconcile(sticky);
    const writes = kube.writes.length;
    await expect(router.setRoutes(sticky, split(90, 10))).rejects.toThrow('status.sessionAffinityCookie');
    const withPrimary = istioCanary({ analysis: { sessionAffinity: { cookieName: 'c', primaryCookieName: 'p' } }, status: { sessionAffinityCookie: 'c=x' } });
    await expect(router.setRoutes(withPrimary, split(90, 10))).rejects.toThrow('status.primarySessionAffinityCookie');
    expect(kube.writes).toHaveLength(writes);
    await router.setRoutes(sticky, ALL_PRIMARY);
  });
});

describe('IstioRouter takeover and finalize (Flagger Finalize)', () => {
  const users: VirtualService = {
    apiVersion: 'networking.istio.io/v1beta1', kind: 'VirtualService',
    metadata: { name: 'podinfo', namespace: 'default', labels: { app: 'podinfo' } },
    spec: { hosts: ['podinfo'], gateways: ['istio-system/ingressgateway'], http: [{ route: [{ destination: { host: 'podinfo' } }] }], ...{ exportTo: ['.'] } },
  };

  it("takes over a user's VirtualService, saving its spec once, and restores it on finalize", async () => {
    await kube.create(virtualServiceType, users);
    await router.reconcile(istioCanary());
    const saved = (await virtualService()).metadata.annotations?.['flagger.kubernetes.io/original-configuration'];
    expect(saved).toBe(JSON.stringify(users.spec));
    await router.setRoutes(istioCanary(), split(60, 40));
    await router.reconcile(istioCanary({ service: { timeout: '5s' } }));
    expect((await virtualService()).metadata.annotations?.['flagger.kubernetes.io/original-configuration']).toBe(saved);

    await router.finalize(istioCanary());
    const restored = await virtualService();
    expect(restored.spec).toEqual(users.spec);
    expect(restored.metadata.labels).toEqual({ app: 'podinfo' });
    expect(restored.metadata.annotations?.['flagger.kubernetes.io/original-configuration']).toBeUndefined();
  });

  it("restores the spec of kubectl's last-applied record", async () => {
    const record = JSON.stringify({ ...users, metadata: { name: 'podinfo', namespace: 'default' } });
    await kube.create(virtualServiceType, { ...users, metadata: { ...users.metadata, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': record } } });
    await router.reconcile(istioCanary());
    expect((await virtualService()).metadata.annotations?.['flagger.kubernetes.io/original-configuration']).toBeUndefined();
    await router.finalize(istioCanary());
    expect((await virtualService()).spec).toEqual(users.spec);
  });

  it('does nothing when the VirtualService is gone', async () => {
    const writes = kube.writes.length;
    await router.finalize(istioCanary());
    expect(kube.writes).toHaveLength(writes);
  });

  const meshOnly = (): Canary => istioCanary({ service: { gateways: ['mesh'] } });
  const toApex = [{ destination: { host: 'podinfo' }, weight: 100 }];

  it('points the routes of a VirtualService it created at the apex Service, so no request reaches the primary being removed', async () => {
    await router.reconcile(meshOnly());
    await router.setRoutes(meshOnly(), split(70, 30, true));
    const before = await virtualService();
    await router.finalize(meshOnly());
    const vs = await virtualService();
    expect(vs.spec?.http?.map((r) => r.route)).toEqual([toApex]);
    expect(vs.spec?.http?.[0]?.mirror).toBeUndefined();
    expect(vs.spec?.http?.[0]?.retries).toEqual(before.spec?.http?.[0]?.retries);
    expect(vs.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Canary', name: 'podinfo' })]);
    const writes = kube.writes.length;
    await router.finalize(meshOnly());
    expect(kube.writes).toHaveLength(writes);
  });

  it('keeps the routes of the user beside its own when it points them at the apex Service', async () => {
    const foreign = { match: [{ uri: { prefix: '/admin' } }], route: [{ destination: { host: 'admin' } }] };
    await router.reconcile(meshOnly());
    const created = await virtualService();
    await kube.patch(virtualServiceType, at, { spec: { http: [foreign, ...(created.spec?.http ?? [])] } });
    await router.finalize(meshOnly());
    expect((await virtualService()).spec?.http?.map((r) => r.route)).toEqual([foreign.route, toApex]);
  });

  it('keeps a VirtualService it created for a gateway, no longer owned by the Canary, so ingress traffic goes on', async () => {
    const canary = istioCanary({ service: { gateways: ['istio-system/public-gateway'], hosts: ['app.example.com'] } });
    await router.reconcile(canary);
    await router.finalize(canary);
    const vs = await virtualService();
    expect(vs.metadata.ownerReferences ?? []).toEqual([]);
    expect(vs.spec?.http?.map((r) => r.route)).toEqual([[{ destination: { host: 'podinfo', port: { number: 9898 } }, weight: 100 }]]);
    expect(vs.spec?.hosts).toEqual(['app.example.com', 'podinfo']);
  });

  it('points the TCP route of a VirtualService it created at the apex Service', async () => {
    await router.reconcile(tcpCanary({ service: { gateways: ['mesh'] } }));
    await router.finalize(tcpCanary({ service: { gateways: ['mesh'] } }));
    expect((await virtualService()).spec?.tcp?.map((r) => r.route)).toEqual([toApex]);
  });
});
