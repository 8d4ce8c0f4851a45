import { afterEach, describe, expect, it } from 'vitest';
import { Resources } from '../../src/kube/resources.js';
import { CanaryResource } from '../../src/reconciler/cluster-caches.js';
import { aCanary, aConfigMap, aDeployment } from '../fixtures/objects.js';
import { World } from './world.js';

describe('deployment initialization', () => {
  let world: World;
  afterEach(async () => world.stop());

  it('creates the primary, waits for it, then switches the apex Service and scales the target to zero', async () => {
    world = await new World().start();
    await world.create('deployment', aDeployment({ replicas: 3 }));
    await world.create('canary', aCanary());

    const primary = await world.deployment('podinfo-primary');
    expect(primary?.spec?.replicas).toBe(3);
    expect(primary?.spec?.selector.matchLabels).toEqual({ app: 'podinfo-primary' });
    expect((await world.canaryStatus()).phase).toBe('Initializing');
    expect(await world.kube.get(Resources.services, 'test', 'podinfo')).toBeUndefined();
    expect((await world.deployment('podinfo'))?.spec?.replicas).toBe(3);

    await world.makeReady('podinfo-primary');

    const status = await world.canaryStatus();
    expect(status.phase).toBe('Initialized');
    expect(status.lastAppliedSpec).toMatch(/^[0-9a-f]{16}$/);
    expect(status.lastPromotedSpec).toBe(status.lastAppliedSpec);
    expect(status.conditions?.find((c) => c.type === 'Promoted')).toMatchObject({ status: 'True', reason: 'Initialized' });
    expect(status.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True' });
    expect((await world.deployment('podinfo'))?.spec?.replicas).toBe(0);
    const services = await Promise.all(['podinfo', 'podinfo-primary', 'podinfo-canary'].map((n) => world.kube.get(Resources.services, 'test', n)));
    expect(services.map((s) => s?.spec?.selector)).toEqual([{ app: 'podinfo-primary' }, { app: 'podinfo-primary' }, { app: 'podinfo' }]);
    expect(world.messages()).toContain('Initialization done! podinfo.test');
  });

  it('initializes canaries that existed before the operator started, without waiting for an interval', async () => {
    world = new World();
    await world.kube.create(Resources.deployments, aDeployment());
    await world.kube.create(CanaryResource, aCanary());
    await world.start();
    expect(await world.deployment('podinfo-primary')).toBeDefined();
    await world.makeReady('podinfo-primary');
    expect((await world.canaryStatus()).phase).toBe('Initialized');
    expect(world.messages().some((m) => m.includes('not found'))).toBe(false);
  });

  it('makes no API writes and emits no events once initialized', async () => {
    world = await new World().start();
    await world.create('deployment', aDeployment());
    await world.create('canary', aCanary());
    await world.makeReady('podinfo-primary');
    const writes = world.kube.writes.length;
    const events = world.notices.length;
    await world.advance(10 * 60_000);
    expect(world.kube.writes.slice(writes)).toEqual([]);
    expect(world.notices.length).toBe(events);
  });

  it('copies tracked ConfigMaps to -primary and points the primary at the copies', async () => {
    world = await new World().start();
    await world.create('configmap', aConfigMap('podinfo-config', { color: 'blue' }));
    await world.create('deployment', aDeployment({ configMap: 'podinfo-config' }));
    await world.create('canary', aCanary());
    const copy = await world.kube.get(Resources.configMaps, 'test', 'podinfo-config-primary');
    expect(copy?.data).toEqual({ color: 'blue' });
    const primary = await world.deployment('podinfo-primary');
    expect(primary?.spec?.template.spec?.containers[0]?.envFrom).toEqual([{ configMapRef: { name: 'podinfo-config-primary' } }]);
    await world.makeReady('podinfo-primary');
    expect((await world.canaryStatus()).trackedConfigs).toEqual({ 'configmap/podinfo-config': expect.stringMatching(/^[0-9a-f]{16}$/) });
  });

  it('reports a missing target once, and initializes as soon as it appears', async () => {
    world = await new World().start();
    await world.create('canary', aCanary());
    await world.advance(60_000);
    const status = await world.canaryStatus();
    expect(status.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'TargetNotFound' });
    expect(world.messages().filter((m) => m.includes('not found'))).toHaveLength(1);
    await world.create('deployment', aDeployment());
    await world.makeReady('podinfo-primary');
    expect((await world.canaryStatus()).phase).toBe('Initialized');
  });

  it('stalls a canary whose provider is not implemented, naming it, and touches nothing', async () => {
    world = await new World().start();
    await world.create('deployment', aDeployment());
    await world.create('canary', aCanary({ provider: 'skipper' }));
    const status = await world.canaryStatus();
    expect(status.conditions?.find((c) => c.type === 'Stalled')).toMatchObject({ status: 'True', reason: 'InvalidSpec', message: expect.stringContaining('provider skipper is not implemented yet') });
    expect(await world.deployment('podinfo-primary')).toBeUndefined();
  });

  it('writes a Stalled condition naming the field for a Canary the schema rejects, once', async () => {
    world = await new World().start();
    const canary = aCanary();
    (canary.spec as Record<string, unknown>).targetRef = { apiVersion: 'apps/v1', kind: 'Deployment' };
    await world.create('canary', canary);
    const stalled = (await world.canaryStatus()).conditions?.find((c) => c.type === 'Stalled');
    expect(stalled).toMatchObject({ status: 'True', reason: 'InvalidSpec', message: expect.stringContaining('spec.targetRef.name') });
    const writes = world.kube.writes.length;
    await world.advance(120_000);
    expect(world.kube.writes.length).toBe(writes);
  });

  it('does nothing for a suspended canary and says so once', async () => {
    world = await new World().start();
    await world.create('deployment', aDeployment());
    await world.create('canary', aCanary({ suspend: true }));
    await world.advance(120_000);
    expect(await world.deployment('podinfo-primary')).toBeUndefined();
    expect(world.messages().filter((m) => m.includes('suspended'))).toHaveLength(1);
  });
});
