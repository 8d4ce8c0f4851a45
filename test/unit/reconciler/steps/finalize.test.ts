import { afterEach, describe, expect, it } from 'vitest';
import { Resources } from '../../../../src/kube/resources.js';
import { CanaryResource } from '../../../../src/reconciler/cluster-caches.js';
import { FINALIZER } from '../../../../src/reconciler/facts.js';
import { finalize } from '../../../../src/reconciler/steps/finalize.js';
import { scaleTargetToZero } from '../../../../src/reconciler/steps/lifecycle.js';
import { reconcileRouting } from '../../../../src/reconciler/steps/routing.js';
import { reconcileWorkloads } from '../../../../src/reconciler/steps/workloads.js';
import { settle } from '../../../fakes/fake-clock.js';
import { aDeployment } from '../../../fixtures/objects.js';
import { canaryWith, TickHarness } from '../tick-harness.js';

describe('finalize (revertOnDeletion)', () => {
  let h: TickHarness;
  afterEach(() => h.stop());

  /** An initialized Canary with its target at zero, its finalizer set. */
  async function initialized(): Promise<void> {
    h = await new TickHarness().start();
    await h.create(Resources.deployments, aDeployment({ replicas: 2 }));
    await h.createCanary({ ...canaryWith({ revertOnDeletion: true }), metadata: { name: 'podinfo', namespace: 'test', finalizers: [FINALIZER] } });
    const { ctx } = await h.loadedContext();
    await reconcileWorkloads(ctx);
    await h.makeReady('podinfo-primary');
    await reconcileRouting((await h.loadedContext()).ctx);
    await scaleTargetToZero(ctx);
    await settle();
  }

  it('first scales the target back to the primary size and waits for it, keeping the finalizer', async () => {
    await initialized();
    const { ctx } = await h.loadedContext();
    await finalize(ctx);
    expect(ctx.phase).toBe('Terminating');
    expect((await h.kube.get(Resources.deployments, 'test', 'podinfo'))?.spec?.replicas).toBe(2);
    expect(ctx.report).toMatchObject({ reason: 'Terminating' });
    expect((await h.kube.get(CanaryResource, 'test', 'podinfo'))?.metadata.finalizers).toEqual([FINALIZER]);
  });

  it('then points the apex Service at the target and removes the finalizer', async () => {
    await initialized();
    await finalize((await h.loadedContext()).ctx);
    await h.makeReady('podinfo');
    const { ctx } = await h.loadedContext();
    await finalize(ctx);
    expect((await h.kube.get(Resources.services, 'test', 'podinfo'))?.spec?.selector).toEqual({ app: 'podinfo' });
    expect((await h.kube.get(CanaryResource, 'test', 'podinfo'))?.metadata.finalizers ?? []).toEqual([]);
    expect(ctx.notices.map((n) => n.message)).toContain('Terminated canary podinfo.test');
  });
});
