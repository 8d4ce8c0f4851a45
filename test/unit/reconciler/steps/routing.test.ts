import { afterEach, describe, expect, it } from 'vitest';
import { Resources } from '../../../../src/kube/resources.js';
import { reconcileRouting } from '../../../../src/reconciler/steps/routing.js';
import { aDeployment } from '../../../fixtures/objects.js';
import { canaryWith, TickHarness } from '../tick-harness.js';

describe('reconcileRouting', () => {
  let h: TickHarness;
  afterEach(() => h.stop());

  it('creates the apex Service and the provider objects, all traffic on the primary (istio)', async () => {
    h = await new TickHarness().start();
    await h.create(Resources.deployments, aDeployment());
    await h.createCanary(canaryWith({}, { provider: 'istio' }));
    const { ctx } = await h.loadedContext();
    await reconcileRouting(ctx);
    expect((await h.kube.get(Resources.services, 'test', 'podinfo'))?.spec?.selector).toEqual({ app: 'podinfo-primary' });
    expect(await ctx.router.getRoutes(ctx.canary)).toEqual({ primary: 100, canary: 0, mirrored: false });
  });

  it('creates only the apex Service for a provider that routes no traffic (kubernetes)', async () => {
    h = await new TickHarness().start();
    await h.create(Resources.deployments, aDeployment());
    await h.createCanary(canaryWith({}));
    const { ctx } = await h.loadedContext();
    await reconcileRouting(ctx);
    expect(await h.kube.get(Resources.services, 'test', 'podinfo')).toBeDefined();
    expect(await h.kube.get(Resources.virtualServices, 'test', 'podinfo')).toBeUndefined();
  });

  it('refuses to run before the target is loaded', async () => {
    h = await new TickHarness().start();
    await h.createCanary(canaryWith({}, { provider: 'istio' }));
    await expect(reconcileRouting(h.context())).rejects.toThrow('target not loaded');
  });
});
