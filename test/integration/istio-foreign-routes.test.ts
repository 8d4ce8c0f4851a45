import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Canary } from '../../src/api/canary.js';
import { silentLogger } from '../../src/ports/logger.js';
import { virtualServiceType, type VirtualService } from '../../src/routers/istio/istio-objects.js';
import { istioCanary, type FixtureOverrides } from '../../src/routers/istio/istio-test-fixtures.js';
import { IstioRouter } from '../../src/routers/istio/istio.js';
import { ALL_PRIMARY, type Weights } from '../../src/routers/router.js';
import { FakeClock } from '../fakes/fake-clock.js';
import { installCrds, testKube, useTestNamespace } from '../support/kube.js';

const namespace = useTestNamespace('istio-foreign');
const kube = testKube();
const router = new IstioRouter({ kube, reader: kube, clock: new FakeClock(), logger: silentLogger, settings: { ingressAnnotationsPrefix: 'nginx.ingress.kubernetes.io' } });
const split = (primary: number, canary: number): Weights => ({ primary, canary, mirrored: false });

type Spec = Record<string, unknown> & { http?: Record<string, unknown>[]; tcp?: unknown[]; tls?: unknown[] };

// A Canary with no service.match, so that the user's catch-all route to the app is the one it describes.
const canaryFor = (name: string, overrides: FixtureOverrides = {}): Canary => istioCanary({
  ...overrides, name, namespace: namespace(),
  service: { match: [], gateways: ['mesh'], portDiscovery: false, headers: undefined, corsPolicy: undefined, ...overrides.service },
});

// The user's routes: fault injection for testers, a delayed path with retries to another Service, a TCP
// database route and a TLS passthrough route; then the route to the app itself.
function usersVirtualService(name: string): VirtualService {
  return {
    apiVersion: 'networking.istio.io/v1beta1', kind: 'VirtualService',
    metadata: { name, namespace: namespace(), labels: { team: 'web' } },
    spec: {
      hosts: [name], gateways: ['mesh'],
      http: [
        { name: 'fault-for-testers', match: [{ headers: { 'x-fault': { exact: 'abort' } } }], route: [{ destination: { host: name } }],
          ...{ fault: { abort: { httpStatus: 503, percentage: { value: 100 } } } } },
        { name: 'slow-admin', match: [{ uri: { prefix: '/admin' } }], route: [{ destination: { host: 'admin', port: { number: 8080 } } }],
          retries: { attempts: 3, perTryTimeout: '2s', retryOn: '5xx' }, ...{ fault: { delay: { fixedDelay: '1s', percentage: { value: 10 } } } } },
        { route: [{ destination: { host: name } }], timeout: '3s' },
      ],
      ...{
        tcp: [{ match: [{ port: 5432 }], route: [{ destination: { host: 'postgres', port: { number: 5432 } } }] }],
        tls: [{ match: [{ port: 443, sniHosts: ['secure.example.com'] }], route: [{ destination: { host: 'secure', port: { number: 443 } } }] }],
        exportTo: ['.'],
      },
    } as VirtualService['spec'],
  };
}

async function spec(name: string): Promise<Spec> {
  const vs = await kube.get(virtualServiceType, namespace(), name);
  if (vs === undefined) throw new Error(`VirtualService ${name} not found`);
  return vs.spec as Spec;
}

// The user's entries as the API server stored them, compared as JSON text.
interface Foreign { http: string; tcp: string; tls: string; exportTo: string }
const foreignOf = (stored: Spec): Foreign => ({
  http: JSON.stringify((stored.http ?? []).filter((r) => r.name === 'fault-for-testers' || r.name === 'slow-admin')),
  tcp: JSON.stringify(stored.tcp), tls: JSON.stringify(stored.tls), exportTo: JSON.stringify(stored.exportTo),
});

// One tick of the reconciler as far as routing goes: repair the objects, then move the weights.
async function tick(canary: Canary, weights: Weights): Promise<void> {
  await router.reconcile(canary);
  await router.setRoutes(canary, weights);
  await router.reconcile(canary);
}

beforeAll(async () => {
  await installCrds(join(import.meta.dirname, '..', 'fixtures', 'thirdparty-crds', 'istio-networking.yaml'));
});

describe("the user's own routes on a real API server", () => {
  it('keep every foreign http, tcp and tls route byte for byte through the steps and promotion, then a rollback, and come back whole on finalize', async () => {
    const created = await kube.create(virtualServiceType, usersVirtualService('shop'));
    const stored = created.spec as Spec;
    const expected = foreignOf(stored);
    expect(JSON.parse(expected.http)).toHaveLength(2);
    const canary = canaryFor('shop');

    const run = [split(90, 10), split(80, 20), split(70, 30), split(60, 40), split(50, 50), ALL_PRIMARY];
    const rollback = [split(90, 10), split(80, 20), ALL_PRIMARY];
    for (const weights of [ALL_PRIMARY, ...run, ...rollback]) {
      await tick(canary, weights);
      const now = await spec('shop');
      expect(foreignOf(now), `at ${weights.primary}/${weights.canary}`).toEqual(expected);
      // Order kept: the user's two routes first, then Songbird's in place of the catch-all the Canary took over.
      expect(now.http?.slice(0, 2).map((r) => r.name)).toEqual(['fault-for-testers', 'slow-admin']);
      expect(now.http).toHaveLength(3);
      expect(await router.getRoutes(canary)).toEqual(weights);
    }

    await router.finalize(canary);
    expect(JSON.stringify(await spec('shop'))).toBe(JSON.stringify(stored));
  });

  it('keeps routes the user adds to a VirtualService Songbird created, in their place, across a run', async () => {
    const canary = canaryFor('cart');
    await router.reconcile(canary);
    const current = await kube.get(virtualServiceType, namespace(), 'cart');
    const tester = { name: 'tester', match: [{ headers: { 'x-tester': { exact: 'yes' } } }], route: [{ destination: { host: 'cart-debug' } }] };
    await kube.patch(virtualServiceType, { namespace: namespace(), name: 'cart' }, { spec: { http: [tester, ...(current?.spec?.http ?? [])] } });
    const added = JSON.stringify((await spec('cart')).http?.[0]);
    for (const weights of [split(90, 10), split(50, 50), ALL_PRIMARY]) {
      await tick(canary, weights);
      const now = await spec('cart');
      expect(JSON.stringify(now.http?.[0])).toBe(added);
      expect(await router.getRoutes(canary)).toEqual(weights);
    }
  });

  it('routes canaryMatch requests to the canary only while the canary weight is above 0', async () => {
    const canary = canaryFor('match', { analysis: { canaryMatch: { header: { name: 'X-Canary', exact: 'on' } } } });
    await kube.create(virtualServiceType, usersVirtualService('match'));
    const expected = foreignOf(await spec('match'));
    await tick(canary, split(80, 20));
    const during = await spec('match');
    expect(during.http?.[2]).toMatchObject({ match: [{ headers: { 'x-canary': { exact: 'on' } } }], route: [{ destination: { host: 'match-canary' }, weight: 100 }] });
    expect(during.http).toHaveLength(4);
    expect(foreignOf(during)).toEqual(expected);
    expect(await router.getRoutes(canary)).toEqual(split(80, 20));

    await tick(canary, ALL_PRIMARY);
    const after = await spec('match');
    expect(after.http).toHaveLength(3);
    expect(JSON.stringify(after.http)).not.toContain('x-canary');
    expect(foreignOf(after)).toEqual(expected);
  });
});
