import { afterEach, describe, expect, it } from 'vitest';
import { Resources } from '../../../../src/kube/resources.js';
import { CanaryResource } from '../../../../src/reconciler/cluster-caches.js';
import { FINALIZER } from '../../../../src/reconciler/facts.js';
import { markInitialized, restartRun, scaleTargetToZero, scaleTargetUp, setFinalizer, startRun } from '../../../../src/reconciler/steps/lifecycle.js';
import { reconcileWorkloads } from '../../../../src/reconciler/steps/workloads.js';
import { aDeployment } from '../../../fixtures/objects.js';
import { canaryWith, TickHarness } from '../tick-harness.js';

describe('lifecycle steps', () => {
  let h: TickHarness;
  afterEach(() => h.stop());

  async function initialized(): Promise<void> {
    h = await new TickHarness().start();
    await h.create(Resources.deployments, aDeployment({ replicas: 3 }));
    await h.createCanary(canaryWith({}));
    await reconcileWorkloads((await h.loadedContext()).ctx);
    await h.makeReady('podinfo-primary');
  }

  const replicas = async (name: string): Promise<number | undefined> => (await h.kube.get(Resources.deployments, 'test', name))?.spec?.replicas;

  it('marks initialization done with the revision the primary was created from, and says so once', async () => {
    await initialized();
    const { ctx } = await h.loadedContext();
    await markInitialized(ctx);
    expect(ctx.status).toMatchObject({ phase: 'Initialized', lastAppliedSpec: ctx.revision?.hash, lastPromotedSpec: ctx.revision?.hash, canaryWeight: 0 });
    expect(ctx.notices.map((n) => n.message)).toEqual(['Initialization done! podinfo.test']);
  });

  it('scales the target to zero after initialization and back to the primary size for a run', async () => {
    await initialized();
    await scaleTargetToZero((await h.loadedContext()).ctx);
    expect(await replicas('podinfo')).toBe(0);
    await scaleTargetUp((await h.loadedContext()).ctx);
    expect(await replicas('podinfo')).toBe(3);
  });

  it('starts a run once confirm-rollout opens: target scaled up, Progressing with a clean slate', async () => {
    await initialized();
    const { ctx } = await h.loadedContext();
    ctx.status.failedChecks = 2;
    await startRun(ctx);
    expect(ctx.status).toMatchObject({ phase: 'Progressing', failedChecks: 0, iterations: 0, canaryWeight: 0 });
    expect(await replicas('podinfo')).toBe(3);
  });

  it('restarts a run on a newer revision, back to Progressing', async () => {
    await initialized();
    const { ctx } = await h.loadedContext();
    ctx.status.iterations = 3;
    await restartRun(ctx);
    expect(ctx.status).toMatchObject({ phase: 'Progressing', iterations: 0 });
    expect(ctx.notices.map((n) => n.message)).toEqual(['New revision detected! Restarting analysis for podinfo.test']);
  });

  it('adds and removes the finalizer, and builds the status patch on its own write', async () => {
    await initialized();
    const ctx = h.context();
    await setFinalizer(ctx, true);
    const canary = await h.kube.get(CanaryResource, 'test', 'podinfo');
    expect(canary?.metadata.finalizers).toEqual([FINALIZER]);
    expect(ctx.resourceVersion).toBe(canary?.metadata.resourceVersion);
    await setFinalizer(ctx, false);
    expect((await h.kube.get(CanaryResource, 'test', 'podinfo'))?.metadata.finalizers ?? []).toEqual([]);
  });
});
