/**
 * Test data for the Gateway API router: Flagger's Gateway API router fixture (pkg/router/router_test.go
 * newTestGatewayAPICanary) as a Canary, and an A/B variant. Used by the tests only.
 */
import type { Canary } from '../../api/canary.js';
import { istioCanary, type FixtureOverrides } from '../istio/istio-test-fixtures.js';

export type { FixtureOverrides } from '../istio/istio-test-fixtures.js';

/** Flagger's `podinfo` Gateway API Canary: a parent Gateway, a host name, a prefix match, 10% steps. */
export function gatewayCanary(overrides: FixtureOverrides = {}, provider: 'gatewayapi:v1' | 'gatewayapi:v1beta1' = 'gatewayapi:v1'): Canary {
  const base = istioCanary({ ...overrides, service: {
    port: 9898,
    gatewayRefs: [{ name: 'podinfo', namespace: 'public-gateway' }],
    hosts: ['www.example.com'],
    match: [{ uri: { prefix: '/podinfo' } }],
    ...overrides.service,
  } });
  const { portDiscovery: _p, appProtocol: _a, headers: _h, corsPolicy: _c, retries: _r, gateways: _g, ...service } = base.spec.service ?? { port: 9898 };
  return { ...base, spec: { ...base.spec, provider, service: { ...service, ...overrides.service } } };
}

/** The same Canary as an A/B test on the header `x-canary: insider`, two iterations. */
export function gatewayAbCanary(overrides: FixtureOverrides = {}): Canary {
  return gatewayCanary({ ...overrides, analysis: {
    stepWeight: undefined, maxWeight: undefined, iterations: 2, match: [{ headers: { 'x-canary': { exact: 'insider' } } }], ...overrides.analysis,
  } });
}
