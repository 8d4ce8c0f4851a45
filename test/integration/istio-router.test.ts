import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Canary } from '../../src/api/canary.js';
import { silentLogger } from '../../src/ports/logger.js';
import { desiredHttpRoutes, desiredVirtualServiceSpec } from '../../src/routers/istio/istio-desired.js';
import { destinationRuleType, virtualServiceType, type VirtualService } from '../../src/routers/istio/istio-objects.js';
import { sessionAffinityStatus } from '../../src/routers/session-cookies.js';
import { abTestCanary, istioCanary, tcpCanary, type FixtureOverrides } from '../fixtures/istio-fixtures.js';
import { IstioRouter } from '../../src/routers/istio/istio.js';
import { ALL_PRIMARY, type ObjectReader, type Weights } from '../../src/routers/router.js';
import { FakeClock } from '../fakes/fake-clock.js';
import { installCrds, testKube, useTestNamespace } from '../support/kube.js';

const namespace = useTestNamespace('istio');
const kube = testKube();
const routerWith = (reader: ObjectReader): IstioRouter =>
  new IstioRouter({ kube, reader, clock: new FakeClock(), logger: silentLogger, settings: { ingressAnnotationsPrefix: 'nginx.ingress.kubernetes.io' } });
const router = routerWith(kube);
const split = (primary: number, canary: number, mirrored = false): Weights => ({ primary, canary, mirrored });

// Every test uses its own service name, so the tests of this file share one namespace.
const named = (name: string, make: (o: FixtureOverrides) => Canary, overrides: FixtureOverrides = {}): Canary =>
  make({ ...overrides, name, namespace: namespace() });

async function virtualService(name: string): Promise<VirtualService> {
  const vs = await kube.get(virtualServiceType, namespace(), name);
  if (vs === undefined) throw new Error(`VirtualService ${name} not found`);
  return vs;
}

// The reconciler's side of the session-affinity contract: cookies go into the status before setRoutes.
function withCookies(canary: Canary, weights: Weights): Canary {
  return { ...canary, status: { ...canary.status, ...sessionAffinityStatus(canary, weights) } };
}

beforeAll(async () => {
  await installCrds(join(import.meta.dirname, '..', 'fixtures', 'thirdparty-crds', 'istio-networking.yaml'));
});

describe('Istio router on a real API server (objects validated by the Istio CRDs)', () => {
  it('creates the DestinationRules and VirtualService, writes nothing on a second reconcile, and keeps the split on a spec change', async () => {
    const canary = named('podinfo', istioCanary, { service: { trafficPolicy: {
      connectionPool: { http: { http1MaxPendingRequests: 100 } },
      loadBalancer: { consistentHash: { httpCookie: { name: 'user', ttl: '0s' } } },
      outlierDetection: { consecutive5xxErrors: 5, interval: '30s', baseEjectionTime: '30s' },
    } } });
    await router.reconcile(canary);
    const rule = await kube.get(destinationRuleType, namespace(), 'podinfo-primary');
    expect(rule?.spec).toEqual({ host: 'podinfo-primary', trafficPolicy: canary.spec.service?.trafficPolicy });
    const created = await virtualService('podinfo');
    expect(created.spec).toEqual(desiredVirtualServiceSpec(canary));
    expect(created.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Canary', name: 'podinfo', controller: true })]);

    await router.reconcile(canary);
    expect((await virtualService('podinfo')).metadata.resourceVersion).toBe(created.metadata.resourceVersion);

    await router.setRoutes(canary, split(60, 40));
    const changed = named('podinfo', istioCanary, { service: { ...canary.spec.service, timeout: '5s' } });
    await router.reconcile(changed);
    expect(await router.getRoutes(changed)).toEqual(split(60, 40));
    expect((await virtualService('podinfo')).spec?.http?.[0]?.timeout).toBe('5s');
  });

  it('retries a write computed from a stale read with a fresh read, keeping the split written since', async () => {
    const canary = named('stale', istioCanary);
    await router.reconcile(canary);
    const stale = await virtualService('stale');
    await router.setRoutes(canary, split(80, 20));
    const staleReader: ObjectReader = { get: <T,>() => Promise.resolve(structuredClone(stale) as unknown as T) };
    const changed = named('stale', istioCanary, { service: { ...canary.spec.service, retries: { attempts: 3 } } });
    await routerWith(staleReader).reconcile(changed);
    expect(await router.getRoutes(changed)).toEqual(split(80, 20));
    expect((await virtualService('stale')).spec?.http?.[0]?.retries).toEqual({ attempts: 3 });
  });

  it('mirrors a percentage of the traffic to the canary', async () => {
    const canary = named('mirror', istioCanary, { analysis: { mirror: true, mirrorWeight: 25 } });
    await router.reconcile(canary);
    await router.setRoutes(canary, split(100, 0, true));
    expect(await router.getRoutes(canary)).toEqual(split(100, 0, true));
    expect((await virtualService('mirror')).spec?.http?.[0]).toMatchObject({ mirror: { host: 'mirror-canary' }, mirrorPercentage: { value: 25 } });
  });

  it('routes A/B conditions (header suffix as a regex, query parameters) within the service match', async () => {
    const canary = named('abtest', abTestCanary, {
      service: { port: 9898, match: [{ uri: { prefix: '/api' } }] },
      analysis: { match: [{ headers: { 'user-agent': { suffix: 'beta' } } }, { queryParams: { canary: { exact: 'true' } } }] },
    });
    await router.reconcile(canary);
    await router.setRoutes(canary, split(0, 100));
    expect(await router.getRoutes(canary)).toEqual(split(0, 100));
    expect((await virtualService('abtest')).spec?.http?.[0]?.match).toEqual([
      { uri: { prefix: '/api' }, headers: { 'user-agent': { regex: '.*beta' } } },
      { uri: { prefix: '/api' }, queryParams: { canary: { exact: 'true' } } },
    ]);
  });

  it('routes a TCP service with TCP routes', async () => {
    const canary = named('tcp', tcpCanary);
    await router.reconcile(canary);
    await router.setRoutes(canary, split(70, 30));
    expect(await router.getRoutes(canary)).toEqual(split(70, 30));
    expect((await virtualService('tcp')).spec?.tcp?.[0]?.match).toEqual([{ port: 9898 }]);
  });

  it('pins sessions with cookies through a run and expires the canary cookie at promotion', async () => {
    const canary = named('sticky', istioCanary, { analysis: { interval: '15s', sessionAffinity: {
      cookieName: 'canary-flagger-cookie', primaryCookieName: 'primary-flagger-cookie', maxAge: 300, path: '/', secure: true, sameSite: 'Lax',
    } } });
    await router.reconcile(canary);
    const run = withCookies(canary, split(90, 10));
    await router.setRoutes(run, split(90, 10));
    const routes = (await virtualService('sticky')).spec?.http ?? [];
    expect(routes).toEqual(desiredHttpRoutes(run, split(90, 10)));
    expect(routes).toHaveLength(3);
    expect(routes[2]?.route?.[0]?.headers?.response?.add?.['Set-Cookie']).toBe(`${run.status?.primarySessionAffinityCookie}; Max-Age=15; Path=/; SameSite=Lax; Secure`);
    const resourceVersion = (await virtualService('sticky')).metadata.resourceVersion;
    await router.reconcile(run);
    expect((await virtualService('sticky')).metadata.resourceVersion).toBe(resourceVersion);
    expect(await router.getRoutes(run)).toEqual(split(90, 10));

    const promoted = withCookies(run, ALL_PRIMARY);
    await router.setRoutes(promoted, ALL_PRIMARY);
    const [expiry] = (await virtualService('sticky')).spec?.http ?? [];
    expect(expiry?.headers?.response?.add?.['Set-Cookie']).toBe(`${run.status?.sessionAffinityCookie}; Max-Age=-1; Path=/; SameSite=Lax; Secure`);
    expect(await router.getRoutes(promoted)).toEqual(ALL_PRIMARY);
  });

  it('turns the VirtualService into a delegate, removing its hosts and gateways', async () => {
    await router.reconcile(named('delegate', istioCanary));
    const delegate = named('delegate', istioCanary, { service: { delegation: true, hosts: [], gateways: [] } });
    await router.reconcile(delegate);
    const vs = await virtualService('delegate');
    expect(vs.spec?.hosts).toBeUndefined();
    expect(vs.spec?.gateways).toBeUndefined();
    expect(vs.spec?.http?.[0]?.route?.[0]?.destination.port).toEqual({ number: 9898 });
  });

  it("takes over a user's VirtualService and restores it on finalize", async () => {
    const users: VirtualService = {
      apiVersion: 'networking.istio.io/v1beta1', kind: 'VirtualService',
      metadata: { name: 'users', namespace: namespace(), labels: { app: 'users' } },
      spec: { hosts: ['users'], http: [{ timeout: '3s', route: [{ destination: { host: 'users' } }] }], ...{ exportTo: ['.'] } },
    };
    const original = (await kube.create(virtualServiceType, users)).spec;
    const canary = named('users', istioCanary);
    await router.reconcile(canary);
    await router.setRoutes(canary, split(50, 50));
    const running = await virtualService('users');
    expect(running.metadata.annotations?.['flagger.kubernetes.io/original-configuration']).toBe(JSON.stringify(original));
    expect(running.spec).toMatchObject({ exportTo: ['.'], hosts: ['users'], gateways: ['istio/public-gateway', 'mesh'] });

    await router.finalize(canary);
    const restored = await virtualService('users');
    expect(restored.spec).toEqual(original);
    expect(restored.metadata.labels).toEqual({ app: 'users' });
    expect(restored.metadata.annotations?.['flagger.kubernetes.io/original-configuration']).toBeUndefined();
  });
});
