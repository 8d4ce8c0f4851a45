import { afterEach, describe, expect, it } from 'vitest';
import { progressing } from './release.js';
import type { World } from './world.js';

const STEP_MS = 1_000;

/**
 * Runs the release to its end in steps of one second (workloads kept ready) and returns when it Succeeded,
 * in ms since the epoch.
 */
async function runToEnd(world: World, limitMs: number): Promise<number> {
  for (let elapsed = 0; elapsed <= limitMs; elapsed += STEP_MS) {
    await world.advance(STEP_MS);
    await world.makeReady('podinfo');
    await world.makeReady('podinfo-primary');
    if ((await world.canaryStatus()).phase === 'Succeeded') return world.clock.now();
  }
  throw new Error(`the release did not end within ${limitMs} ms: ${(await world.canaryStatus()).phase ?? ''}`);
}

describe('the plan in status against a whole release', () => {
  let world: World;
  afterEach(async () => world.stop());

  it.each([
    ['stepWeight 20 up to maxWeight 50', { stepWeight: 20, maxWeight: 50 }],
    ['a stepWeights ladder with stepWeightPromotion', { stepWeights: [5, 25, 60], stepWeightPromotion: 40 }],
    ['a mirror pre-step', { stepWeight: 50, mirror: true }],
    ['Blue/Green with 3 iterations', { iterations: 3 }],
    ['A/B testing with 2 iterations', { iterations: 2, match: [{ headers: { user: { exact: 'test' } } }] }],
  ])('ends a release with %s within one interval of the expected end, every check passing', async (_name, analysis) => {
    world = await progressing(analysis);
    const plan = (await world.canaryStatus()).plan;
    if (plan === undefined) throw new Error('no status.plan after the run started');
    const ended = await runToEnd(world, plan.maxSeconds * 1000);
    const expected = Date.parse(plan.expectedEnd);
    // Ticks run at the interval from the scheduler's own phase, so the run ends up to one interval early.
    expect(ended).toBeLessThanOrEqual(expected);
    expect(ended).toBeGreaterThan(expected - plan.intervalSeconds * 1000);
  });

  it('ends a release whose check failed once (threshold 2) after the expected end and before the latest end', async () => {
    world = await progressing({ stepWeight: 50 });
    const plan = (await world.canaryStatus()).plan;
    if (plan === undefined) throw new Error('no status.plan after the run started');
    world.metricValue = 50;
    while (((await world.canaryStatus()).failedChecks ?? 0) === 0) {
      await world.advance(STEP_MS);
      await world.makeReady('podinfo');
    }
    world.metricValue = 100;
    const ended = await runToEnd(world, plan.maxSeconds * 1000);
    expect(ended).toBeGreaterThan(Date.parse(plan.expectedEnd));
    expect(ended).toBeLessThanOrEqual(Date.parse(plan.latestEnd));
  });
});
