import { afterEach, describe, expect, it } from 'vitest';
import { Resources } from '../../../../src/kube/resources.js';
import { runPostRollout, scaleDownAfterRun } from '../../../../src/reconciler/steps/after-run.js';
import { aDeployment } from '../../../fixtures/objects.js';
import { canaryWith, TickHarness } from '../tick-harness.js';

const hook = { name: 'notify', type: 'post-rollout', url: 'http://hooks.test/post-rollout' };

describe('the work a saved outcome left', () => {
  let h: TickHarness;
  afterEach(() => h.stop());

  async function ended(): Promise<Awaited<ReturnType<TickHarness['loadedContext']>>['ctx']> {
    h = await new TickHarness().start();
    await h.create(Resources.deployments, aDeployment());
    await h.createCanary(canaryWith({ analysis: { interval: '15s', threshold: 2, iterations: 5, webhooks: [hook] } }));
    const { ctx } = await h.loadedContext();
    ctx.status.afterRun = { postRollout: 'Succeeded', scaleDown: true };
    return ctx;
  }

  it('calls the post-rollout webhooks and clears that part only', async () => {
    const ctx = await ended();
    await runPostRollout(ctx);
    expect(h.hookCalls).toEqual([hook.url]);
    expect(ctx.status.afterRun).toEqual({ scaleDown: true });
  });

  it('scales the target to zero, clears the last part and says so when it waited for the routes', async () => {
    const ctx = await ended();
    delete ctx.status.afterRun?.postRollout;
    await scaleDownAfterRun(ctx, true);
    expect((await h.kube.get(Resources.deployments, 'test', 'podinfo'))?.spec?.replicas).toBe(0);
    expect(ctx.status.afterRun).toBeUndefined();
    expect(ctx.notices.map((n) => n.message)).toEqual(['Traffic is all on the primary: scaling down podinfo.test']);
  });

  it('does nothing without a post-rollout part', async () => {
    const ctx = await ended();
    ctx.status.afterRun = { scaleDown: true };
    await runPostRollout(ctx);
    expect(h.hookCalls).toEqual([]);
  });
});
