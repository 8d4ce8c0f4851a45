import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Canary } from '../../src/api/canary.js';
import { silentLogger } from '../../src/ports/logger.js';
import { desiredRules, desiredSpec } from '../../src/routers/gatewayapi/gatewayapi-desired.js';
import { httpRouteType, type GatewayApiVersion, type HttpRoute, type HttpRouteRule } from '../../src/routers/gatewayapi/gatewayapi-objects.js';
import { gatewayAbCanary, gatewayCanary, type FixtureOverrides } from '../fixtures/gatewayapi-fixtures.js';
import { GatewayApiRouter } from '../../src/routers/gatewayapi/gatewayapi.js';
import { ALL_PRIMARY, type Weights } from '../../src/routers/router.js';
import { sessionAffinityStatus } from '../../src/routers/session-cookies.js';
import { FakeClock } from '../fakes/fake-clock.js';
import { installCrds, testKube, useTestNamespace } from '../support/kube.js';

const namespace = useTestNamespace('gwapi');
const kube = testKube();
const routerFor = (version: GatewayApiVersion): GatewayApiRouter =>
  new GatewayApiRouter({ kube, reader: kube, clock: new FakeClock(), logger: silentLogger, settings: { ingressAnnotationsPrefix: 'nginx.ingress.kubernetes.io' } }, version);
const router = routerFor('v1');
const split = (primary: number, canary: number, mirrored = false): Weights => ({ primary, canary, mirrored });

// Every test uses its own service name, so the tests of this file share one namespace.
const named = (name: string, make: (o: FixtureOverrides) => Canary, overrides: FixtureOverrides = {}): Canary =>
  make({ ...overrides, name, namespace: namespace() });

async function httpRoute(name: string, version: GatewayApiVersion = 'v1'): Promise<HttpRoute> {
  const route = await kube.get(httpRouteType(version), namespace(), name);
  if (route === undefined) throw new Error(`HTTPRoute ${name} not found`);
  return route;
}

// The reconciler's side of the session-affinity contract: cookies go into the status before setRoutes.
function withCookies(canary: Canary, weights: Weights): Canary {
  return { ...canary, status: { ...canary.status, ...sessionAffinityStatus(canary, weights) } };
}

beforeAll(async () => {
  const names = await installCrds(join(import.meta.dirname, '..', 'fixtures', 'thirdparty-crds', 'gateway-api.yaml'));
  expect(names).toContain('httproutes.gateway.networking.k8s.io');
});

describe('Gateway API router on a real API server (objects validated by the Gateway API CRDs)', () => {
  it('creates the HTTPRoute with every service option, writes nothing on a second reconcile, and keeps the split on a spec change', async () => {
    const canary = named('podinfo', gatewayCanary, { service: {
      timeout: '30s', backendTimeout: '10s',
      headers: { request: { set: { 'x-b': '2', 'x-a': '1' }, remove: ['x-drop'] }, response: { add: { 'x-served-by': 'songbird' } } },
      rewrite: { uri: '/', type: 'ReplacePrefixMatch' },
      mirror: [{ backendRef: { name: 'shadow', port: 8080 } }],
      corsPolicy: { allowOrigin: ['https://a.example.com'], allowMethods: ['GET', 'POST'], maxAge: '1m', allowCredentials: true },
    } });
    await router.reconcile(canary);
    const created = await httpRoute('podinfo');
    expect(created.apiVersion).toBe('gateway.networking.k8s.io/v1');
    expect(created.spec).toEqual(desiredSpec(canary));
    expect(created.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Canary', name: 'podinfo', controller: true })]);

    await router.reconcile(canary);
    expect((await httpRoute('podinfo')).metadata.resourceVersion).toBe(created.metadata.resourceVersion);

    await router.setRoutes(canary, split(60, 40));
    const changed = named('podinfo', gatewayCanary, { service: { ...canary.spec.service, timeout: '15s' } });
    await router.reconcile(changed);
    expect(await router.getRoutes(changed)).toEqual(split(60, 40));
    expect((await httpRoute('podinfo')).spec?.rules?.[0]?.timeouts).toEqual({ request: '15s', backendRequest: '10s' });
  });

  it('writes and reads the HTTPRoute as gateway.networking.k8s.io/v1beta1 for the gatewayapi:v1beta1 provider', async () => {
    const v1beta1 = routerFor('v1beta1');
    const canary = named('beta', (o) => gatewayCanary(o, 'gatewayapi:v1beta1'));
    await v1beta1.reconcile(canary);
    const created = await httpRoute('beta', 'v1beta1');
    expect(created.apiVersion).toBe('gateway.networking.k8s.io/v1beta1');
    expect(created.spec).toEqual(desiredSpec(canary));
    await v1beta1.reconcile(canary);
    expect((await httpRoute('beta', 'v1beta1')).metadata.resourceVersion).toBe(created.metadata.resourceVersion);
    await v1beta1.setRoutes(canary, split(80, 20));
    expect(await v1beta1.getRoutes(canary)).toEqual(split(80, 20));
  });

  it('routes A/B conditions (exact and prefix headers, query parameters) within the service match', async () => {
    const canary = named('abtest', gatewayAbCanary, { analysis: {
      match: [{ headers: { 'x-canary': { exact: 'insider' }, 'user-agent': { prefix: 'Mozilla' } } }, { queryParams: { canary: { regex: '^(yes|true)$' } } }],
    } });
    await router.reconcile(canary);
    await router.setRoutes(canary, split(0, 100));
    expect(await router.getRoutes(canary)).toEqual(split(0, 100));
    const rules = (await httpRoute('abtest')).spec?.rules ?? [];
    expect(rules).toEqual(desiredRules(canary, split(0, 100)));
    expect(rules[0]?.matches).toEqual([
      { path: { type: 'PathPrefix', value: '/podinfo' }, headers: [
        { type: 'Exact', name: 'x-canary', value: 'insider' }, { type: 'RegularExpression', name: 'user-agent', value: '^Mozilla.*' }] },
      { path: { type: 'PathPrefix', value: '/podinfo' }, queryParams: [{ type: 'RegularExpression', name: 'canary', value: '^(yes|true)$' }] },
    ]);
  });

  it('mirrors a percentage of the traffic to the canary in a Blue/Green run', async () => {
    const canary = named('mirror', gatewayCanary, { analysis: { stepWeight: undefined, maxWeight: undefined, iterations: 3, mirror: true, mirrorWeight: 25 } });
    await router.reconcile(canary);
    await router.setRoutes(canary, split(100, 0, true));
    expect(await router.getRoutes(canary)).toEqual(split(100, 0, true));
    expect((await httpRoute('mirror')).spec?.rules?.[0]?.filters).toEqual([{ type: 'RequestMirror', requestMirror: {
      backendRef: { group: '', kind: 'Service', name: 'mirror-canary', port: 9898 }, percent: 25,
    } }]);
    await router.reconcile(canary);
    await router.setRoutes(canary, split(0, 100));
    expect(await router.getRoutes(canary)).toEqual(split(0, 100));
  });

  it('pins sessions with cookies through a run, and a second reconcile writes nothing', async () => {
    const canary = named('sticky', gatewayCanary, { analysis: { interval: '15s', sessionAffinity: {
      cookieName: 'canary-cookie', primaryCookieName: 'primary-cookie', maxAge: 300, path: '/', secure: true, sameSite: 'Lax',
    } } });
    await router.reconcile(canary);
    const run = withCookies(canary, split(90, 10));
    await router.setRoutes(run, split(90, 10));
    const rules = (await httpRoute('sticky')).spec?.rules ?? [];
    expect(rules).toEqual(desiredRules(run, split(90, 10)));
    expect(rules).toHaveLength(3);
    const resourceVersion = (await httpRoute('sticky')).metadata.resourceVersion;
    await router.reconcile(run);
    expect((await httpRoute('sticky')).metadata.resourceVersion).toBe(resourceVersion);
    expect(await router.getRoutes(run)).toEqual(split(90, 10));
    const promoted = withCookies(run, ALL_PRIMARY);
    await router.setRoutes(promoted, ALL_PRIMARY);
    expect(await router.getRoutes(promoted)).toEqual(ALL_PRIMARY);
  });

  it('sends analysis.canaryMatch requests to the canary only while it gets traffic', async () => {
    const canary = named('pinned', gatewayCanary, { analysis: { canaryMatch: { cookie: { name: 'tester' } } } });
    await router.reconcile(canary);
    await router.setRoutes(canary, split(90, 10));
    const rules = (await httpRoute('pinned')).spec?.rules ?? [];
    expect(rules).toHaveLength(2);
    expect(rules[0]?.backendRefs).toEqual([{ group: '', kind: 'Service', name: 'pinned-canary', port: 9898, weight: 100 }]);
    expect(await router.getRoutes(canary)).toEqual(split(90, 10));
    await router.setRoutes(canary, ALL_PRIMARY);
    expect((await httpRoute('pinned')).spec?.rules).toHaveLength(1);
  });

  it('refuses to read the split while a Gateway has not accepted the route', async () => {
    const canary = named('pending', gatewayCanary);
    await router.reconcile(canary);
    const route = await httpRoute('pending');
    const parentRef = route.spec?.parentRefs?.[0];
    const status = { parents: [{ parentRef, controllerName: 'example.com/gateway', conditions: [{
      type: 'Accepted', status: 'False', reason: 'NotAllowedByListeners', message: 'no listener', observedGeneration: route.metadata.generation, lastTransitionTime: '2026-01-01T00:00:00Z',
    }] }] };
    await kube.patch(httpRouteType('v1'), { namespace: namespace(), name: 'pending' }, { status }, { subresource: 'status' });
    await expect(router.getRoutes(canary)).rejects.toThrow(`HTTPRoute pending.${namespace()} is not accepted by parent podinfo (reason NotAllowedByListeners)`);
  });

  it("takes over a user's HTTPRoute, leaves its foreign rule byte-for-byte as written after every step, and restores it on finalize", async () => {
    const docsRule: HttpRouteRule = { matches: [{ path: { type: 'PathPrefix', value: '/docs' } }], filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x-docs', value: '1' }] } }], backendRefs: [{ group: '', kind: 'Service', name: 'docs', port: 80, weight: 1 }] };
    const users: HttpRoute = {
      apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute',
      metadata: { name: 'users', namespace: namespace(), labels: { app: 'users' } },
      spec: {
        parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'podinfo', namespace: 'public-gateway' }],
        rules: [docsRule, { backendRefs: [{ group: '', kind: 'Service', name: 'users', port: 9898 }] }],
      },
    };
    const original = (await kube.create(httpRouteType('v1'), users)).spec;
    const foreignAsWritten = JSON.stringify(original?.rules?.[0]);
    const foreignNow = async (): Promise<string> => JSON.stringify((await httpRoute('users')).spec?.rules?.find((r) => r.backendRefs?.[0]?.name === 'docs'));
    const canary = named('users', gatewayCanary, { service: { match: undefined }, analysis: { canaryMatch: { header: { name: 'x-tester', exact: 'yes' } } } });
    await router.reconcile(canary);
    expect(await foreignNow()).toBe(foreignAsWritten);
    for (const weights of [split(90, 10), split(50, 50), split(0, 100), ALL_PRIMARY]) {
      await router.setRoutes(canary, weights);
      await router.reconcile(canary);
      expect(await router.getRoutes(canary)).toEqual(weights);
      expect(await foreignNow()).toBe(foreignAsWritten);
    }
    const running = await httpRoute('users');
    expect(running.metadata.annotations?.['flagger.kubernetes.io/original-configuration']).toBe(JSON.stringify(original));
    expect(running.spec?.rules?.[0]).toEqual(original?.rules?.[0]);
    // The user's rule to the apex Service (PathPrefix /, what service.match matches) is the one taken over.
    expect(running.spec?.rules?.slice(1)).toEqual(desiredRules(canary, ALL_PRIMARY));

    await router.finalize(canary);
    const restored = await httpRoute('users');
    expect(restored.spec).toEqual(original);
    expect(JSON.stringify(restored.spec?.rules?.[0])).toBe(foreignAsWritten);
    expect(restored.metadata.labels).toEqual({ app: 'users' });
    expect(restored.metadata.annotations?.['flagger.kubernetes.io/original-configuration']).toBeUndefined();
  });
});
