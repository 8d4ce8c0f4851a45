import { afterEach, describe, expect, it } from 'vitest';
import { Resources, type HorizontalPodAutoscaler, type ScaledObject } from '../../src/kube/resources.js';
import { aCanary, aDeployment } from '../fixtures/objects.js';
import { World } from './world.js';

function anHpa(minReplicas: number, maxReplicas: number): HorizontalPodAutoscaler {
  return {
    apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'podinfo', namespace: 'test' },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' }, minReplicas, maxReplicas,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }],
    },
  };
}

function aScaledObject(minReplicaCount: number, maxReplicaCount: number): ScaledObject {
  return {
    apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject',
    metadata: { name: 'podinfo-so', namespace: 'test' },
    spec: {
      scaleTargetRef: { name: 'podinfo' }, minReplicaCount, maxReplicaCount,
      triggers: [{ type: 'prometheus', name: 'rps', metadata: { serverAddress: 'http://prometheus:9090', query: 'sum(rate(http_requests_total{app="podinfo-canary"}[1m]))', threshold: '5' } }],
    },
  };
}

const paused = async (world: World): Promise<string | undefined> =>
  (await world.kube.get(Resources.scaledObjects, 'test', 'podinfo-so'))?.metadata.annotations?.['autoscaling.keda.sh/paused-replicas'];

describe('autoscalers and target kinds', () => {
  let world: World;
  afterEach(async () => world.stop());

  it('clones the target HPA for the primary, and carries its new bounds over at promotion', async () => {
    world = await new World().start();
    await world.kube.create(Resources.hpas, anHpa(2, 4));
    await world.create('deployment', aDeployment({ replicas: 2 }));
    const canary = aCanary();
    (canary.spec as Record<string, unknown>).autoscalerRef = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name: 'podinfo' };
    (canary.spec as Record<string, unknown>).analysis = { interval: '15s', threshold: 2, iterations: 1 };
    await world.create('canary', canary);
    const clone = await world.kube.get(Resources.hpas, 'test', 'podinfo-primary');
    expect(clone?.spec).toMatchObject({ scaleTargetRef: { name: 'podinfo-primary' }, minReplicas: 2, maxReplicas: 4 });

    await world.makeReady('podinfo-primary');
    await world.kube.patch(Resources.hpas, { namespace: 'test', name: 'podinfo' }, { spec: { maxReplicas: 8 } });
    await world.setImage('podinfo', 'ghcr.io/stefanprodan/podinfo:6.0.1');
    for (let i = 0; i < 4 && (await world.canaryStatus()).phase !== 'Promoting'; i++) {
      await world.makeReady('podinfo');
      await world.advance(15_000);
    }
    expect((await world.canaryStatus()).phase).toBe('Promoting');
    expect((await world.kube.get(Resources.hpas, 'test', 'podinfo-primary'))?.spec?.maxReplicas).toBe(8);
  });

  it('clones the target ScaledObject for the primary, pauses the target\'s between runs, and carries its new bounds over at promotion', async () => {
    world = await new World().start();
    await world.kube.create(Resources.scaledObjects, aScaledObject(2, 4));
    await world.create('deployment', aDeployment({ replicas: 2 }));
    const canary = aCanary();
    (canary.spec as Record<string, unknown>).autoscalerRef = { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', name: 'podinfo-so' };
    (canary.spec as Record<string, unknown>).analysis = { interval: '15s', threshold: 2, iterations: 1 };
    await world.create('canary', canary);
    const clone = await world.kube.get(Resources.scaledObjects, 'test', 'podinfo-so-primary');
    expect(clone?.spec).toMatchObject({ scaleTargetRef: { name: 'podinfo-primary' }, minReplicaCount: 2, maxReplicaCount: 4 });
    expect(clone?.spec?.triggers[0]?.metadata.query).toBe('sum(rate(http_requests_total{app="podinfo-primary"}[1m]))');

    await world.makeReady('podinfo-primary');
    await world.advance(15_000);
    expect((await world.canaryStatus()).phase).toBe('Initialized');
    expect((await world.deployment('podinfo'))?.spec?.replicas).toBe(0);
    expect(await paused(world)).toBe('0');

    await world.kube.patch(Resources.scaledObjects, { namespace: 'test', name: 'podinfo-so' }, { spec: { maxReplicaCount: 8 } });
    await world.setImage('podinfo', 'ghcr.io/stefanprodan/podinfo:6.0.1');
    await world.advance(15_000);
    expect(await paused(world)).toBeUndefined();
    expect((await world.deployment('podinfo'))?.spec?.replicas).toBe(2);
    for (let i = 0; i < 6 && (await world.canaryStatus()).phase !== 'Succeeded'; i++) {
      await world.makeReady('podinfo');
      await world.makeReady('podinfo-primary');
      await world.advance(15_000);
    }
    expect((await world.canaryStatus()).phase).toBe('Succeeded');
    expect((await world.kube.get(Resources.scaledObjects, 'test', 'podinfo-so-primary'))?.spec?.maxReplicaCount).toBe(8);
    await world.advance(15_000);
    expect((await world.deployment('podinfo'))?.spec?.replicas).toBe(0);
    expect(await paused(world)).toBe('0');
  });

  it('stalls a canary whose target kind this version does not roll out, naming the field', async () => {
    world = await new World().start();
    const canary = aCanary();
    (canary.spec as { targetRef: Record<string, unknown> }).targetRef = { apiVersion: 'v1', kind: 'Service', name: 'podinfo' };
    await world.create('canary', canary);
    const stalled = (await world.canaryStatus()).conditions?.find((c) => c.type === 'Stalled');
    expect(stalled).toMatchObject({ status: 'True', message: expect.stringContaining('spec.targetRef.kind: target kind Service is not supported yet') });
  });
});
