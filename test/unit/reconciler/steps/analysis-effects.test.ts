import { afterEach, describe, expect, it } from 'vitest';
import { advanceCanaryWeight, rollback, shiftPromotionTraffic } from '../../../../src/reconciler/steps/analysis-effects.js';
import type { TickHarness } from '../tick-harness.js';
import { progressing } from './progressing.js';

describe('analysis effects', () => {
  let h: TickHarness;
  afterEach(() => h.stop());

  it('advances the canary weight by one step and routes it', async () => {
    let ctx;
    ({ h, ctx } = await progressing('istio', { stepWeight: 20 }));
    await advanceCanaryWeight(ctx, 20, 50);
    expect(ctx.status.canaryWeight).toBe(20);
    expect(await ctx.router.getRoutes(ctx.canary)).toEqual({ primary: 80, canary: 20, mirrored: false });
    expect(ctx.notices.map((n) => n.message)).toEqual(['Advance podinfo.test canary weight 20']);
  });

  it('moves promotion straight to Finalising, routing nothing, where the provider routes no traffic', async () => {
    let ctx;
    ({ h, ctx } = await progressing('kubernetes', { iterations: 2 }));
    await shiftPromotionTraffic(ctx);
    expect(ctx.phase).toBe('Finalising');
    expect(ctx.notices).toEqual([]);
  });

  it('routes all traffic back to the primary in promotion where the provider routes traffic', async () => {
    let ctx;
    ({ h, ctx } = await progressing('istio', { stepWeight: 20 }));
    await advanceCanaryWeight(ctx, 20, 50);
    await shiftPromotionTraffic(ctx);
    expect(ctx.phase).toBe('Finalising');
    expect(await ctx.router.getRoutes(ctx.canary)).toEqual({ primary: 100, canary: 0, mirrored: false });
  });

  it('rolls back: traffic to the primary, Failed, with the scale-down and post-rollout left for the next tick', async () => {
    let ctx;
    ({ h, ctx } = await progressing('istio', { stepWeight: 20 }));
    await advanceCanaryWeight(ctx, 20, 50);
    await rollback(ctx, 'failed checks threshold reached 2', 'error');
    expect(ctx.status).toMatchObject({ phase: 'Failed', canaryWeight: 0, afterRun: { postRollout: 'Failed', scaleDown: true } });
    expect(ctx.followUp).toBe(true);
    expect(await ctx.router.getRoutes(ctx.canary)).toEqual({ primary: 100, canary: 0, mirrored: false });
  });
});
