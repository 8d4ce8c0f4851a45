import { afterEach, describe, expect, it } from 'vitest';
import { Resources } from '../../../../src/kube/resources.js';
import { failInitialization, failWaiting } from '../../../../src/reconciler/steps/deadlines.js';
import { aDeployment } from '../../../fixtures/objects.js';
import { canaryWith, TickHarness } from '../tick-harness.js';

describe('waits that end on their deadline', () => {
  let h: TickHarness;
  afterEach(() => h.stop());

  it('fails an initialization whose primary was never created, with one alerting event', async () => {
    h = await new TickHarness().start();
    await h.createCanary(canaryWith({}));
    const ctx = h.context();
    await failInitialization(ctx, 'missing');
    expect(ctx.phase).toBe('Failed');
    expect(ctx.report).toMatchObject({ severity: 'error', message: expect.stringContaining('it was not created; podinfo.test keeps serving') });
    expect(ctx.notices.filter((n) => n.alert)).toHaveLength(1);
  });

  it('fails a closed confirm-rollout gate and records the revision as seen', async () => {
    h = await new TickHarness().start();
    await h.create(Resources.deployments, aDeployment());
    await h.createCanary(canaryWith({}));
    const { ctx } = await h.loadedContext();
    await failWaiting(ctx);
    expect(ctx.status).toMatchObject({ phase: 'Failed', lastAppliedSpec: ctx.revision?.hash });
    expect(ctx.report?.message).toContain('the new revision was not started');
  });
});
