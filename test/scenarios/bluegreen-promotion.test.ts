import { afterEach, describe, expect, it } from 'vitest';
import { CanaryResource } from '../../src/reconciler/cluster-caches.js';
import { aCanary, aDeployment } from '../fixtures/objects.js';
import { World } from './world.js';

const INTERVAL = 15_000;

async function progressing(spec: Record<string, unknown> = {}): Promise<World> {
  const world = await new World().start();
  await world.create('deployment', aDeployment({ replicas: 2 }));
  const canary = aCanary();
  (canary.spec as Record<string, unknown>).analysis = { interval: '15s', threshold: 2, iterations: 3, ...spec };
  await world.create('canary', canary);
  await world.makeReady('podinfo-primary');
  await world.setImage('podinfo', 'ghcr.io/stefanprodan/podinfo:6.0.1');
  await world.makeReady('podinfo');
  expect((await world.canaryStatus()).phase).toBe('Progressing');
  return world;
}

async function tick(world: World, times = 1): Promise<void> {
  for (let i = 0; i < times; i++) {
    await world.advance(INTERVAL);
    await world.makeReady('podinfo');
    await world.makeReady('podinfo-primary');
  }
}

describe('blue/green on the kubernetes provider', () => {
  let world: World;
  afterEach(async () => world.stop());

  it('counts the iterations, promotes the new image into the primary and scales the target down', async () => {
    world = await progressing();
    await tick(world, 3);
    expect((await world.canaryStatus()).iterations).toBe(3);
    await tick(world, 1);
    expect((await world.canaryStatus()).phase).toBe('Promoting');
    expect((await world.deployment('podinfo-primary'))?.spec?.template.spec?.containers[0]?.image).toBe('ghcr.io/stefanprodan/podinfo:6.0.1');
    await tick(world, 2);
    const status = await world.canaryStatus();
    expect(status.phase).toBe('Succeeded');
    expect(status.lastPromotedSpec).toBe(status.lastAppliedSpec);
    expect((await world.deployment('podinfo'))?.spec?.replicas).toBe(0);
    expect(world.messages()).toEqual(expect.arrayContaining([
      'Starting canary analysis for podinfo.test', 'Advance podinfo.test canary iteration 3/3',
      'Copying podinfo.test template spec to podinfo-primary.test', 'Promotion completed! Scaling down podinfo.test',
    ]));
  });

  it('rolls back when failed checks reach the threshold, leaving the primary untouched', async () => {
    world = await progressing({ metrics: [{ name: 'request-success-rate', thresholdRange: { min: 99 }, interval: '1m' }] });
    world.metricValue = 50;
    await tick(world, 4);
    const status = await world.canaryStatus();
    expect(status.phase).toBe('Failed');
    expect(status.lastMetricValues?.['request-success-rate']).toMatchObject({ value: 50, verdict: 'Fail' });
    expect((await world.deployment('podinfo-primary'))?.spec?.template.spec?.containers[0]?.image).toBe('ghcr.io/stefanprodan/podinfo:6.0.0');
    expect((await world.deployment('podinfo'))?.spec?.replicas).toBe(0);
    expect(world.messages()).toContain('Rolling back podinfo.test failed checks threshold reached 2');
  });

  it('never promotes on missing data: no samples count as failed checks', async () => {
    world = await progressing({ metrics: [{ name: 'request-success-rate', thresholdRange: { min: 99 }, interval: '1m' }] });
    world.metricValue = null;
    await tick(world, 6);
    const status = await world.canaryStatus();
    expect(status.phase).toBe('Failed');
    expect(status.lastMetricValues?.['request-success-rate']).toMatchObject({ verdict: 'Fail', message: expect.stringContaining('no values found') });
    expect(status.lastMetricValues?.['request-success-rate']?.value).toBeUndefined();
  });

  it('holds in WaitingPromotion while the confirm-promotion gate is closed, then promotes once it opens', async () => {
    const gate = 'http://loadtester.test/gate/check';
    world = await progressing({ webhooks: [{ name: 'approve', type: 'confirm-promotion', url: gate }] });
    world.hookStatus.set(gate, 403);
    await tick(world, 6);
    expect((await world.canaryStatus()).phase).toBe('WaitingPromotion');
    expect(world.messages().filter((m) => m.includes('waiting for promotion approval'))).toHaveLength(1);
    world.hookStatus.set(gate, 200);
    await tick(world, 1);
    expect((await world.canaryStatus()).phase).toBe('Promoting');
  });

  it('alerts once when the pre-rollout hook fails, then rolls back at the threshold with an error alert', async () => {
    const hook = 'http://loadtester.test/pre';
    world = await progressing({ webhooks: [{ name: 'acceptance', type: 'pre-rollout', url: hook }] });
    world.hookStatus.set(hook, 500);
    await tick(world, 3);
    expect((await world.canaryStatus()).phase).toBe('Failed');
    const alerts = world.notices.filter((n) => n.alert === true).map((n) => [n.severity, n.message]);
    expect(alerts.filter(([, m]) => m?.startsWith('Halt advancement pre-rollout check acceptance failed'))).toHaveLength(1);
    expect(alerts).toContainEqual(['error', 'Rolling back podinfo.test failed checks threshold reached 2']);
  });

  it('rolls back at once when a rollback webhook signals', async () => {
    const hook = 'http://loadtester.test/rollback/check';
    world = await progressing({ webhooks: [{ name: 'rollback', type: 'rollback', url: hook }] });
    world.hookStatus.set(hook, 403);
    await tick(world, 1);
    expect((await world.canaryStatus()).phase).toBe('Progressing');
    world.hookStatus.set(hook, 200);
    await tick(world, 1);
    expect((await world.canaryStatus()).phase).toBe('Failed');
    expect(world.messages()).toContain('Rolling back podinfo.test manual webhook invoked');
  });

  it('waits in Waiting while confirm-rollout refuses, then starts the run', async () => {
    world = await new World().start();
    const gate = 'http://loadtester.test/gate/halt';
    world.hookStatus.set(gate, 403);
    await world.create('deployment', aDeployment());
    const canary = aCanary();
    (canary.spec as { analysis: Record<string, unknown> }).analysis.webhooks = [{ name: 'rollout-gate', type: 'confirm-rollout', url: gate }];
    await world.create('canary', canary);
    await world.makeReady('podinfo-primary');
    await world.setImage('podinfo', 'ghcr.io/stefanprodan/podinfo:6.0.1');
    await world.advance(INTERVAL * 3);
    expect((await world.canaryStatus()).phase).toBe('Waiting');
    expect((await world.deployment('podinfo'))?.spec?.replicas).toBe(0);
    world.hookStatus.set(gate, 200);
    await world.advance(INTERVAL);
    expect((await world.canaryStatus()).phase).toBe('Progressing');
    expect((await world.kube.get(CanaryResource, 'test', 'podinfo'))?.metadata.name).toBe('podinfo');
  });
});
