import { afterEach, describe, expect, it } from 'vitest';
import type { CanaryPhase } from '../../src/api/canary-status.js';
import { Resources, type DaemonSet } from '../../src/kube/resources.js';
import { CanaryResource } from '../../src/reconciler/cluster-caches.js';
import { settle } from '../fakes/fake-clock.js';
import { aCanary, aDaemonSet } from '../fixtures/objects.js';
import { World } from './world.js';

const NODES = 3;
const NEW_IMAGE = 'ghcr.io/stefanprodan/podinfo:6.0.1';
const ROLLOUT_GATE = 'http://hooks.test/rollout';

function daemonSet(world: World, name: string): Promise<DaemonSet | undefined> {
  return world.kube.get(Resources.daemonSets, 'test', name);
}

const parked = (ds: DaemonSet | undefined): boolean => ds?.spec?.template.spec?.nodeSelector?.['flagger.app/scale-to-zero'] === 'true';

/** Plays the DaemonSet controller and kubelets: one ready pod of the current template per node, none when parked. */
async function rollOut(world: World, name: string): Promise<void> {
  const ds = await daemonSet(world, name);
  if (ds === undefined) return;
  const pods = parked(ds) ? 0 : NODES;
  await world.kube.patch(Resources.daemonSets, { namespace: 'test', name }, {
    status: {
      observedGeneration: ds.metadata.generation, desiredNumberScheduled: pods, currentNumberScheduled: pods, updatedNumberScheduled: pods,
      numberReady: pods, numberAvailable: pods, numberMisscheduled: 0,
    },
  }, { subresource: 'status' });
  await settle();
}

async function image(world: World, name: string): Promise<string | undefined> {
  return (await daemonSet(world, name))?.spec?.template.spec?.containers[0]?.image;
}

/** A Canary of the DaemonSet `podinfo-ds` (kubernetes provider, 2 iterations, a rollout gate), initialized. */
async function initialized(opts: { revertOnDeletion?: boolean } = {}): Promise<World> {
  const world = await new World().start();
  await world.kube.create(Resources.daemonSets, aDaemonSet());
  const canary = aCanary({ name: 'podinfo-ds', target: 'podinfo-ds', ...opts });
  const spec = canary.spec as Record<string, unknown>;
  spec.targetRef = { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'podinfo-ds' };
  spec.analysis = { interval: '15s', threshold: 2, iterations: 2, webhooks: [{ name: 'gate', type: 'rollout', url: ROLLOUT_GATE }] };
  await world.create('canary', canary);
  await rollOut(world, 'podinfo-ds-primary');
  await world.advance(15_000);
  return world;
}

async function runUntil(world: World, phases: CanaryPhase[]): Promise<CanaryPhase | undefined> {
  for (let i = 0; i < 20; i++) {
    const phase = (await world.canaryStatus('podinfo-ds')).phase;
    if (phase !== undefined && phases.includes(phase)) return phase;
    await rollOut(world, 'podinfo-ds');
    await rollOut(world, 'podinfo-ds-primary');
    await world.advance(15_000);
  }
  return (await world.canaryStatus('podinfo-ds')).phase;
}

describe('a DaemonSet target', () => {
  let world: World;
  afterEach(async () => world.stop());

  it('runs its primary DaemonSet on every node and parks the target with a nodeSelector that matches no node', async () => {
    world = await initialized();
    expect((await world.canaryStatus('podinfo-ds')).phase).toBe('Initialized');
    const primary = await daemonSet(world, 'podinfo-ds-primary');
    expect(primary?.spec?.selector.matchLabels).toEqual({ app: 'podinfo-ds-primary' });
    expect(primary?.spec?.template.metadata?.labels).toMatchObject({ app: 'podinfo-ds-primary' });
    expect(parked(primary)).toBe(false);
    expect(parked(await daemonSet(world, 'podinfo-ds'))).toBe(true);
    expect((await world.kube.get(Resources.services, 'test', 'podinfo-ds-primary'))?.spec?.selector).toEqual({ app: 'podinfo-ds-primary' });
  });

  it('promotes a new template into the primary DaemonSet and parks the target again', async () => {
    world = await initialized();
    await world.kube.patch(Resources.daemonSets, { namespace: 'test', name: 'podinfo-ds' },
      { spec: { template: { spec: { containers: [{ name: 'podinfod', image: NEW_IMAGE, ports: [{ name: 'http', containerPort: 9898 }] }] } } } });
    await settle();
    await world.advance(15_000);
    expect(parked(await daemonSet(world, 'podinfo-ds'))).toBe(false);
    expect(await runUntil(world, ['Succeeded', 'Failed'])).toBe('Succeeded');
    await world.advance(15_000);
    const primary = await daemonSet(world, 'podinfo-ds-primary');
    expect(await image(world, 'podinfo-ds-primary')).toBe(NEW_IMAGE);
    expect(primary?.spec?.template.spec?.nodeSelector?.['flagger.app/scale-to-zero']).toBeUndefined();
    expect(parked(await daemonSet(world, 'podinfo-ds'))).toBe(true);
    expect(world.hookCalls.filter((c) => c.url === ROLLOUT_GATE).length).toBeGreaterThanOrEqual(2);
    expect(world.messages()).toContain('Promotion completed! Scaling down podinfo-ds.test');
  });

  it('rolls back when its checks fail: the primary keeps the old template and the target is parked', async () => {
    world = await initialized();
    world.hookStatus.set(ROLLOUT_GATE, 500);
    await world.kube.patch(Resources.daemonSets, { namespace: 'test', name: 'podinfo-ds' },
      { spec: { template: { spec: { containers: [{ name: 'podinfod', image: NEW_IMAGE, ports: [{ name: 'http', containerPort: 9898 }] }] } } } });
    await settle();
    expect(await runUntil(world, ['Succeeded', 'Failed'])).toBe('Failed');
    await world.advance(15_000);
    expect(await image(world, 'podinfo-ds-primary')).toBe('ghcr.io/stefanprodan/podinfo:6.0.0');
    expect(parked(await daemonSet(world, 'podinfo-ds'))).toBe(true);
    expect(world.messages()).toContain('Canary failed! Scaling down podinfo-ds.test');
  });

  it('does not see a new revision when the target is only parked or unparked', async () => {
    world = await initialized();
    const before = (await world.canaryStatus('podinfo-ds')).lastAppliedSpec;
    await world.kube.patch(Resources.daemonSets, { namespace: 'test', name: 'podinfo-ds' },
      { spec: { template: { spec: { nodeSelector: { 'flagger.app/scale-to-zero': null } } } } });
    await settle();
    await world.advance(15_000);
    expect((await world.canaryStatus('podinfo-ds')).phase).toBe('Initialized');
    expect((await world.canaryStatus('podinfo-ds')).lastAppliedSpec).toBe(before);
  });

  it('with revertOnDeletion, runs the target again and waits for it before releasing the apex Service', async () => {
    world = await initialized({ revertOnDeletion: true });
    await world.kube.delete(CanaryResource, { namespace: 'test', name: 'podinfo-ds' });
    await world.advance(0);
    expect(parked(await daemonSet(world, 'podinfo-ds'))).toBe(false);
    expect((await world.canaryStatus('podinfo-ds')).phase).toBe('Terminating');
    expect((await world.kube.get(Resources.services, 'test', 'podinfo-ds'))?.spec?.selector).toEqual({ app: 'podinfo-ds-primary' });

    await rollOut(world, 'podinfo-ds');
    await world.advance(15_000);
    expect((await world.kube.get(Resources.services, 'test', 'podinfo-ds'))?.spec?.selector).toEqual({ app: 'podinfo-ds' });
    expect(await world.kube.get(CanaryResource, 'test', 'podinfo-ds')).toBeUndefined();
  });

  it('without revertOnDeletion, runs the target again when the canary is deleted', async () => {
    world = await initialized();
    await world.kube.delete(CanaryResource, { namespace: 'test', name: 'podinfo-ds' });
    await world.advance(0);
    expect(parked(await daemonSet(world, 'podinfo-ds'))).toBe(false);
  });

  it('refuses a target with the OnDelete strategy, saying why', async () => {
    world = await new World().start();
    await world.kube.create(Resources.daemonSets, aDaemonSet({ updateStrategy: 'OnDelete' }));
    const canary = aCanary({ name: 'podinfo-ds', target: 'podinfo-ds' });
    (canary.spec as Record<string, unknown>).targetRef = { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'podinfo-ds' };
    await world.create('canary', canary);
    await world.advance(15_000);
    expect(await daemonSet(world, 'podinfo-ds-primary')).toBeUndefined();
    expect((await world.canaryStatus('podinfo-ds')).conditions?.find((c) => c.type === 'Ready')?.message)
      .toContain('daemonset podinfo-ds must have the RollingUpdate strategy, not OnDelete');
  });
});
