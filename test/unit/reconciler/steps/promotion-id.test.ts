import { afterEach, describe, expect, it } from 'vitest';
import { Resources } from '../../../../src/kube/resources.js';
import { promotionIdOf } from '../../../../src/reconciler/steps/promotion-id.js';
import { aDeployment } from '../../../fixtures/objects.js';
import { canaryWith, TickHarness } from '../tick-harness.js';

describe('promotionIdOf', () => {
  let h: TickHarness;
  afterEach(() => h.stop());

  it('is the same for the same revision and differs for another', async () => {
    h = await new TickHarness().start();
    await h.create(Resources.deployments, aDeployment());
    await h.createCanary(canaryWith({}));
    const { ctx } = await h.loadedContext();
    const revision = ctx.revision;
    if (revision === undefined) throw new Error('no revision');
    expect(promotionIdOf(ctx, revision)).toBe(promotionIdOf(h.context(), { ...revision }));
    expect(promotionIdOf(ctx, { ...revision, hash: 'other' })).not.toBe(promotionIdOf(ctx, revision));
  });
});
