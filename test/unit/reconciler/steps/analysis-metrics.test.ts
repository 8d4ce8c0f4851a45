import { afterEach, describe, expect, it } from 'vitest';
import { metricChecks } from '../../../../src/reconciler/steps/analysis-metrics.js';
import type { TickHarness } from '../tick-harness.js';
import { progressing } from './progressing.js';

const successRate = { name: 'request-success-rate', interval: '1m', thresholdRange: { min: 99 } };

describe('metricChecks', () => {
  let h: TickHarness;
  afterEach(() => h.stop());

  it('passes a builtin check within its range and records its value', async () => {
    let ctx;
    ({ h, ctx } = await progressing('istio', { stepWeight: 20, metrics: [successRate] }));
    expect(await metricChecks(ctx)).toBe('ok');
    expect(ctx.status.lastMetricValues).toMatchObject({ 'request-success-rate': { value: 100 } });
    expect(ctx.notices).toEqual([]);
  });

  it('fails a builtin check out of its range, with a warning event', async () => {
    let ctx;
    ({ h, ctx } = await progressing('istio', { stepWeight: 20, metrics: [successRate] }));
    h.metricValue = 50;
    expect(await metricChecks(ctx)).toBe('failed');
    expect(ctx.notices.map((n) => n.severity)).toEqual(['warn']);
  });
});
