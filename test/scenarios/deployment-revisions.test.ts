import { afterEach, describe, expect, it } from 'vitest';
import { Resources, type EndpointSlice } from '../../src/kube/resources.js';
import { CanaryResource } from '../../src/reconciler/cluster-caches.js';
import { aCanary, aConfigMap, aDeployment } from '../fixtures/objects.js';
import { World } from './world.js';

async function initialized(opts: { configMap?: boolean; revertOnDeletion?: boolean } = {}): Promise<World> {
  const world = await new World().start();
  if (opts.configMap === true) await world.create('configmap', aConfigMap('podinfo-config', { color: 'blue' }));
  await world.create('deployment', aDeployment({ replicas: 3, ...(opts.configMap === true ? { configMap: 'podinfo-config' } : {}) }));
  await world.create('canary', aCanary({ revertOnDeletion: opts.revertOnDeletion }));
  await world.makeReady('podinfo-primary');
  expect((await world.canaryStatus()).phase).toBe('Initialized');
  return world;
}

describe('deployment revisions', () => {
  let world: World;
  afterEach(async () => world.stop());

  it('starts a run at once when the image changes, scaling the target back up', async () => {
    world = await initialized();
    const before = await world.canaryStatus();
    await world.setImage('podinfo', 'ghcr.io/stefanprodan/podinfo:6.0.1');
    const status = await world.canaryStatus();
    expect(status.phase).toBe('Progressing');
    expect(status.lastAppliedSpec).not.toBe(before.lastAppliedSpec);
    expect(status.lastPromotedSpec).toBe(before.lastPromotedSpec);
    expect([status.canaryWeight, status.failedChecks, status.iterations]).toEqual([0, 0, 0]);
    expect((await world.deployment('podinfo'))?.spec?.replicas).toBe(3);
    expect(world.messages()).toContain('New revision detected! Scaling up podinfo.test');
  });

  it('starts a run when a tracked ConfigMap changes', async () => {
    world = await initialized({ configMap: true });
    await world.kube.patch(Resources.configMaps, { namespace: 'test', name: 'podinfo-config' }, { data: { color: 'green' } });
    await world.advance(0);
    expect((await world.canaryStatus()).phase).toBe('Progressing');
  });

  it('does not start a run when the target is re-applied unchanged or only rescaled', async () => {
    world = await initialized();
    await world.patchDeployment('podinfo', { metadata: { labels: { extra: 'label' } } });
    await world.patchDeployment('podinfo', { spec: { replicas: 5 } });
    await world.advance(60_000);
    expect((await world.canaryStatus()).phase).toBe('Initialized');
  });

  it('restarts a progressing run when a newer revision arrives', async () => {
    world = await initialized();
    await world.setImage('podinfo', 'ghcr.io/stefanprodan/podinfo:6.0.1');
    const first = await world.canaryStatus();
    await world.setImage('podinfo', 'ghcr.io/stefanprodan/podinfo:6.0.2');
    const second = await world.canaryStatus();
    expect(second.phase).toBe('Progressing');
    expect(second.lastAppliedSpec).not.toBe(first.lastAppliedSpec);
    expect(world.messages()).toContain('New revision detected! Restarting analysis for podinfo.test');
  });

  it('does not start a run when the target is reverted to the promoted revision', async () => {
    world = await initialized();
    await world.setImage('podinfo', 'ghcr.io/stefanprodan/podinfo:6.0.0-rc');
    await world.kube.patch(CanaryResource, { namespace: 'test', name: 'podinfo' }, { status: { phase: 'Failed' } }, { subresource: 'status' });
    await world.setImage('podinfo', 'ghcr.io/stefanprodan/podinfo:6.0.0');
    await world.advance(60_000);
    expect((await world.canaryStatus()).phase).toBe('Failed');
  });

  it('with revertOnDeletion, restores the target before releasing the apex Service and removing the primary', async () => {
    world = await initialized({ revertOnDeletion: true });
    const canary = await world.kube.get(CanaryResource, 'test', 'podinfo');
    expect(canary?.metadata.finalizers).toEqual(['finalizer.flagger.app']);
    await world.kube.delete(CanaryResource, { namespace: 'test', name: 'podinfo' });
    await world.advance(0);
    expect((await world.deployment('podinfo'))?.spec?.replicas).toBe(3);
    expect((await world.canaryStatus()).phase).toBe('Terminating');
    expect((await world.kube.get(Resources.services, 'test', 'podinfo'))?.spec?.selector).toEqual({ app: 'podinfo-primary' });
    expect(await world.deployment('podinfo-primary')).toBeDefined();

    await world.makeReady('podinfo');
    const apex = await world.kube.get(Resources.services, 'test', 'podinfo');
    expect(apex?.spec?.selector).toEqual({ app: 'podinfo' });
    expect(apex?.metadata.ownerReferences ?? []).toEqual([]);
    expect(await world.kube.get(CanaryResource, 'test', 'podinfo')).toBeUndefined();
    expect(await world.deployment('podinfo-primary')).toBeUndefined();
    expect(world.messages()).toContain('Terminated canary podinfo.test');
  });

  it('with revertOnDeletion, keeps the apex Service on the primary while the target reads ready but its endpoints are not', async () => {
    world = await initialized({ revertOnDeletion: true });
    // A target bounced 2 → 0 → 2: its status already says ready, the endpoint controller sees none of its pods.
    const slice = (ready: boolean[]): EndpointSlice => ({
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4',
      metadata: { name: 'podinfo-canary-abcde', namespace: 'test', labels: { 'kubernetes.io/service-name': 'podinfo-canary' } },
      endpoints: ready.map((r, i) => ({ addresses: [`10.0.0.${i + 1}`], conditions: { ready: r } })),
    });
    await world.kube.create(Resources.endpointSlices, slice([false, false, false]));
    await world.kube.delete(CanaryResource, { namespace: 'test', name: 'podinfo' });
    await world.advance(0);
    await world.makeReady('podinfo');
    expect((await world.kube.get(Resources.services, 'test', 'podinfo'))?.spec?.selector).toEqual({ app: 'podinfo-primary' });
    expect((await world.canaryStatus()).conditions?.find((c) => c.type === 'Ready')?.message).toContain('0 of 3 endpoints of podinfo-canary ready');

    // Endpoints are not watched: the next interval's tick sees them.
    await world.kube.patch(Resources.endpointSlices, { namespace: 'test', name: 'podinfo-canary-abcde' }, { endpoints: slice([true, true, true]).endpoints });
    await world.advance(60_000);
    expect((await world.kube.get(Resources.services, 'test', 'podinfo'))?.spec?.selector).toEqual({ app: 'podinfo' });
    expect(await world.kube.get(CanaryResource, 'test', 'podinfo')).toBeUndefined();
  });

  it('without revertOnDeletion, scales the target back up when the canary is deleted', async () => {
    world = await initialized();
    await world.kube.delete(CanaryResource, { namespace: 'test', name: 'podinfo' });
    await world.advance(0);
    expect((await world.deployment('podinfo'))?.spec?.replicas).toBe(3);
    expect(world.controller.scheduler.has('test/podinfo')).toBe(false);
  });
});
