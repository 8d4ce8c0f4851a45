import { afterEach, describe, expect, it } from 'vitest';
import { analyse } from '../../../../src/reconciler/steps/analysis.js';
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
    expect(ctx.report).toMatchObject({ reason: 'FailedChecksThreshold' });
  });
});
