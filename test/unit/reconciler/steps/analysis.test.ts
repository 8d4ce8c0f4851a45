import { afterEach, describe, expect, it } from 'vitest';
import { analyse } from '../../../../src/reconciler/steps/analysis.js';
import { restartRun } from '../../../../src/reconciler/steps/lifecycle.js';
import type { TickHarness } from '../tick-harness.js';
import { progressing } from './progressing.js';

describe('analyse (one interval of a run)', () => {
  let h: TickHarness;
  afterEach(() => h.stop());

  it('advances the weight when the checks pass', async () => {
    let ctx;
    ({ h, ctx } = await progressing('istio', { stepWeight: 20, metrics: [{ name: 'request-success-rate', interval: '1m', thresholdRange: { min: 99 } }] }));
    await analyse(ctx);
    expect(ctx.status).toMatchObject({ phase: 'Progressing', canaryWeight: 20 });
    expect(await ctx.router.getRoutes(ctx.canary)).toEqual({ primary: 80, canary: 20, mirrored: false });
  });

  it('counts a failed check once the canary gets traffic, and holds the weight', async () => {
    let ctx;
    ({ h, ctx } = await progressing('istio', { stepWeight: 20, metrics: [{ name: 'request-success-rate', interval: '1m', thresholdRange: { min: 99 } }] }));
    await analyse(ctx);
    h.metricValue = 50;
    await analyse(ctx);
    expect(ctx.status).toMatchObject({ failedChecks: 1, canaryWeight: 20 });
    expect(await ctx.router.getRoutes(ctx.canary)).toEqual({ primary: 80, canary: 20, mirrored: false });
  });

  it('rolls back once failed checks reach the threshold', async () => {
    let ctx;
    ({ h, ctx } = await progressing('istio', { stepWeight: 20 }));
    ctx.status.failedChecks = 2;
    await analyse(ctx);
    expect(ctx.phase).toBe('Failed');
    expect(ctx.report).toMatchObject({ reason: 'CheckFailed', message: 'Rolling back podinfo.test failed checks threshold reached 2' });
  });

  it('names the metric that failed last, with its value against the threshold, when the failed checks reach the threshold', async () => {
    let ctx;
    ({ h, ctx } = await progressing('istio', { stepWeight: 20, metrics: [{ name: 'request-success-rate', interval: '1m', thresholdRange: { min: 99 } }] }));
    await analyse(ctx);
    h.metricValue = 87.5;
    await analyse(ctx);
    await analyse(ctx);
    expect(ctx.status.lastFailedCheck).toMatchObject({ kind: 'Metric', name: 'request-success-rate', value: 87.5, threshold: '>= 99' });
    await analyse(ctx);
    expect(ctx.phase).toBe('Failed');
    expect(ctx.report).toMatchObject({
      reason: 'CheckFailed',
      message: 'Rolling back podinfo.test failed checks threshold reached 2, last: metric request-success-rate: success rate 87.50% < 99%',
    });
    // The event keeps Flagger's text.
    expect(ctx.notices.map((n) => n.message)).toContain('Rolling back podinfo.test failed checks threshold reached 2');
  });

  it('names the rollout webhook and its answer when its refusals reach the threshold', async () => {
    let ctx;
    const url = 'http://hooks.test/gate';
    ({ h, ctx } = await progressing('istio', { stepWeight: 20, webhooks: [{ name: 'smoke-test', type: 'rollout', url }] }));
    await analyse(ctx);
    h.hookAnswers.set(url, { status: 500, body: 'smoke tests failed' });
    await analyse(ctx);
    await analyse(ctx);
    await analyse(ctx);
    expect(ctx.phase).toBe('Failed');
    expect(ctx.report?.reason).toBe('WebhookRefused');
    expect(ctx.report?.message).toMatch(/^Rolling back podinfo\.test failed checks threshold reached 2, last: rollout webhook smoke-test refused: .*500.*smoke tests failed/);
  });

  it('names the rollback webhook that asked for the rollback', async () => {
    let ctx;
    ({ h, ctx } = await progressing('istio', { stepWeight: 20, webhooks: [{ name: 'pager', type: 'rollback', url: 'http://hooks.test/rollback' }] }));
    await analyse(ctx);
    expect(ctx.phase).toBe('Failed');
    expect(ctx.report).toMatchObject({ reason: 'RollbackRequested', message: 'Rolling back podinfo.test rollback webhook pager asked for a rollback' });
  });

  it('forgets the last failed check when a new run starts', async () => {
    let ctx;
    ({ h, ctx } = await progressing('istio', { stepWeight: 20 }));
    ctx.status.lastFailedCheck = { kind: 'Metric', name: 'm', threshold: '>= 1', message: 'm 0.00 < 1', time: '2025-01-01T00:00:00Z' };
    await restartRun(ctx);
    expect(ctx.status.lastFailedCheck).toBeUndefined();
  });
});
