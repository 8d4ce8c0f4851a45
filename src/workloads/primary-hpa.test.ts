import { describe, expect, it } from 'vitest';
import type { HorizontalPodAutoscaler } from '../kube/resources.js';
import { desiredPrimaryHpa, hpaNeedsUpdate, primaryHpaUpdate, type HorizontalPodAutoscalerV2 } from './primary-hpa.js';
import { podinfoOwner } from '../../test/fixtures/workloads.js';

const cpu = (averageUtilization: number): NonNullable<NonNullable<HorizontalPodAutoscalerV2['spec']>['metrics']>[number] =>
  ({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization } } });

// Flagger pkg/canary/scaler_reconciler_fixture_test.go: the podinfo HPA
function targetHpa(): HorizontalPodAutoscalerV2 {
  return {
    apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler',
    metadata: {
      name: 'podinfo', namespace: 'default', uid: 'hpa-uid', resourceVersion: '5',
      labels: { app: 'podinfo', 'kustomize.toolkit.fluxcd.io/name': 'apps' },
      annotations: { note: 'scale', 'kubectl.kubernetes.io/last-applied-configuration': '{}', 'helm.toolkit.fluxcd.io/x': 'y' },
    },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
      minReplicas: 2,
      maxReplicas: 4,
      metrics: [cpu(99)],
      behavior: { scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] } },
    },
    status: { currentReplicas: 2, desiredReplicas: 2 },
  };
}

describe('desiredPrimaryHpa', () => {
  // Flagger pkg/canary/hpa_reconciler_test.go Test_reconcilePrimaryHpaV2
  it('copies the target HPA onto the primary Deployment, owned by the Canary', () => {
    expect(desiredPrimaryHpa({ hpa: targetHpa(), owner: podinfoOwner, primaryName: 'podinfo-primary' })).toEqual({
      apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler',
      metadata: {
        name: 'podinfo-primary', namespace: 'default',
        labels: { app: 'podinfo' },
        annotations: { note: 'scale' },
        ownerReferences: [podinfoOwner],
      },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo-primary' },
        minReplicas: 2,
        maxReplicas: 4,
        metrics: [cpu(99)],
        behavior: { scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] } },
      },
    });
  });

  it.each([
    ['overrides both bounds with primaryScalerReplicas', { minReplicas: 2, maxReplicas: 15 }, [2, 15]],
    ['overrides only the bound that is set', { maxReplicas: 10 }, [2, 10]],
    ['keeps the target bounds without an override', undefined, [2, 4]],
  ])('%s', (_name, replicas, [min, max]) => {
    const { spec } = desiredPrimaryHpa({ hpa: targetHpa(), owner: podinfoOwner, primaryName: 'podinfo-primary', replicas });
    expect([spec.minReplicas, spec.maxReplicas]).toEqual([min, max]);
  });

  it('builds a placeholder spec from an HPA without one', () => {
    // The API requires spec, but what the operator reads is JSON: a malformed object must still give a spec.
    const hpa = { metadata: { name: 'bare' } } as HorizontalPodAutoscalerV2;
    expect(desiredPrimaryHpa({ hpa, owner: podinfoOwner, primaryName: 'bare-primary' }).spec).toEqual({
      scaleTargetRef: { kind: 'Deployment', name: 'bare-primary' }, maxReplicas: 1,
    });
  });

  it('accepts an HPA typed with the shared resource type', () => {
    const hpa: HorizontalPodAutoscaler = { metadata: { name: 'podinfo' }, spec: { scaleTargetRef: { kind: 'Deployment', name: 'podinfo' }, maxReplicas: 3 } };
    expect(desiredPrimaryHpa({ hpa, owner: podinfoOwner, primaryName: 'podinfo-primary' }).spec.maxReplicas).toBe(3);
  });

  it('never shares metrics or behavior with the target HPA', () => {
    const hpa = targetHpa();
    const desired = desiredPrimaryHpa({ hpa, owner: podinfoOwner, primaryName: 'podinfo-primary' });
    desired.spec.metrics![0]!.resource!.target.averageUtilization = 1;
    expect(hpa).toEqual(targetHpa());
  });
});

/** The primary HPA as stored: the desired one plus server-set fields. */
function stored(desired: HorizontalPodAutoscalerV2): HorizontalPodAutoscalerV2 {
  const copy = structuredClone(desired);
  return { ...copy, metadata: { ...copy.metadata, uid: 'p-uid', resourceVersion: '9' }, status: { currentReplicas: 2, desiredReplicas: 2 } };
}

describe('hpaNeedsUpdate and primaryHpaUpdate', () => {
  const desired = desiredPrimaryHpa({ hpa: targetHpa(), owner: podinfoOwner, primaryName: 'podinfo-primary' });

  it('needs nothing in steady state', () => {
    expect(hpaNeedsUpdate(stored(desired), desired)).toBe(false);
    expect(primaryHpaUpdate(stored(desired), desired)).toBeUndefined();
  });

  // Flagger pkg/canary/hpa_reconciler_test.go Test_reconcilePrimaryHpaV2 (update)
  it('sends the whole spec when a metric or the max changes', () => {
    const target = targetHpa();
    target.spec.metrics = [cpu(50)];
    target.spec.maxReplicas = 10;
    const next = desiredPrimaryHpa({ hpa: target, owner: podinfoOwner, primaryName: 'podinfo-primary' });
    expect(primaryHpaUpdate(stored(desired), next)).toEqual({ spec: { ...next.spec } });
  });

  it.each<[string, (hpa: HorizontalPodAutoscalerV2) => void]>([
    ['the min', (h) => { h.spec.minReplicas = 3; }],
    ['the max', (h) => { h.spec.maxReplicas = 8; }],
    ['the metrics', (h) => { h.spec.metrics = [cpu(80)]; }],
    ['the behavior', (h) => { h.spec.behavior = undefined; }],
    ['the scale target', (h) => { h.spec.scaleTargetRef.name = 'podinfo'; }],
    ['the labels', (h) => { h.metadata.labels = { app: 'other' }; }],
    ['the annotations', (h) => { h.metadata.annotations = {}; }],
  ])('needs an update when %s differs', (_name, change) => {
    const existing = stored(desired);
    change(existing);
    expect(hpaNeedsUpdate(existing, desired)).toBe(true);
  });

  it('reads an unset min as 1', () => {
    const withMin1 = structuredClone(desired);
    withMin1.spec.minReplicas = 1;
    const existing = stored(desired);
    existing.spec.minReplicas = undefined;
    expect(hpaNeedsUpdate(existing, withMin1)).toBe(false);
  });

  it('patches labels and annotations key by key, fixing the label sync Flagger skips', () => {
    const existing = stored(desired);
    existing.metadata.labels = { app: 'podinfo', stale: 'x' };
    existing.metadata.annotations = {};
    expect(primaryHpaUpdate(existing, desired)).toEqual({ metadata: { labels: { stale: null }, annotations: { note: 'scale' } } });
  });

  it('removes fields the target HPA dropped', () => {
    const target = targetHpa();
    target.spec.behavior = undefined;
    target.spec.minReplicas = undefined;
    const next = desiredPrimaryHpa({ hpa: target, owner: podinfoOwner, primaryName: 'podinfo-primary' });
    expect(primaryHpaUpdate(stored(desired), next)).toEqual({ spec: { ...next.spec, minReplicas: null, behavior: null } });
  });

  it('sends null metrics when the target HPA has none', () => {
    const next = structuredClone(desired);
    next.spec.metrics = undefined;
    expect(primaryHpaUpdate(stored(desired), next)).toEqual({ spec: { ...next.spec, metrics: null } });
  });
});
