import { afterEach, describe, expect, it } from 'vitest';
import { Resources } from '../../../../src/kube/resources.js';
import { reconcileRouting } from '../../../../src/reconciler/steps/routing.js';
import { setRoutes } from '../../../../src/reconciler/steps/traffic.js';
import { aDeployment } from '../../../fixtures/objects.js';
import { canaryWith, TickHarness } from '../tick-harness.js';

const split = { primary: 90, canary: 10, mirrored: false };

describe('setRoutes', () => {
  let h: TickHarness;
  afterEach(() => h.stop());

  async function istioContext(analysis: Record<string, unknown> = {}): Promise<Awaited<ReturnType<TickHarness['loadedContext']>>['ctx']> {
    h = await new TickHarness().start();
    await h.create(Resources.deployments, aDeployment());
    await h.createCanary(canaryWith({ analysis: { interval: '15s', threshold: 2, stepWeight: 10, ...analysis } }, { provider: 'istio' }));
    const { ctx } = await h.loadedContext();
    await reconcileRouting(ctx);
    return ctx;
  }

  it('writes the split through the router', async () => {
    const ctx = await istioContext();
    await setRoutes(ctx, split);
    expect(await ctx.router.getRoutes(ctx.canary)).toEqual(split);
  });

  it('drafts the session cookies of the new split into the status before routing by them', async () => {
    const ctx = await istioContext({ sessionAffinity: { cookieName: 'canary' } });
    await setRoutes(ctx, split);
    expect(ctx.status.sessionAffinityCookie).toMatch(/^canary=[a-zA-Z]{10}$/);
    const cookie = ctx.status.sessionAffinityCookie;
    await setRoutes(ctx, { primary: 100, canary: 0, mirrored: false });
    expect(ctx.status).toMatchObject({ previousSessionAffinityCookie: cookie });
    expect(ctx.status.sessionAffinityCookie).toBeUndefined();
  });

  it('leaves the session fields alone without sessionAffinity', async () => {
    const ctx = await istioContext();
    await setRoutes(ctx, split);
    expect(ctx.status.sessionAffinityCookie).toBeUndefined();
  });
});
