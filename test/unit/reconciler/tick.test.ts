import { afterEach, describe, expect, it } from 'vitest';
import { Resources } from '../../../src/kube/resources.js';
import { CanaryResource } from '../../../src/reconciler/cluster-caches.js';
import { runTick } from '../../../src/reconciler/tick.js';
import { settle } from '../../fakes/fake-clock.js';
import { aDeployment } from '../../fixtures/objects.js';
import { canaryWith, TickHarness } from './tick-harness.js';

const key = { namespace: 'test', name: 'podinfo' };

async function statusOf(h: TickHarness): Promise<Record<string, unknown>> {
  return (await h.kube.get(CanaryResource, 'test', 'podinfo'))?.status ?? {};
}

describe('one tick', () => {
  let h: TickHarness;
  afterEach(() => h.stop());

  it('answers gone for a Canary the cache does not hold', async () => {
    h = await new TickHarness().start();
    expect(await runTick(h.deps, key)).toEqual({ gone: true, dependencies: new Set() });
  });

  it('initializes a new Canary: primary and Services created, Initializing saved in one status patch, target and primary depended on', async () => {
    h = await new TickHarness().start();
    await h.create(Resources.deployments, aDeployment());
    await h.createCanary(canaryWith({}));
    const result = await runTick(h.deps, key);
    expect(result.gone).toBe(false);
    expect(result.written).toBeDefined();
    expect([...result.dependencies]).toEqual(expect.arrayContaining(['Deployment/test/podinfo', 'Deployment/test/podinfo-primary']));
    expect(await h.kube.get(Resources.deployments, 'test', 'podinfo-primary')).toBeDefined();
    expect(await h.kube.get(Resources.services, 'test', 'podinfo-canary')).toBeDefined();
    expect(await statusOf(h)).toMatchObject({ phase: 'Initializing' });
  });

  it('finishes initialization once the primary is ready: target scaled to zero, Initialized, one event', async () => {
    h = await new TickHarness().start();
    await h.create(Resources.deployments, aDeployment());
    await h.createCanary(canaryWith({}));
    await runTick(h.deps, key);
    await h.makeReady('podinfo-primary');
    await settle();
    await runTick(h.deps, key);
    expect((await h.kube.get(Resources.deployments, 'test', 'podinfo'))?.spec?.replicas).toBe(0);
    expect(await statusOf(h)).toMatchObject({ phase: 'Initialized' });
    expect(h.notices.map((n) => n.message)).toContain('Initialization done! podinfo.test');
  });

  it('stalls a Canary whose provider is not implemented, naming it, and writes nothing else', async () => {
    h = await new TickHarness().start();
    await h.create(Resources.deployments, aDeployment());
    await h.createCanary(canaryWith({}, { provider: 'linkerd' }));
    await runTick(h.deps, key);
    const conditions = (await statusOf(h)).conditions as { type: string; status: string; message: string }[];
    expect(conditions.find((c) => c.type === 'Stalled')).toMatchObject({ status: 'True', message: expect.stringContaining('provider linkerd is not implemented yet') });
    expect(await h.kube.get(Resources.deployments, 'test', 'podinfo-primary')).toBeUndefined();
  });

  it('shows a step that throws as a ReconcileError in the Ready condition and still saves the status', async () => {
    h = await new TickHarness().start();
    await h.create(Resources.deployments, aDeployment());
    await h.createCanary(canaryWith({ autoscalerRef: { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name: 'absent' } }));
    await runTick(h.deps, key);
    const conditions = (await statusOf(h)).conditions as { type: string; reason: string; message: string }[];
    expect(conditions.find((c) => c.type === 'Ready')).toMatchObject({ reason: 'ReconcileError', message: 'HorizontalPodAutoscaler absent.test not found' });
  });

  it('asks to decide again when the Canary changed since it was read, and emits nothing', async () => {
    h = await new TickHarness().start();
    await h.create(Resources.deployments, aDeployment());
    await h.createCanary(canaryWith({}));
    const current = await h.kube.get(CanaryResource, 'test', 'podinfo');
    // Changed on the server after the cache read it: the status patch is conditioned on the old version.
    h.caches.canaries.stop();
    await h.kube.patch(CanaryResource, key, { metadata: { labels: { changed: 'yes' } } });
    const result = await runTick(h.deps, key);
    expect(result.redecideAt).toBeDefined();
    expect(result.redecideAt).not.toBe(current?.metadata.resourceVersion);
    expect(h.notices).toEqual([]);
  });
});
