import { afterEach, describe, expect, it } from 'vitest';
import { Resources } from '../../../src/kube/resources.js';
import { CanaryResource } from '../../../src/reconciler/cluster-caches.js';
import { markInitialized, restartRun } from '../../../src/reconciler/steps/lifecycle.js';
import { runTick } from '../../../src/reconciler/tick.js';
import { settle } from '../../fakes/fake-clock.js';
import { aDeployment } from '../../fixtures/objects.js';
import { canaryWith, TickHarness } from './tick-harness.js';

const key = { namespace: 'test', name: 'podinfo' };

describe('the plan of a run in status', () => {
  let h: TickHarness;
  afterEach(() => h.stop());

  async function initialized(): Promise<void> {
    h = await new TickHarness().start();
    await h.create(Resources.deployments, aDeployment());
    // Blue/Green with 5 iterations at 15 s on the kubernetes provider: 5 + 1 promotion + 1 promoting + 1 finalising = 8 ticks.
    await h.createCanary(canaryWith({}));
    await runTick(h.deps, key);
    await h.makeReady('podinfo-primary');
    await settle();
    await runTick(h.deps, key);
  }

  const status = async (): Promise<Record<string, unknown>> => (await h.kube.get(CanaryResource, 'test', 'podinfo'))?.status ?? {};

  it('writes the plan in the one status patch that enters Progressing for a new revision', async () => {
    await initialized();
    expect(await status()).not.toHaveProperty('plan');
    await h.kube.patch(Resources.deployments, { namespace: 'test', name: 'podinfo' }, { spec: { template: { spec: { containers: [{ name: 'podinfod', image: 'ghcr.io/stefanprodan/podinfo:6.0.1' }] } } } });
    await settle();
    const started = h.clock.now();
    const before = h.kube.writes.filter((w) => w.kind === 'Canary').length;
    await runTick(h.deps, key);
    const after = await status();
    expect(h.kube.writes.filter((w) => w.kind === 'Canary')).toHaveLength(before + 1);
    expect(after).toMatchObject({
      phase: 'Progressing',
      plan: {
        strategy: 'blue-green', ticks: 8, intervalSeconds: 15, minSeconds: 120, weights: [],
        startedAt: new Date(started).toISOString().replace(/\.\d+Z$/, 'Z'),
        expectedEnd: new Date(started + 120_000).toISOString().replace(/\.\d+Z$/, 'Z'),
        revision: after.lastAppliedSpec,
      },
    });
  });

  it('writes a new plan when a newer revision restarts the run', async () => {
    await initialized();
    h.clock.advanceSync(5_000);
    const { ctx } = await h.loadedContext();
    await restartRun(ctx);
    expect(ctx.status.plan).toMatchObject({ startedAt: new Date(h.clock.now()).toISOString().replace(/\.\d+Z$/, 'Z'), revision: ctx.revision?.hash, ticks: 8 });
  });

  it('does not keep a plan across a new initialization', async () => {
    await initialized();
    const { ctx } = await h.loadedContext();
    ctx.status.plan = { strategy: 'canary', weights: [10], ticks: 3, intervalSeconds: 60, minSeconds: 180, maxSeconds: 900,
      startedAt: '2026-01-01T00:00:00Z', expectedEnd: '2026-01-01T00:03:00Z', latestEnd: '2026-01-01T00:15:00Z' };
    await markInitialized(ctx);
    expect(ctx.status.plan).toBeUndefined();
  });
});
