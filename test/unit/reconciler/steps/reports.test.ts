import { afterEach, describe, expect, it } from 'vitest';
import { Resources } from '../../../../src/kube/resources.js';
import { reportPrimaryNotReady, reportSuspended, reportTargetProblem } from '../../../../src/reconciler/steps/reports.js';
import { aDeployment } from '../../../fixtures/objects.js';
import { canaryWith, TickHarness } from '../tick-harness.js';

describe('reports', () => {
  let h: TickHarness;
  afterEach(() => h.stop());

  it('says a Canary is suspended in the Ready report and one event', async () => {
    h = await new TickHarness().start();
    await h.createCanary(canaryWith({ suspend: true }));
    const ctx = h.context();
    await reportSuspended(ctx);
    expect(ctx.report).toMatchObject({ reason: 'Suspended' });
    expect(ctx.notices).toHaveLength(1);
  });

  it('names a missing target, then a target without the selector label', async () => {
    h = await new TickHarness().start();
    await h.createCanary(canaryWith({}));
    const missing = (await h.loadedContext()).ctx;
    await reportTargetProblem(missing);
    expect(missing.report).toMatchObject({ reason: 'TargetNotFound', message: 'Deployment podinfo.test not found' });
    const unlabelled = aDeployment();
    if (unlabelled.spec !== undefined) unlabelled.spec.selector = { matchLabels: { tier: 'web' } };
    await h.create(Resources.deployments, unlabelled);
    const invalid = (await h.loadedContext()).ctx;
    await reportTargetProblem(invalid);
    expect(invalid.report).toMatchObject({ reason: 'TargetInvalid' });
  });

  it('waits for a primary to be created, moving a new Canary to Initializing', async () => {
    h = await new TickHarness().start();
    await h.createCanary(canaryWith({}));
    const ctx = h.context();
    await reportPrimaryNotReady(ctx, 'missing');
    expect(ctx.phase).toBe('Initializing');
    expect(ctx.report).toMatchObject({ reason: 'PrimaryNotReady', message: 'waiting for podinfo-primary.test to be created' });
  });
});
