import { describe, expect, it } from 'vitest';
import { mergePatch } from '../../../test/fakes/json-patch.js';
import { desiredHttpRoute } from './gatewayapi-desired.js';
import type { HttpRoute, HttpRouteRule } from './gatewayapi-objects.js';
import { finalizePatch, httpRouteReconcilePatch, routesPatch } from './gatewayapi-patches.js';
import { readWeights } from './gatewayapi-routes.js';
import { notAcceptedParents } from './gatewayapi-status.js';
import { gatewayCanary } from '../../../test/fixtures/gatewayapi-fixtures.js';

const canary = gatewayCanary();
const foreign: HttpRouteRule = { matches: [{ path: { type: 'PathPrefix', value: '/docs' } }], backendRefs: [{ group: '', kind: 'Service', name: 'docs', port: 80, weight: 1 }] };
const apexRule: HttpRouteRule = { matches: [{ path: { type: 'PathPrefix', value: '/podinfo' } }], backendRefs: [{ group: '', kind: 'Service', name: 'podinfo', port: 9898, weight: 1 }] };
const adminRule: HttpRouteRule = { matches: [{ path: { type: 'PathPrefix', value: '/admin' } }], backendRefs: [{ group: '', kind: 'Service', name: 'podinfo', port: 9898, weight: 1 }] };

function usersRoute(): HttpRoute {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute',
    metadata: { name: 'podinfo', namespace: 'default', resourceVersion: '7', annotations: { team: 'web' } },
    spec: {
      parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'old' }],
      rules: [structuredClone(foreign), structuredClone(apexRule), structuredClone(adminRule)],
    },
  };
}

const applied = (route: HttpRoute, patch: unknown): HttpRoute => mergePatch(route, patch) as HttpRoute;

describe('Gateway API patches', () => {
  it("takes over a user's HTTPRoute: the apex rule matching service.match is replaced in place, the other rules stay, the original spec is saved", () => {
    const route = usersRoute();
    const patch = httpRouteReconcilePatch(route, canary, 'v1') as { metadata: { annotations: Record<string, string> } };
    const after = applied(route, patch);
    expect(after.spec?.rules).toEqual([foreign, ...desiredHttpRoute(canary, 'v1').spec?.rules ?? [], adminRule]);
    expect(after.spec?.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'podinfo', namespace: 'public-gateway' }]);
    expect(JSON.parse(patch.metadata.annotations['flagger.kubernetes.io/original-configuration'] ?? '')).toEqual(route.spec);
    expect(after.metadata.annotations?.team).toBe('web');
    expect(httpRouteReconcilePatch({ ...after, metadata: { ...after.metadata, resourceVersion: '8' } }, canary, 'v1')).toBeUndefined();
  });

  it("puts Songbird's rules last when no apex rule matches what service.match matches", () => {
    const route = usersRoute();
    const other = gatewayCanary({ service: { match: [{ uri: { prefix: '/api' } }] } });
    const after = applied(route, httpRouteReconcilePatch(route, other, 'v1'));
    expect(after.spec?.rules).toEqual([foreign, apexRule, adminRule, ...desiredHttpRoute(other, 'v1').spec?.rules ?? []]);
  });

  it('moves weights in the managed rule only and writes nothing when the split is already in force', () => {
    const taken = applied(usersRoute(), httpRouteReconcilePatch(usersRoute(), canary, 'v1'));
    const moved = applied(taken, routesPatch(taken, canary, { primary: 70, canary: 30, mirrored: false }));
    expect(moved.spec?.rules?.[0]).toEqual(foreign);
    expect(moved.spec?.rules?.[2]).toEqual(adminRule);
    expect(readWeights(moved.spec ?? {}, canary)).toEqual({ primary: 70, canary: 30, mirrored: false });
    expect(routesPatch(moved, canary, { primary: 70, canary: 30, mirrored: false })).toBeUndefined();
  });

  it('keeps the split on a spec change that is not about routing (parity: Flagger resets it to 100/0)', () => {
    const taken = applied(usersRoute(), httpRouteReconcilePatch(usersRoute(), canary, 'v1'));
    const moved = applied(taken, routesPatch(taken, canary, { primary: 60, canary: 40, mirrored: false }));
    const changed = gatewayCanary({ service: { timeout: '5s' } });
    const after = applied(moved, httpRouteReconcilePatch(moved, changed, 'v1'));
    expect(readWeights(after.spec ?? {}, changed)).toEqual({ primary: 60, canary: 40, mirrored: false });
    expect(after.spec?.rules?.find((r) => r.timeouts !== undefined)?.timeouts).toEqual({ request: '5s' });
    expect(after.spec?.rules?.[0]).toEqual(foreign);
  });

  it('restores the original spec on finalize and drops the saved copy', () => {
    const route = usersRoute();
    const taken = applied(route, httpRouteReconcilePatch(route, canary, 'v1'));
    const restored = applied(taken, finalizePatch(taken));
    expect(restored.spec).toEqual(route.spec);
    expect(restored.metadata.annotations?.['flagger.kubernetes.io/original-configuration']).toBeUndefined();
    expect(finalizePatch(restored)).toBeUndefined();
  });

  it('waits for a parent that has not accepted the current generation, and not for one without status', () => {
    const route: HttpRoute = { ...desiredHttpRoute(canary, 'v1'), metadata: { name: 'podinfo', generation: 3 } };
    expect(notAcceptedParents(route)).toBeUndefined();
    const parentRef = { name: 'podinfo', namespace: 'public-gateway' };
    const withStatus = (status: string, observedGeneration: number): HttpRoute =>
      ({ ...route, status: { parents: [{ parentRef, conditions: [{ type: 'Accepted', status, observedGeneration, reason: 'NotAllowedByListeners' }] }] } });
    expect(notAcceptedParents(withStatus('False', 3))).toBe('is not accepted by parent podinfo (reason NotAllowedByListeners)');
    expect(notAcceptedParents(withStatus('True', 2))).toBe('generation 3 is not yet observed by parent podinfo');
    expect(notAcceptedParents(withStatus('True', 3))).toBeUndefined();
  });
});
