/**
 * Test data for the Istio router: Flagger's router fixtures (pkg/router/router_test.go newTestCanary,
 * newTestABTest and istio_test.go newTestCanaryTCP) as Canaries. Used by the tests only.
 */
import type { CanaryAnalysis } from '../../api/canary-analysis.js';
import type { CanaryService } from '../../api/canary-service.js';
import type { CanaryStatus } from '../../api/canary-status.js';
import type { Canary } from '../../api/canary.js';

/** What a fixture Canary can override; `service` and `analysis` are merged over the fixture's. */
export interface FixtureOverrides {
  name?: string;
  namespace?: string;
  service?: Partial<CanaryService>;
  analysis?: Partial<CanaryAnalysis>;
  status?: CanaryStatus;
}

/** Flagger's `podinfo` Istio Canary: port discovery, headers, CORS, a URI match, retries, an ingress gateway. */
export function istioCanary(overrides: FixtureOverrides = {}): Canary {
  return canary(overrides, {
    port: 9898,
    portDiscovery: true,
    appProtocol: 'http',
    headers: {
      request: { add: { 'x-envoy-upstream-rq-timeout-ms': '15000' }, remove: ['test'] },
      response: { remove: ['token'] },
    },
    corsPolicy: { allowMethods: ['GET', 'POST'] },
    match: [{ name: 'podinfo', uri: { prefix: '/podinfo' }, method: { exact: 'GET' }, ignoreUriCase: true }],
    retries: { attempts: 10, perTryTimeout: '30s', retryOn: 'connect-failure,gateway-error' },
    gateways: ['istio/public-gateway', 'mesh'],
  }, { stepWeight: 10, maxWeight: 50 });
}

/** Flagger's `abtest` Canary: two iterations routed by the header `x-user-type: test`. */
export function abTestCanary(overrides: FixtureOverrides = {}): Canary {
  return canary({ name: 'abtest', ...overrides }, { port: 9898 }, {
    iterations: 2,
    match: [{ headers: { 'x-user-type': { exact: 'test' } } }],
  });
}

/** Flagger's TCP Canary: `appProtocol: TCP`, a port match, an ingress gateway. */
export function tcpCanary(overrides: FixtureOverrides = {}): Canary {
  return canary(overrides, {
    port: 9898, portDiscovery: true, appProtocol: 'TCP', match: [{ port: 9898 }], gateways: ['istio/public-gateway', 'mesh'],
  }, { stepWeight: 10, maxWeight: 50 });
}

function canary(overrides: FixtureOverrides, service: CanaryService, analysis: Partial<CanaryAnalysis>): Canary {
  const name = overrides.name ?? 'podinfo';
  return {
    apiVersion: 'flagger.app/v1beta1',
    kind: 'Canary',
    metadata: { name, namespace: overrides.namespace ?? 'default', uid: `uid-${name}` },
    spec: {
      provider: 'istio',
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      service: { ...service, ...overrides.service },
      analysis: {
        interval: '1m',
        threshold: 10,
        metrics: [{ name: 'request-success-rate', threshold: 99, interval: '1m' }, { name: 'request-duration', threshold: 500, interval: '1m' }],
        ...analysis,
        ...overrides.analysis,
      },
    },
    ...(overrides.status === undefined ? {} : { status: overrides.status }),
  };
}
