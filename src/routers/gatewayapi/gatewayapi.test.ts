import { beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../test/fakes/fake-clock.js';
import { FakeKube } from '../../../test/fakes/fake-kube.js';
import { RouterConfigError } from '../../errors.js';
import { silentLogger } from '../../ports/logger.js';
import { ALL_PRIMARY, type ObjectReader, type Weights } from '../router.js';
import { httpRouteType, type HttpRoute } from './gatewayapi-objects.js';
import { gatewayAbCanary, gatewayCanary } from '../../../test/fixtures/gatewayapi-fixtures.js';
import { GatewayApiRouter } from './gatewayapi.js';

const split = (primary: number, canary: number, mirrored = false): Weights => ({ primary, canary, mirrored });
const routes = httpRouteType('v1');

let kube: FakeKube;
let router: GatewayApiRouter;

function routerWith(reader: ObjectReader = kube): GatewayApiRouter {
  return new GatewayApiRouter({ kube, reader, clock: new FakeClock(), logger: silentLogger, settings: { ingressAnnotationsPrefix: 'nginx.ingress.kubernetes.io' } }, 'v1');
}

async function httpRoute(): Promise<HttpRoute> {
  const route = await kube.get(routes, 'default', 'podinfo');
  if (route === undefined) throw new Error('HTTPRoute podinfo not found');
  return route;
}

beforeEach(() => {
  kube = new FakeKube();
  router = routerWith();
});

describe('GatewayApiRouter', () => {
  it('creates the HTTPRoute owned by the Canary with all traffic on the primary, and writes nothing more in steady state', async () => {
    await router.reconcile(gatewayCanary());
    expect((await httpRoute()).metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Canary', name: 'podinfo', controller: true })]);
    expect(await router.getRoutes(gatewayCanary())).toEqual(ALL_PRIMARY);
    await router.setRoutes(gatewayCanary(), split(60, 40));
    const writes = kube.writes.length;
    await router.reconcile(gatewayCanary());
    await router.setRoutes(gatewayCanary(), split(60, 40));
    expect(kube.writes).toHaveLength(writes);
  });

  it('retries once with a fresh read when the reader is stale, keeping the split written since', async () => {
    await router.reconcile(gatewayCanary());
    const stale = await httpRoute();
    await router.setRoutes(gatewayCanary(), split(80, 20));
    const staleReader: ObjectReader = { get: <T,>() => Promise.resolve(structuredClone(stale) as unknown as T) };
    const changed = gatewayCanary({ service: { timeout: '20s' } });
    await routerWith(staleReader).reconcile(changed);
    expect(await router.getRoutes(changed)).toEqual(split(80, 20));
    expect((await httpRoute()).spec?.rules?.[0]?.timeouts).toEqual({ request: '20s' });
  });

  it('stops with a RouterConfigError naming the field when an A/B match cannot be expressed, writing nothing', async () => {
    const canary = gatewayAbCanary({ analysis: { match: [{ sourceLabels: { app: 'tester' } }] } });
    await expect(router.reconcile(canary)).rejects.toThrow(RouterConfigError);
    await expect(router.reconcile(canary)).rejects.toThrow('spec.analysis.match[0].sourceLabels: cannot be expressed in an HTTPRoute match');
    expect(kube.writes).toHaveLength(0);
  });

  it('refuses to report a split the HTTPRoute does not hold', async () => {
    await expect(router.getRoutes(gatewayCanary())).rejects.toThrow('HTTPRoute podinfo.default not found');
    await kube.create(routes, { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'podinfo', namespace: 'default' },
      spec: { rules: [{ backendRefs: [{ group: '', kind: 'Service', name: 'other', port: 80 }] }] } });
    await expect(router.getRoutes(gatewayCanary())).rejects.toThrow('does not contain routes for podinfo-primary and podinfo-canary');
  });

  it('requires the session cookies in the status before routing to the canary with session affinity', async () => {
    const canary = gatewayCanary({ analysis: { sessionAffinity: { cookieName: 'c' } } });
    await router.reconcile(canary);
    await expect(router.setRoutes(canary, split(90, 10))).rejects.toThrow('session affinity needs status.sessionAffinityCookie');
  });
});

describe('GatewayApiRouter finalize (revertOnDeletion)', () => {
  const toApex = [{ group: '', kind: 'Service', name: 'podinfo', port: 9898, weight: 100 }];

  it('points the rules of an HTTPRoute it created at the apex Service and keeps the route, no longer owned, for the Gateway', async () => {
    await router.reconcile(gatewayCanary());
    await router.setRoutes(gatewayCanary(), split(70, 30, true));
    await router.finalize(gatewayCanary());
    const route = await httpRoute();
    expect(route.spec?.rules?.map((r) => r.backendRefs)).toEqual([toApex]);
    expect(route.spec?.rules?.flatMap((r) => r.filters ?? []).filter((f) => f.type === 'RequestMirror')).toEqual([]);
    expect(route.metadata.ownerReferences ?? []).toEqual([]);
    expect(route.spec?.parentRefs).toEqual([expect.objectContaining({ name: 'podinfo', namespace: 'public-gateway' })]);
    const writes = kube.writes.length;
    await router.finalize(gatewayCanary());
    expect(kube.writes).toHaveLength(writes);
  });

  it('leaves an HTTPRoute it created for the mesh only (a Service parent) to the garbage collector, pointed at the apex Service', async () => {
    const mesh = gatewayCanary({ service: { gatewayRefs: [{ group: '', kind: 'Service', name: 'podinfo' }] } });
    await router.reconcile(mesh);
    await router.finalize(mesh);
    const route = await httpRoute();
    expect(route.spec?.rules?.map((r) => r.backendRefs)).toEqual([toApex]);
    expect(route.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Canary', name: 'podinfo' })]);
  });

  it('does nothing when the HTTPRoute is gone', async () => {
    await router.finalize(gatewayCanary());
    expect(kube.writes).toHaveLength(0);
  });
});
