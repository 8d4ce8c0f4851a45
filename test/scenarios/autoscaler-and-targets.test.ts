import { afterEach, describe, expect, it } from 'vitest';
import { Resources, type HorizontalPodAutoscaler } from '../../src/kube/resources.js';
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

  it('stalls a canary whose target kind this version does not roll out, naming the field', async () => {
    world = await new World().start();
    const canary = aCanary();
    (canary.spec as { targetRef: Record<string, unknown> }).targetRef = { apiVersion: 'v1', kind: 'Service', name: 'podinfo' };
    await world.create('canary', canary);
    const stalled = (await world.canaryStatus()).conditions?.find((c) => c.type === 'Stalled');
    expect(stalled).toMatchObject({ status: 'True', message: expect.stringContaining('spec.targetRef.kind: target kind Service is not supported yet') });
  });
});
