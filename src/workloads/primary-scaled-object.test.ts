import { describe, expect, it } from 'vitest';
import type { ScaledObject, ScaleTrigger } from '../kube/resources.js';
import { desiredPrimaryScaledObject, pausePatch, primaryScaledObjectUpdate, primaryTriggers } from './primary-scaled-object.js';
import { podinfoOwner } from '../../test/fixtures/workloads.js';

// Flagger's docs (tutorials/keda-scaledobject): the podinfo ScaledObject with a Prometheus trigger.
function targetSo(): ScaledObject {
  return {
    apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject',
    metadata: {
      name: 'podinfo-so', namespace: 'test', uid: 'so-uid', resourceVersion: '7',
      labels: { app: 'podinfo', 'kustomize.toolkit.fluxcd.io/name': 'apps' },
      annotations: { note: 'keda', 'autoscaling.keda.sh/paused-replicas': '0', 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
    },
    spec: {
      scaleTargetRef: { name: 'podinfo', kind: 'Deployment', apiVersion: 'apps/v1' },
      pollingInterval: 10, cooldownPeriod: 20, minReplicaCount: 1, maxReplicaCount: 3,
      triggers: [{
        type: 'prometheus', name: 'rps',
        metadata: { serverAddress: 'http://prometheus.istio-system:9090', query: 'sum(rate(http_requests_total{app="podinfo-canary"}[2m]))', threshold: '5' },
      }],
    },
    status: { hpaName: 'keda-hpa-podinfo-so' },
  };
}

describe('desiredPrimaryScaledObject', () => {
  it('copies the target ScaledObject onto podinfo-primary with its queries rewritten, owned by the Canary', () => {
    expect(desiredPrimaryScaledObject({ scaledObject: targetSo(), owner: podinfoOwner, targetName: 'podinfo' })).toEqual({
      apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject',
      metadata: { name: 'podinfo-so-primary', namespace: 'test', labels: { app: 'podinfo' }, annotations: { note: 'keda' }, ownerReferences: [podinfoOwner] },
      spec: {
        scaleTargetRef: { name: 'podinfo-primary', kind: 'Deployment', apiVersion: 'apps/v1' },
        pollingInterval: 10, cooldownPeriod: 20, minReplicaCount: 1, maxReplicaCount: 3,
        triggers: [{
          type: 'prometheus', name: 'rps',
          metadata: { serverAddress: 'http://prometheus.istio-system:9090', query: 'sum(rate(http_requests_total{app="podinfo-primary"}[2m]))', threshold: '5' },
        }],
      },
    });
  });

  it('takes the replica bounds from primaryScalerReplicas over the target\'s', () => {
    const so = desiredPrimaryScaledObject({ scaledObject: targetSo(), owner: podinfoOwner, targetName: 'podinfo', replicas: { minReplicas: 2, maxReplicas: 6 } });
    expect(so.spec).toMatchObject({ minReplicaCount: 2, maxReplicaCount: 6 });
  });

  it('gives a custom HPA name the -primary suffix, since two ScaledObjects cannot share one HPA', () => {
    const target = targetSo();
    target.spec!.advanced = { horizontalPodAutoscalerConfig: { name: 'podinfo-hpa', behavior: { scaleDown: {} } }, restoreToOriginalReplicaCount: true };
    const so = desiredPrimaryScaledObject({ scaledObject: target, owner: podinfoOwner, targetName: 'podinfo' });
    expect(so.spec?.advanced).toEqual({ horizontalPodAutoscalerConfig: { name: 'podinfo-hpa-primary', behavior: { scaleDown: {} } }, restoreToOriginalReplicaCount: true });
    expect(target.spec?.advanced?.horizontalPodAutoscalerConfig?.name).toBe('podinfo-hpa');
  });
});

describe('primaryTriggers', () => {
  const trigger = (name: string | undefined, query?: string): ScaleTrigger =>
    ({ type: 'prometheus', ...(name === undefined ? {} : { name }), metadata: { threshold: '5', ...(query === undefined ? {} : { query }) } });

  it('rewrites the target name and its -canary name to the -primary name, and leaves a -primary name alone', () => {
    const [rewritten] = primaryTriggers([trigger('a', 'x{deployment="podinfo"} + y{app="podinfo-canary"} + z{app="podinfo-primary"}')], 'podinfo');
    expect(rewritten?.metadata.query).toBe('x{deployment="podinfo-primary"} + y{app="podinfo-primary"} + z{app="podinfo-primary"}');
  });

  it('treats the target name literally, not as a pattern', () => {
    const [rewritten] = primaryTriggers([trigger('a', 'up{app="pod.info"} + up{app="podXinfo"}')], 'pod.info');
    expect(rewritten?.metadata.query).toBe('up{app="pod.info-primary"} + up{app="podXinfo"}');
  });

  it('with primaryScalerQueries, sets the named triggers\' queries and leaves the others as the target\'s, unrewritten', () => {
    const result = primaryTriggers([trigger('rps', 'q{app="podinfo"}'), trigger('latency', 'l{app="podinfo"}'), trigger(undefined, 'n{app="podinfo"}')],
      'podinfo', { rps: 'primary_rps' });
    expect(result.map((t) => t.metadata.query)).toEqual(['primary_rps', 'l{app="podinfo"}', 'n{app="podinfo"}']);
  });

  it('with an empty primaryScalerQueries, rewrites nothing', () => {
    expect(primaryTriggers([trigger('rps', 'q{app="podinfo"}')], 'podinfo', {})[0]?.metadata.query).toBe('q{app="podinfo"}');
  });

  it('leaves a trigger without a query as it is', () => {
    expect(primaryTriggers([trigger('cpu')], 'podinfo')).toEqual([trigger('cpu')]);
  });
});

describe('primaryScaledObjectUpdate', () => {
  const desired = (): ScaledObject => desiredPrimaryScaledObject({ scaledObject: targetSo(), owner: podinfoOwner, targetName: 'podinfo' });

  it('is undefined when the primary already matches', () => {
    expect(primaryScaledObjectUpdate(desired(), desired())).toBeUndefined();
  });

  it('sends the whole spec when any of it changed, with null for a field the target dropped', () => {
    const existing = desired();
    const next = desired();
    next.spec!.maxReplicaCount = 8;
    delete next.spec!.cooldownPeriod;
    expect(primaryScaledObjectUpdate(existing, next)).toEqual({ spec: { ...next.spec, cooldownPeriod: null } });
  });

  it('sends only the changed labels and annotations', () => {
    const next = desired();
    next.metadata.labels = { app: 'podinfo', team: 'a' };
    expect(primaryScaledObjectUpdate(desired(), next)).toEqual({ metadata: { labels: { team: 'a' }, annotations: undefined } });
  });
});

describe('pausePatch', () => {
  it('pauses the target ScaledObject at zero replicas and resumes it by removing the annotation', () => {
    expect(pausePatch(true)).toEqual({ metadata: { annotations: { 'autoscaling.keda.sh/paused-replicas': '0' } } });
    expect(pausePatch(false)).toEqual({ metadata: { annotations: { 'autoscaling.keda.sh/paused-replicas': null } } });
  });
});
