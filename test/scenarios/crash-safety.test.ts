import { afterEach, describe, expect, it } from 'vitest';
import { Resources } from '../../src/kube/resources.js';
import { CanaryResource } from '../../src/reconciler/cluster-caches.js';
import { aCanary, aDeployment } from '../fixtures/objects.js';
import {
  failStatusPatchOnce, INTERVAL, isStatusPatch, NEW_IMAGE, postRolloutCalls, primaryCopies, primaryImage, progressing, routes, ticks,
} from './release.js';
import { World } from './world.js';

// A status patch that fails after the tick's effects ran must not strand the canary: the next ticks reach the
// end state an uninterrupted release reaches (issue #12, defect 1).
describe('a failed status patch after a run-ending step', () => {
  let world: World;
  afterEach(async () => world.stop());

  it('still finishes the promotion when the Succeeded patch fails', async () => {
    world = await progressing({ stepWeight: 50, maxWeight: 50 });
    const fault = failStatusPatchOnce(world, (s) => s.phase === 'Succeeded');
    await ticks(world, 8);
    expect(fault.fired()).toBe(true);
    const status = await world.canaryStatus();
    expect([status.phase, status.canaryWeight, status.lastPromotedSpec]).toEqual(['Succeeded', 0, status.lastAppliedSpec]);
    expect(status.afterRun).toBeUndefined();
    expect((await world.deployment('podinfo'))?.spec?.replicas).toBe(0);
    expect(await routes(world)).toEqual({ primary: 100, canary: 0 });
    expect(await primaryImage(world)).toBe(NEW_IMAGE);
    expect(primaryCopies(world)).toBe(1);
    expect(world.messages().filter((m) => m.startsWith('Promotion completed!'))).toHaveLength(1);
    expect(postRolloutCalls(world)).toEqual(['Succeeded']);
  });

  it('still rolls back when the Failed patch fails', async () => {
    world = await progressing({ stepWeight: 50, maxWeight: 50 });
    world.metricValue = 50;
    const fault = failStatusPatchOnce(world, (s) => s.phase === 'Failed');
    await ticks(world, 8);
    expect(fault.fired()).toBe(true);
    const status = await world.canaryStatus();
    expect([status.phase, status.canaryWeight, status.afterRun]).toEqual(['Failed', 0, undefined]);
    expect((await world.deployment('podinfo'))?.spec?.replicas).toBe(0);
    expect(await routes(world)).toEqual({ primary: 100, canary: 0 });
    expect(await primaryImage(world)).toBe('ghcr.io/stefanprodan/podinfo:6.0.0');
    expect(world.messages().filter((m) => m.startsWith('Canary failed!'))).toHaveLength(1);
    expect(postRolloutCalls(world)).toEqual(['Failed']);
  });

  it('still finishes a skipped analysis when its Succeeded patch fails, copying the template once', async () => {
    world = await progressing({ stepWeight: 50 }, { skipAnalysis: true });
    const fault = failStatusPatchOnce(world, (s) => s.phase === 'Succeeded');
    await ticks(world, 4);
    expect(fault.fired()).toBe(true);
    const status = await world.canaryStatus();
    expect([status.phase, status.lastPromotedSpec]).toEqual(['Succeeded', status.lastAppliedSpec]);
    expect((await world.deployment('podinfo'))?.spec?.replicas).toBe(0);
    expect(await primaryImage(world)).toBe(NEW_IMAGE);
    expect(primaryCopies(world)).toBe(1);
    expect(postRolloutCalls(world)).toEqual(['Succeeded']);
  });

  it('saves a promotion whose patch timed out after the server wrote it once, with its notices', async () => {
    world = await progressing({ stepWeight: 50, maxWeight: 50 });
    const fault = failStatusPatchOnce(world, (s) => s.phase === 'Succeeded', true);
    await ticks(world, 8);
    expect(fault.fired()).toBe(true);
    expect((await world.canaryStatus()).phase).toBe('Succeeded');
    expect((await world.deployment('podinfo'))?.spec?.replicas).toBe(0);
    expect(world.messages().filter((m) => m.startsWith('Promotion completed!'))).toHaveLength(1);
    expect(postRolloutCalls(world)).toEqual(['Succeeded']);
  });
});

// A primary is created from the target as it was then; a change of the target before Initialized is saved (or
// before an operator killed in between comes back) is a new revision, not the one the primary runs.
describe('a target changed during initialization', () => {
  let world: World;
  afterEach(async () => world.stop());

  it('records the revision the primary was created from as promoted, and runs the new one', async () => {
    world = await new World().start();
    await world.create('deployment', aDeployment({ replicas: 2 }));
    await world.create('canary', aCanary({ provider: 'istio' }));
    await world.setImage('podinfo', NEW_IMAGE);
    await world.makeReady('podinfo-primary');
    await ticks(world, 1);
    const status = await world.canaryStatus();
    expect(await primaryImage(world)).toBe('ghcr.io/stefanprodan/podinfo:6.0.0');
    expect(status.phase).toBe('Progressing');
    expect(status.lastAppliedSpec).not.toBe(status.lastPromotedSpec);
  });
});

// Issue #12, defect 3: after a failed promotion the routes are left on the canary; the next revision must not
// be served unanalysed.
describe('a new revision after a failed promotion', () => {
  let world: World;
  afterEach(async () => world.stop());

  async function failedPromotion(): Promise<void> {
    world = await progressing({ stepWeight: 50, maxWeight: 50 });
    await ticks(world, 2);
    expect((await world.canaryStatus()).phase).toBe('Promoting');
    await world.kube.patch(Resources.deployments, { namespace: 'test', name: 'podinfo-primary' }, {
      status: { observedGeneration: 99, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] },
    }, { subresource: 'status' });
    await world.advance(INTERVAL);
    expect(await routes(world)).toEqual({ primary: 0, canary: 100 });
    expect((await world.canaryStatus()).phase).toBe('Failed');
  }

  it('routes all traffic back to the primary before the new run, and says so in status', async () => {
    await failedPromotion();
    await world.kube.patch(Resources.deployments, { namespace: 'test', name: 'podinfo-primary' }, { status: { conditions: [] } }, { subresource: 'status' });
    await world.makeReady('podinfo-primary');
    await world.setImage('podinfo', 'ghcr.io/stefanprodan/podinfo:6.0.2');
    expect(await routes(world)).toEqual({ primary: 100, canary: 0 });
    const status = await world.canaryStatus();
    expect([status.phase, status.canaryWeight]).toEqual(['Progressing', 0]);
    await world.makeReady('podinfo');
    await ticks(world, 1);
    // The full ladder again: the first step, not a promotion after one check.
    expect(await routes(world)).toEqual({ primary: 50, canary: 50 });
    expect((await world.canaryStatus()).phase).toBe('Progressing');
  });

  it('keeps serving from the canary while the primary is still broken, instead of routing to it', async () => {
    await failedPromotion();
    await world.setImage('podinfo', 'ghcr.io/stefanprodan/podinfo:6.0.2');
    await world.makeReady('podinfo');
    await world.advance(INTERVAL);
    expect(await routes(world)).toEqual({ primary: 0, canary: 100 });
    const status = await world.canaryStatus();
    expect([status.phase, status.canaryWeight]).toEqual(['Failed', 100]);
    // While the new revision waits for the primary, Ready keeps the reason the promotion failed.
    expect(status.conditions?.find((c) => c.type === 'Ready')?.reason).toBe('ProgressDeadlineExceeded');
  });
});

// Issue #12, defect 7: a tick never acts on a status older than the one last saved.
describe('stale and conflicting status', () => {
  let world: World;
  afterEach(async () => world.stop());

  it('does not act while the cache does not show its own last write, and goes on once it does', async () => {
    world = await progressing({ stepWeight: 50, maxWeight: 50, webhooks: [{ name: 'load', type: 'pre-rollout', url: 'http://hooks.test/pre' }] });
    world.kube.muteWatches = true;
    await world.advance(INTERVAL);
    expect((await world.canaryStatus()).canaryWeight).toBe(50);
    await world.advance(3 * INTERVAL);
    // Decided on the older status (weight 0), the next ticks would start the analysis over.
    expect(world.hookCalls.filter((c) => c.url === 'http://hooks.test/pre')).toHaveLength(1);
    expect((await world.canaryStatus()).phase).toBe('Progressing');
    world.kube.muteWatches = false;
    world.kube.breakWatches(new Error('connection reset'));
    await ticks(world, 5);
    expect((await world.canaryStatus()).phase).toBe('Succeeded');
    expect(world.hookCalls.filter((c) => c.url === 'http://hooks.test/pre')).toHaveLength(1);
  });

  it('decides again from the fresh status after a conflict, instead of re-sending its changes', async () => {
    world = await progressing({ stepWeight: 50, maxWeight: 100 });
    await ticks(world, 1);
    let injected = false;
    // Another writer records the failed checks of a run while this tick advances the weight.
    world.kube.writeFault = (call) => {
      if (injected || !isStatusPatch(call)) return undefined;
      injected = true;
      void world.kube.patch(CanaryResource, { namespace: 'test', name: 'podinfo' }, { status: { failedChecks: 2 } }, { subresource: 'status' });
      return undefined;
    };
    await world.advance(INTERVAL);
    await world.advance(1_000);
    expect(injected).toBe(true);
    expect(world.messages()).not.toContain('Advance podinfo.test canary weight 100');
    const status = await world.canaryStatus();
    expect([status.phase, status.canaryWeight]).toEqual(['Failed', 0]);
  });

  it('never gives a deleted and re-created Canary the old object\'s status', async () => {
    world = await progressing({ stepWeight: 50, maxWeight: 50 });
    let recreated = false;
    world.kube.writeFault = (call) => {
      if (recreated || !isStatusPatch(call)) return undefined;
      recreated = true;
      void world.kube.delete(CanaryResource, { namespace: 'test', name: 'podinfo' });
      void world.kube.create(CanaryResource, aCanary({ provider: 'istio' }));
      return undefined;
    };
    await world.advance(INTERVAL);
    expect(recreated).toBe(true);
    const status = await world.canaryStatus();
    expect(status.canaryWeight ?? 0).toBe(0);
    expect(status.lastAppliedSpec).toBeUndefined();
    expect(world.messages()).not.toContain('Advance podinfo.test canary weight 50');
  });
});
