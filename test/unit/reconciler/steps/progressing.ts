import { Resources } from '../../../../src/kube/resources.js';
import type { TickContext } from '../../../../src/reconciler/tick-context.js';
import { reconcileRouting } from '../../../../src/reconciler/steps/routing.js';
import { reconcileWorkloads } from '../../../../src/reconciler/steps/workloads.js';
import { aDeployment } from '../../../fixtures/objects.js';
import { canaryWith, TickHarness } from '../tick-harness.js';

/**
 * A Canary in the middle of a run: workloads and routing reconciled, primary and target ready, and a tick
 * context in phase Progressing with its target loaded. `analysis` replaces the fixture's analysis.
 */
export async function progressing(provider: string, analysis: Record<string, unknown>, spec: Record<string, unknown> = {}): Promise<{ h: TickHarness; ctx: TickContext }> {
  const h = await new TickHarness().start();
  await h.create(Resources.deployments, aDeployment());
  await h.createCanary(canaryWith({ analysis: { interval: '15s', threshold: 2, ...analysis }, ...spec }, { provider }));
  const setup = (await h.loadedContext()).ctx;
  await reconcileWorkloads(setup);
  await reconcileRouting(setup);
  await h.makeReady('podinfo-primary');
  await h.makeReady('podinfo');
  const { ctx } = await h.loadedContext();
  ctx.setPhase('Progressing');
  return { h, ctx };
}
