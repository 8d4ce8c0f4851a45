import { describe, expect, it } from 'vitest';
import type { Canary } from '../../api/canary.js';
import {
  delegationProblem, desiredDestinationRules, desiredHttpRoutes, desiredTcpRoutes, desiredVirtualService, desiredVirtualServiceSpec,
  routeDestination, virtualServiceGateways, virtualServiceHosts,
} from './istio-desired.js';
import { abTestCanary, istioCanary, tcpCanary } from '../../../test/fixtures/istio-fixtures.js';
import { ALL_PRIMARY } from '../router.js';

const owner = { apiVersion: 'flagger.app/v1beta1', kind: 'Canary', name: 'podinfo', uid: 'uid-podinfo', controller: true, blockOwnerDeletion: true };
const primaryDest = (weight: number): object => ({ destination: { host: 'podinfo-primary', port: { number: 9898 } }, weight });
const canaryDest = (weight: number): object => ({ destination: { host: 'podinfo-canary', port: { number: 9898 } }, weight });

describe('desiredVirtualService', () => {
  it("routes all traffic to the primary with the service's match, retries, CORS policy and headers (Flagger Sync)", () => {
    const canary = istioCanary();
    expect(desiredVirtualService(canary)).toEqual({
      apiVersion: 'networking.istio.io/v1beta1',
      kind: 'VirtualService',
      metadata: {
        name: 'podinfo', namespace: 'default', labels: {}, ownerReferences: [owner],
        annotations: { 'kustomize.toolkit.fluxcd.io/reconcile': 'disabled', 'helm.toolkit.fluxcd.io/driftDetection': 'disabled' },
      },
      spec: {
        hosts: ['podinfo'],
        gateways: ['istio/public-gateway', 'mesh'],
        http: [{
          match: [{ name: 'podinfo', uri: { prefix: '/podinfo' }, method: { exact: 'GET' }, ignoreUriCase: true }],
          retries: { attempts: 10, perTryTimeout: '30s', retryOn: 'connect-failure,gateway-error' },
          corsPolicy: { allowMethods: ['GET', 'POST'] },
          headers: {
            request: { add: { 'x-envoy-upstream-rq-timeout-ms': '15000' }, remove: ['test'] },
            response: { remove: ['token'] },
          },
          route: [primaryDest(100), canaryDest(0)],
        }],
      },
    });
  });

  it('puts the apex labels and annotations on the VirtualService, with the Flux opt-out annotations', () => {
    const canary = istioCanary({ service: { apex: { labels: { team: 'a' }, annotations: { note: 'x' } } } });
    expect(desiredVirtualService(canary).metadata).toMatchObject({
      labels: { team: 'a' },
      annotations: { note: 'x', 'kustomize.toolkit.fluxcd.io/reconcile': 'disabled', 'helm.toolkit.fluxcd.io/driftDetection': 'disabled' },
    });
  });

  it('sets the timeout and an Istio rewrite (uri and authority only), and leaves out empty ones', () => {
    const route = (service: Parameters<typeof istioCanary>[0]): object | undefined => desiredHttpRoutes(istioCanary(service), ALL_PRIMARY)[0];
    expect(route({ service: { timeout: '30s', rewrite: { uri: '/', authority: 'x', type: 'ReplacePrefixMatch' } } }))
      .toMatchObject({ timeout: '30s', rewrite: { uri: '/', authority: 'x' } });
    expect(route({ service: { timeout: '', rewrite: { type: 'ReplacePrefixMatch' } } })).not.toHaveProperty('rewrite');
    expect(route({ service: { timeout: '' } })).not.toHaveProperty('timeout');
  });

  it('does not mutate the Canary', () => {
    const canary = istioCanary({ analysis: { sessionAffinity: { cookieName: 'c' } }, status: { sessionAffinityCookie: 'c=abc' } });
    const before = structuredClone(canary);
    desiredVirtualService(canary, { primary: 50, canary: 50, mirrored: false });
    desiredVirtualService(canary, ALL_PRIMARY);
    expect(canary).toEqual(before);
  });
});

describe('hosts and gateways', () => {
  it.each<[string, string[] | undefined, string[]]>([
    ['uses the apex name when no hosts are set', undefined, ['podinfo']],
    ['appends the apex name to the hosts', ['app.example.com'], ['app.example.com', 'podinfo']],
    ['does not repeat the apex name', ['podinfo', 'app.example.com'], ['podinfo', 'app.example.com']],
    ['does not add the apex name next to the * host', ['*'], ['*']],
  ])('%s', (_name, hosts, expected) => {
    expect(virtualServiceHosts(istioCanary({ service: { hosts } }))).toEqual(expected);
  });

  it.each<[string, string[] | undefined, string[]]>([
    ['defaults to the mesh gateway', undefined, ['mesh']],
    ['defaults to the mesh gateway for an empty list', [], ['mesh']],
    ['keeps the listed gateways', ['istio/public-gateway'], ['istio/public-gateway']],
  ])('%s', (_name, gateways, expected) => {
    expect(virtualServiceGateways(istioCanary({ service: { gateways } }))).toEqual(expected);
  });
});

describe('destinations (Flagger GatewayPort)', () => {
  it.each<[string, Parameters<typeof istioCanary>[0], object]>([
    ['sets the port with port discovery behind an ingress gateway', {}, { host: 'h', port: { number: 9898 } }],
    ['sets no port when the first gateway is the mesh', { service: { gateways: ['mesh', 'istio/public-gateway'] } }, { host: 'h' }],
    ['sets no port without gateways', { service: { gateways: [] } }, { host: 'h' }],
    ['sets no port without port discovery', { service: { portDiscovery: false } }, { host: 'h' }],
    ['sets the port for a delegate with port discovery', { service: { gateways: [], delegation: true } }, { host: 'h', port: { number: 9898 } }],
  ])('%s', (_name, overrides, expected) => {
    expect(routeDestination(istioCanary(overrides), 'h', 10)).toEqual({ destination: expected, weight: 10 });
  });
});

describe('delegation (Flagger Delegate)', () => {
  const delegate = istioCanary({ service: { hosts: [], gateways: [], delegation: true } });

  it('writes a delegate VirtualService without hosts and gateways, with destination ports', () => {
    const spec = desiredVirtualServiceSpec(delegate);
    expect(spec).not.toHaveProperty('hosts');
    expect(spec).not.toHaveProperty('gateways');
    expect(spec.http?.[0]?.route?.[0]?.destination.port).toEqual({ number: 9898 });
    expect(delegationProblem(delegate)).toBeUndefined();
  });

  it('accepts a delegate that leaves hosts and gateways out altogether', () => {
    expect(delegationProblem(istioCanary({ service: { delegation: true, gateways: undefined } }))).toBeUndefined();
  });

  it.each<[string, Parameters<typeof istioCanary>[0]]>([
    ['rejects delegation with gateways', { service: { delegation: true, hosts: [] } }],
    ['rejects delegation with hosts', { service: { delegation: true, gateways: [], hosts: ['app.example.com'] } }],
  ])('%s', (_name, overrides) => {
    expect(delegationProblem(istioCanary(overrides))).toBe('VirtualService podinfo.default cannot have hosts and gateways when delegation enabled');
  });
});

describe('traffic split', () => {
  it('writes the weights of the split on the two destinations (Flagger SetRoutes normal)', () => {
    const [route] = desiredHttpRoutes(istioCanary(), { primary: 60, canary: 40, mirrored: false });
    expect(route?.route).toEqual([primaryDest(60), canaryDest(40)]);
    expect(route).not.toHaveProperty('mirror');
  });

  it.each([[90, 10], [100, 0]])('writes one weighted route at %i/%i once session affinity is turned off, though the status still holds a cookie', (primary, canary) => {
    const routes = desiredHttpRoutes(istioCanary({ status: { sessionAffinityCookie: 'c=abc' } }), { primary, canary, mirrored: false });
    expect(routes.map((r) => r.route)).toEqual([[primaryDest(primary), canaryDest(canary)]]);
  });

  it.each<[string, number, object]>([
    ['mirrors every request when mirrorWeight is 0', 0, { mirror: { host: 'podinfo-canary' } }],
    ['mirrors 10 percent of the requests', 10, { mirror: { host: 'podinfo-canary' }, mirrorPercentage: { value: 10 } }],
    ['mirrors 50 percent of the requests', 50, { mirror: { host: 'podinfo-canary' }, mirrorPercentage: { value: 50 } }],
  ])('%s (Flagger SetRoutes mirror)', (_name, mirrorWeight, expected) => {
    const [route] = desiredHttpRoutes(istioCanary({ analysis: { mirror: true, mirrorWeight } }), { primary: 100, canary: 0, mirrored: true });
    expect({ mirror: route?.mirror, mirrorPercentage: route?.mirrorPercentage }).toEqual({ mirrorPercentage: undefined, ...expected });
    expect(route?.route).toEqual([primaryDest(100), canaryDest(0)]);
  });
});

describe('A/B testing (Flagger ABTest and Match)', () => {
  it('sends the A/B condition to the split and everything else to the primary alone', () => {
    const routes = desiredHttpRoutes(abTestCanary(), { primary: 0, canary: 100, mirrored: false });
    expect(routes).toEqual([
      {
        match: [{ headers: { 'x-user-type': { exact: 'test' } } }],
        route: [{ destination: { host: 'abtest-primary' }, weight: 0 }, { destination: { host: 'abtest-canary' }, weight: 100 }],
      },
      { route: [{ destination: { host: 'abtest-primary' }, weight: 100 }] },
    ]);
  });

  it('narrows each A/B condition by the service match, and the primary route keeps the service match', () => {
    const canary = abTestCanary({
      service: { match: [{ name: 'podinfo', uri: { prefix: '/podinfo' }, method: { exact: 'GET' }, ignoreUriCase: true }] },
      analysis: { match: [
        { headers: { 'x-user-type': { exact: 'test' }, 'x-auth-test': { exact: 'test' } } },
        { headers: { 'x-session-id': { exact: 'test' } } },
      ] },
    });
    const [canaryRoute, primaryRoute] = desiredHttpRoutes(canary, ALL_PRIMARY);
    const base = { name: 'podinfo', uri: { prefix: '/podinfo' }, method: { exact: 'GET' }, ignoreUriCase: true };
    expect(canaryRoute?.match).toEqual([
      { ...base, headers: { 'x-user-type': { exact: 'test' }, 'x-auth-test': { exact: 'test' } } },
      { ...base, headers: { 'x-session-id': { exact: 'test' } } },
    ]);
    expect(primaryRoute?.match).toEqual([base]);
  });

  it('ignores session affinity and mirroring in an A/B test, as Flagger does', () => {
    const canary = abTestCanary({ analysis: { sessionAffinity: { cookieName: 'c' } }, status: { sessionAffinityCookie: 'c=abc' } });
    const routes = desiredHttpRoutes(canary, { primary: 0, canary: 100, mirrored: true });
    expect(routes).toHaveLength(2);
    expect(routes[0]).not.toHaveProperty('mirror');
  });
});

describe('TCP (Flagger SetRoutesTCP)', () => {
  it('writes one TCP route matching the service port, with weighted destinations', () => {
    const spec = desiredVirtualServiceSpec(tcpCanary(), { primary: 60, canary: 40, mirrored: false });
    expect(spec.http).toBeUndefined();
    expect(spec.tcp).toEqual([{ match: [{ port: 9898 }], route: [primaryDest(60), canaryDest(40)] }]);
  });

  it('writes no TCP match without service matches, and never a mirror', () => {
    const routes = desiredTcpRoutes(tcpCanary({ service: { match: [] } }), { primary: 100, canary: 0, mirrored: true });
    expect(routes).toEqual([{ route: [primaryDest(100), canaryDest(0)] }]);
    expect(desiredTcpRoutes(tcpCanary({ service: { match: undefined } }), ALL_PRIMARY)).toEqual([{ route: [primaryDest(100), canaryDest(0)] }]);
  });
});

describe('desiredDestinationRules', () => {
  it.each<[string, Canary, object]>([
    ['names each rule after its Service, with no traffic policy by default', istioCanary(), {}],
    ['copies the traffic policy into both rules', istioCanary({ service: { trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } } }),
      { trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } }],
  ])('%s', (_name, canary, extra) => {
    expect(desiredDestinationRules(canary)).toEqual(['podinfo-canary', 'podinfo-primary'].map((name) => ({
      apiVersion: 'networking.istio.io/v1beta1',
      kind: 'DestinationRule',
      metadata: { name, namespace: 'default', ownerReferences: [owner] },
      spec: { host: name, ...extra },
    })));
  });

  it('uses service.name for the rule names', () => {
    expect(desiredDestinationRules(istioCanary({ service: { name: 'web' } })).map((r) => r.spec?.host)).toEqual(['web-canary', 'web-primary']);
  });
});
