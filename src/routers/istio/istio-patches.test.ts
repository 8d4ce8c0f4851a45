import { describe, expect, it } from 'vitest';
import type { Canary } from '../../api/canary.js';
import { mergePatch } from '../../../test/fakes/json-patch.js';
import { desiredDestinationRules, desiredHttpRoutes, desiredVirtualService } from './istio-desired.js';
import type { DestinationRule, VirtualService } from './istio-objects.js';
import {
  destinationRulePatch, finalizePatch, originalSpec, routesPatch, virtualServiceMetadataPatch, virtualServiceReconcilePatch,
} from './istio-patches.js';
import { readWeights } from './istio-routes.js';
import { istioCanary, tcpCanary } from '../../../test/fixtures/istio-fixtures.js';
import { ALL_PRIMARY, type Weights } from '../router.js';

const split = (primary: number, canary: number, mirrored = false): Weights => ({ primary, canary, mirrored });
const flux = { 'kustomize.toolkit.fluxcd.io/reconcile': 'disabled', 'helm.toolkit.fluxcd.io/driftDetection': 'disabled' };

// A VirtualService as the API returns it after the router created it and moved traffic to `weights`.
function stored(canary: Canary, weights: Weights = ALL_PRIMARY): VirtualService {
  const vs = desiredVirtualService(canary, weights);
  return { ...vs, metadata: { ...vs.metadata, resourceVersion: '7' } };
}

// A user's VirtualService, not owned by any Canary.
function usersVs(annotations: Record<string, string> = {}): VirtualService {
  return {
    metadata: { name: 'podinfo', namespace: 'default', resourceVersion: '3', labels: { app: 'podinfo' }, annotations },
    spec: { hosts: ['podinfo'], http: [{ route: [{ destination: { host: 'podinfo' } }] }], ...{ exportTo: ['.'] } },
  };
}

const apply = (object: VirtualService, patch: unknown): VirtualService => mergePatch(object, patch) as VirtualService;

describe('destinationRulePatch', () => {
  const [desired] = desiredDestinationRules(istioCanary({ service: { trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } } })) as [DestinationRule];

  it.each<[string, DestinationRule['spec'], unknown]>([
    ['writes nothing when host and traffic policy are as desired', { host: 'podinfo-canary', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } }, undefined],
    ['leaves fields it does not own alone', { host: 'podinfo-canary', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } }, ...{ subsets: [{ name: 'v1' }] } },
      undefined],
    ['patches a changed traffic policy key by key', { host: 'podinfo-canary', trafficPolicy: { tls: { mode: 'DISABLE' }, ...{ portLevelSettings: [] } } },
      { spec: { trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' }, portLevelSettings: null } } }],
    ['sets a missing host', {}, { spec: { host: 'podinfo-canary', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } } }],
  ])('%s', (_name, spec, expected) => {
    expect(destinationRulePatch({ metadata: { name: 'podinfo-canary' }, spec }, desired)).toEqual(expected);
  });

  it('removes a traffic policy the Canary no longer sets', () => {
    const [plain] = desiredDestinationRules(istioCanary()) as [DestinationRule];
    expect(destinationRulePatch({ metadata: { name: 'podinfo-canary' }, spec: { host: 'podinfo-canary', trafficPolicy: {} } }, plain))
      .toEqual({ spec: { trafficPolicy: null } });
  });
});

describe('virtualServiceReconcilePatch', () => {
  it.each<[string, Canary, Weights]>([
    ['writes nothing in steady state', istioCanary(), ALL_PRIMARY],
    ['writes nothing when only the weights moved', istioCanary(), split(60, 40)],
    ['writes nothing when the route is mirrored', istioCanary({ analysis: { mirror: true, mirrorWeight: 30 } }), split(100, 0, true)],
    ['writes nothing when sticky-session rules were added', istioCanary({ analysis: { sessionAffinity: { cookieName: 'c' } },
      status: { sessionAffinityCookie: 'c=Cc' } }), split(90, 10)],
    ['writes nothing for a TCP route with a split', tcpCanary(), split(80, 20)],
  ])('%s', (_name, canary, weights) => {
    expect(virtualServiceReconcilePatch(stored(canary, weights), canary)).toBeUndefined();
  });

  it('rewrites the routes on a spec change but keeps the current split and mirror (Flagger resets to 100/0)', () => {
    const before = istioCanary({ analysis: { mirror: true } });
    const existing = stored(before, split(100, 0, true));
    const changed = istioCanary({ analysis: { mirror: true }, service: { timeout: '5s' } });
    const patch = virtualServiceReconcilePatch(existing, changed);
    expect(patch).toEqual({ metadata: { resourceVersion: '7' }, spec: { http: desiredHttpRoutes(changed, split(100, 0, true)) } });
    const after = apply(existing, patch);
    expect(after.spec?.http?.[0]?.timeout).toBe('5s');
    expect(readWeights(after.spec ?? {}, changed)).toEqual(split(100, 0, true));
  });

  it('keeps a 60/40 split when the hosts change, and patches only the hosts', () => {
    const existing = stored(istioCanary(), split(60, 40));
    const changed = istioCanary({ service: { hosts: ['app.example.com'] } });
    expect(virtualServiceReconcilePatch(existing, changed)).toEqual({ metadata: { resourceVersion: '7' }, spec: { hosts: ['app.example.com', 'podinfo'] } });
  });

  it('reverts a gateway someone added (Flagger Sync drift)', () => {
    const existing = stored(istioCanary());
    const drifted = { ...existing, spec: { ...existing.spec, gateways: ['istio/public-gateway', 'mesh', 'istio-system/test-gateway'] } };
    expect(virtualServiceReconcilePatch(drifted, istioCanary())).toEqual({ metadata: { resourceVersion: '7' }, spec: { gateways: ['istio/public-gateway', 'mesh'] } });
  });

  it('removes stale hosts and gateways when delegation is turned on', () => {
    const delegate = istioCanary({ service: { delegation: true, hosts: [], gateways: [] } });
    const patch = virtualServiceReconcilePatch(stored(istioCanary()), delegate) as { spec: Record<string, unknown> };
    expect(patch.spec).toMatchObject({ hosts: null, gateways: null });
  });

  it('switches from HTTP to TCP routes, removing the HTTP ones', () => {
    const patch = virtualServiceReconcilePatch(stored(istioCanary()), tcpCanary()) as { spec: Record<string, unknown> };
    expect(patch.spec).toEqual({ http: null, tcp: [{ match: [{ port: 9898 }], route: expect.any(Array) }] });
  });

  it('takes over a user VirtualService: saves its spec once, adds the Flux opt-out, keeps its labels and other fields', () => {
    const users = usersVs();
    const patch = virtualServiceReconcilePatch(users, istioCanary());
    const after = apply(users, patch);
    expect(after.metadata.annotations).toEqual({ ...flux, 'flagger.kubernetes.io/original-configuration': JSON.stringify(users.spec) });
    expect(after.metadata.labels).toEqual({ app: 'podinfo' });
    expect(after.spec).toMatchObject({ exportTo: ['.'], hosts: ['podinfo'], gateways: ['istio/public-gateway', 'mesh'] });
    expect(after.metadata.ownerReferences).toBeUndefined();

    const later = virtualServiceReconcilePatch({ ...after, spec: { ...after.spec, hosts: ['other'] } }, istioCanary());
    expect(later).toEqual({ metadata: { resourceVersion: '3' }, spec: { hosts: ['podinfo'] } });
  });

  it("does not save a copy of a taken-over spec when kubectl's last-applied record exists", () => {
    const users = usersVs({ 'kubectl.kubernetes.io/last-applied-configuration': '{}' });
    expect(virtualServiceMetadataPatch(users, desiredVirtualService(istioCanary()), istioCanary())).toEqual({ annotations: flux });
  });

  it('gives its own VirtualService exactly the apex metadata, keeping kubectl, the saved spec and unmanaged keys', () => {
    const canary = istioCanary({ service: { apex: { labels: { team: 'a' } }, unmanagedMetadata: { labels: ['argocd'], annotations: ['note'] } } });
    const existing = stored(canary);
    existing.metadata.labels = { team: 'b', argocd: 'x', extra: '1' };
    existing.metadata.annotations = { ...flux, note: 'keep', other: 'drop', 'kubectl.kubernetes.io/last-applied-configuration': '{}',
      'flagger.kubernetes.io/original-configuration': '{}' };
    expect(virtualServiceMetadataPatch(existing, desiredVirtualService(canary), canary)).toEqual({ labels: { team: 'a', extra: null }, annotations: { other: null } });
  });
});

describe('routesPatch', () => {
  it('writes nothing when the routes already hold the split', () => {
    expect(routesPatch(stored(istioCanary(), split(60, 40)), istioCanary(), split(60, 40))).toBeUndefined();
  });

  it.each<[string, Canary, 'http' | 'tcp']>([
    ['patches only the HTTP routes for a new split', istioCanary(), 'http'],
    ['patches only the TCP routes of a TCP service', tcpCanary(), 'tcp'],
  ])('%s', (_name, canary, field) => {
    const patch = routesPatch(stored(canary), canary, split(60, 40)) as { spec: Record<string, unknown>; metadata: object };
    expect(Object.keys(patch.spec)).toEqual([field]);
    expect(patch.metadata).toEqual({ resourceVersion: '7' });
    expect(readWeights(apply(stored(canary), patch).spec ?? {}, canary)).toEqual(split(60, 40));
  });
});

describe('finalize (Flagger Finalize)', () => {
  const takenOver = (annotations: Record<string, string>): VirtualService => ({
    ...stored(istioCanary(), split(60, 40)),
    metadata: { name: 'podinfo', namespace: 'default', resourceVersion: '9', annotations },
  });
  const kubectlRecord = JSON.stringify({ apiVersion: 'networking.istio.io/v1beta1', kind: 'VirtualService', metadata: { name: 'podinfo' },
    spec: { gateways: ['istio-system/ingressgateway'], hosts: ['podinfo'], http: [{ route: [{ destination: { host: 'podinfo' } }] }] } });

  it.each<[string, Record<string, string>, object | undefined]>([
    ['restores the spec saved at takeover', { 'flagger.kubernetes.io/original-configuration': '{"hosts":["podinfo"],"http":[{"route":[{"destination":{"host":"podinfo"}}]}]}' },
      { hosts: ['podinfo'], http: [{ route: [{ destination: { host: 'podinfo' } }] }] }],
    ["restores the spec of kubectl's last-applied record", { 'kubectl.kubernetes.io/last-applied-configuration': kubectlRecord },
      { gateways: ['istio-system/ingressgateway'], hosts: ['podinfo'], http: [{ route: [{ destination: { host: 'podinfo' } }] }] }],
    ['has nothing to restore without either annotation', {}, undefined],
  ])('%s', (_name, annotations, expected) => {
    const existing = takenOver(annotations);
    expect(originalSpec(existing)).toEqual(expected);
    const patch = finalizePatch(existing);
    if (expected === undefined) return expect(patch).toBeUndefined();
    const after = apply(existing, patch);
    expect(after.spec).toEqual(expected);
    expect(after.metadata.annotations?.['flagger.kubernetes.io/original-configuration']).toBeUndefined();
    expect((patch as { metadata: object }).metadata).toMatchObject({ resourceVersion: '9' });
  });

  it('fails with the annotation named when it is not JSON', () => {
    expect(() => finalizePatch(takenOver({ 'flagger.kubernetes.io/original-configuration': 'not json' })))
      .toThrow('VirtualService podinfo.default failed to unmarshal annotation flagger.kubernetes.io/original-configuration');
  });
});
