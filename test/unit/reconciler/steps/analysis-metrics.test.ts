import { afterEach, describe, expect, it } from 'vitest';
import { flaggerType, Resources } from '../../../../src/kube/resources.js';
import type { KubeObject } from '../../../../src/ports/kube.js';
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

  it("runs a keptn MetricTemplate against the operator's own API server (the tick's Kube port)", async () => {
    let ctx;
    const metric = { name: 'response-time', templateRef: { name: 'response-time' }, thresholdRange: { max: 0.5 } };
    ({ h, ctx } = await progressing('istio', { stepWeight: 20, metrics: [metric] }));
    await h.create(flaggerType('MetricTemplate'), {
      metadata: { name: 'response-time', namespace: 'test' }, spec: { provider: { type: 'keptn' }, query: 'keptnmetric/test/response-time' },
    } as KubeObject);
    await h.kube.create(Resources.keptnMetrics, { metadata: { name: 'response-time', namespace: 'test' }, spec: {} });
    await h.kube.patch(Resources.keptnMetrics, { namespace: 'test', name: 'response-time' }, { status: { value: '0.75' } }, { subresource: 'status' });
    expect(await metricChecks(ctx)).toBe('failed');
    expect(ctx.status.lastMetricValues).toMatchObject({ 'response-time': { value: 0.75 } });
  });
});
