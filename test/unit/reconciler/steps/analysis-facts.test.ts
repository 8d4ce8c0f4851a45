import { afterEach, describe, expect, it } from 'vitest';
import { gatherAnalysisFacts, runStrategy } from '../../../../src/reconciler/steps/analysis-facts.js';
import type { TickHarness } from '../tick-harness.js';
import { progressing } from './progressing.js';

describe('the facts of an analysis interval', () => {
  let h: TickHarness;
  afterEach(() => h.stop());

  it('runs Blue/Green for a provider that routes no traffic, with its forced 10 iterations', async () => {
    let ctx;
    ({ h, ctx } = await progressing('kubernetes', { stepWeight: 10 }));
    expect(runStrategy(ctx)).toBe('blue-green');
    expect(await gatherAnalysisFacts(ctx)).toMatchObject({ strategy: 'blue-green', routesTraffic: false, targetIterations: 10, phase: 'Progressing' });
  });

  it('runs the canary strategy on a provider that routes traffic, reading the routes and readiness', async () => {
    let ctx;
    ({ h, ctx } = await progressing('istio', { stepWeight: 20, maxWeight: 60 }));
    expect(await gatherAnalysisFacts(ctx)).toMatchObject({
      strategy: 'canary', routesTraffic: true, stepWeight: 20, maxWeight: 60, weight: 0, mirrored: false, promoted: false,
      primary: { ready: true }, canary: { ready: true },
    });
  });
});
