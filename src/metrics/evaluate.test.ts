import { describe, expect, it } from 'vitest';
import type { CanaryMetric } from '../api/canary-analysis.js';
import { metricValueSchema } from '../api/canary-status.js';
import type { MetricKind } from './builtin-queries.js';
import { NoDataError, QueryError } from './errors.js';
import { evaluateMetric, formatCheckEvent, gaugeValue, latestMetricValues, toMetricValue, type MetricCheck } from './evaluate.js';
import { formatGoDuration } from './go-duration.js';

const sr = (m: Partial<CanaryMetric> = {}): CanaryMetric => ({ name: 'request-success-rate', ...m });
const dur = (m: Partial<CanaryMetric> = {}): CanaryMetric => ({ name: 'request-duration', ...m });
const custom = (m: Partial<CanaryMetric> = {}): CanaryMetric => ({ name: 'error-rate', templateRef: { name: 'error-rate' }, ...m });

interface Case {
  title: string;
  metric: CanaryMetric;
  kind: MetricKind;
  value: number;
  expected: Pick<MetricCheck, 'value' | 'threshold' | 'verdict' | 'message'>;
}

describe('evaluateMetric with a value', () => {
  // Flagger pkg/controller/scheduler_metrics.go: thresholdRange both ends inclusive; legacy threshold is a
  // minimum for the success rate and a maximum otherwise; durations compared in whole milliseconds.
  it.each<Case>([
    { title: 'passes a success rate above the minimum', metric: sr({ thresholdRange: { min: 99 } }), kind: 'success-rate', value: 99.5,
      expected: { value: 99.5, threshold: '>= 99', verdict: 'Pass', message: 'success rate 99.50% is within >= 99' } },
    { title: 'passes a success rate equal to the minimum', metric: sr({ thresholdRange: { min: 99 } }), kind: 'success-rate', value: 99,
      expected: { value: 99, threshold: '>= 99', verdict: 'Pass', message: 'success rate 99.00% is within >= 99' } },
    { title: 'fails a success rate below the minimum', metric: sr({ thresholdRange: { min: 99 } }), kind: 'success-rate', value: 98.7,
      expected: { value: 98.7, threshold: '>= 99', verdict: 'Fail', message: 'success rate 98.70% < 99%' } },
    { title: 'fails a success rate above a maximum', metric: sr({ thresholdRange: { max: 50 } }), kind: 'success-rate', value: 60,
      expected: { value: 60, threshold: '<= 50', verdict: 'Fail', message: 'success rate 60.00% > 50%' } },
    { title: 'reads the legacy threshold as the success-rate minimum', metric: sr({ threshold: 99 }), kind: 'success-rate', value: 98,
      expected: { value: 98, threshold: '>= 99', verdict: 'Fail', message: 'success rate 98.00% < 99%' } },
    { title: 'prefers thresholdRange over the legacy threshold', metric: sr({ threshold: 99, thresholdRange: { min: 90 } }), kind: 'success-rate', value: 95,
      expected: { value: 95, threshold: '>= 90', verdict: 'Pass', message: 'success rate 95.00% is within >= 90' } },
    { title: 'passes any success rate without thresholds (Flagger: threshold 0)', metric: sr(), kind: 'success-rate', value: 3,
      expected: { value: 3, threshold: '>= 0', verdict: 'Pass', message: 'success rate 3.00% is within >= 0' } },
    { title: 'passes anything with an empty thresholdRange', metric: sr({ thresholdRange: {} }), kind: 'success-rate', value: 3,
      expected: { value: 3, threshold: 'any', verdict: 'Pass', message: 'success rate 3.00% is within any' } },
    { title: 'truncates a duration to whole ms before comparing: 500.9 passes a 500 ms maximum', metric: dur({ thresholdRange: { max: 500 } }),
      kind: 'duration', value: 500.9,
      expected: { value: 500, threshold: '<= 500', verdict: 'Pass', message: 'request duration 500ms is within <= 500' } },
    { title: 'fails a duration above the maximum', metric: dur({ thresholdRange: { max: 500 } }), kind: 'duration', value: 501.2,
      expected: { value: 501, threshold: '<= 500', verdict: 'Fail', message: 'request duration 501ms > 500ms' } },
    { title: 'reads the legacy threshold as the duration maximum, in Go duration notation', metric: dur({ threshold: 500 }), kind: 'duration', value: 1500,
      expected: { value: 1500, threshold: '<= 500', verdict: 'Fail', message: 'request duration 1.5s > 500ms' } },
    { title: 'fails a duration below a minimum', metric: dur({ thresholdRange: { min: 10, max: 500 } }), kind: 'duration', value: 5,
      expected: { value: 5, threshold: '[10, 500]', verdict: 'Fail', message: 'request duration 5ms < 10ms' } },
    { title: 'truncates duration thresholds like Flagger\'s time.Duration conversion', metric: dur({ thresholdRange: { max: 500.7 } }), kind: 'duration', value: 500.9,
      expected: { value: 500, threshold: '<= 500', verdict: 'Pass', message: 'request duration 500ms is within <= 500' } },
    { title: 'fails any positive duration without thresholds (Flagger: threshold 0)', metric: dur(), kind: 'duration', value: 1,
      expected: { value: 1, threshold: '<= 0', verdict: 'Fail', message: 'request duration 1ms > 0s' } },
    { title: 'passes a custom value inside a range', metric: custom({ thresholdRange: { min: 1, max: 5 } }), kind: 'custom', value: 3,
      expected: { value: 3, threshold: '[1, 5]', verdict: 'Pass', message: 'error-rate 3.00 is within [1, 5]' } },
    { title: 'passes a custom value on the upper end of a range', metric: custom({ thresholdRange: { min: 1, max: 5 } }), kind: 'custom', value: 5,
      expected: { value: 5, threshold: '[1, 5]', verdict: 'Pass', message: 'error-rate 5.00 is within [1, 5]' } },
    { title: 'fails a custom value just above a range', metric: custom({ thresholdRange: { min: 1, max: 5 } }), kind: 'custom', value: 5.01,
      expected: { value: 5.01, threshold: '[1, 5]', verdict: 'Fail', message: 'error-rate 5.01 > 5' } },
    { title: 'fails a custom value below a range', metric: custom({ thresholdRange: { min: 1, max: 5 } }), kind: 'custom', value: 0.5,
      expected: { value: 0.5, threshold: '[1, 5]', verdict: 'Fail', message: 'error-rate 0.50 < 1' } },
    { title: 'reads the legacy threshold as a custom maximum', metric: custom({ threshold: 10 }), kind: 'custom', value: 12,
      expected: { value: 12, threshold: '<= 10', verdict: 'Fail', message: 'error-rate 12.00 > 10' } },
    { title: 'does not truncate custom values', metric: custom({ thresholdRange: { max: 0.5 } }), kind: 'custom', value: 0.55,
      expected: { value: 0.55, threshold: '<= 0.5', verdict: 'Fail', message: 'error-rate 0.55 > 0.5' } },
  ])('$title', ({ metric, kind, value, expected }) => {
    expect(evaluateMetric({ metric, kind, value, query: 'q' })).toEqual({ name: metric.name, kind, query: 'q', ...expected });
  });
});

describe('evaluateMetric without a value', () => {
  const noData = new NoDataError('query returned no series');

  it('fails on no data by default, never passes, and names the workload', () => {
    expect(evaluateMetric({ metric: sr({ thresholdRange: { min: 99 } }), kind: 'success-rate', error: noData, workload: 'podinfo.test' })).toEqual({
      name: 'request-success-rate', kind: 'success-rate', value: null, threshold: '>= 99', verdict: 'Fail',
      message: 'no values found for metric request-success-rate, probably podinfo.test is not receiving traffic (query returned no series)',
    });
  });

  it('fails on NaN with onNoData: fail, saying "the canary" without a workload', () => {
    const check = evaluateMetric({ metric: dur({ onNoData: 'fail' }), kind: 'duration', error: new NoDataError('query returned NaN') });
    expect(check.verdict).toBe('Fail');
    expect(check.message).toBe('no values found for metric request-duration, probably the canary is not receiving traffic (query returned NaN)');
  });

  it('skips on no data with onNoData: skip', () => {
    expect(evaluateMetric({ metric: custom({ onNoData: 'skip' }), kind: 'custom', error: noData, query: 'q' })).toEqual({
      name: 'error-rate', kind: 'custom', value: null, threshold: '<= 0', verdict: 'Skip', query: 'q',
      message: 'no values found for metric error-rate (query returned no series); skipped (onNoData: skip)',
    });
  });

  it('fails on any other error, even with onNoData: skip', () => {
    const check = evaluateMetric({ metric: custom({ onNoData: 'skip' }), kind: 'custom', error: new QueryError('Prometheus answered HTTP 500: boom') });
    expect(check).toMatchObject({ value: null, verdict: 'Fail', message: 'metric error-rate: Prometheus answered HTTP 500: boom' });
  });

  it('fails on something thrown that is not an Error', () => {
    expect(evaluateMetric({ metric: custom(), kind: 'custom', error: 'socket hang up' }).message).toBe('metric error-rate: socket hang up');
  });
});

describe('formatCheckEvent', () => {
  it('writes Flagger\'s halt sentence, then value, threshold, verdict and query', () => {
    const check = evaluateMetric({ metric: sr({ thresholdRange: { min: 99 } }), kind: 'success-rate', value: 95, query: 'sum(x)' });
    expect(formatCheckEvent(check, 'podinfo.test'))
      .toBe('Halt podinfo.test advancement success rate 95.00% < 99% (value: 95, threshold: >= 99, verdict: Fail, query: sum(x))');
  });

  it('writes the request duration the Flagger way', () => {
    const check = evaluateMetric({ metric: dur({ threshold: 500 }), kind: 'duration', value: 1500.4 });
    expect(formatCheckEvent(check, 'podinfo.test'))
      .toBe('Halt podinfo.test advancement request duration 1.5s > 500ms (value: 1500, threshold: <= 500, verdict: Fail)');
  });

  it('explains a no-data halt', () => {
    const check = evaluateMetric({ metric: sr(), kind: 'success-rate', error: new NoDataError('query returned NaN'), workload: 'podinfo.test', query: 'q' });
    expect(formatCheckEvent(check, 'podinfo.test')).toBe('Halt podinfo.test advancement no values found for metric request-success-rate, probably '
      + 'podinfo.test is not receiving traffic (query returned NaN) (value: none, threshold: >= 0, verdict: Fail, query: q)');
  });

  it('reports skips and passes', () => {
    const skip = evaluateMetric({ metric: custom({ onNoData: 'skip' }), kind: 'custom', error: new NoDataError('query returned no series') });
    expect(formatCheckEvent(skip, 'podinfo.test')).toBe('Skipped metric error-rate: no values found for metric error-rate (query returned no series); '
      + 'skipped (onNoData: skip) (value: none, threshold: <= 0, verdict: Skip)');
    const pass = evaluateMetric({ metric: custom({ thresholdRange: { max: 1 } }), kind: 'custom', value: 0.25 });
    expect(formatCheckEvent(pass, 'podinfo.test')).toBe('Metric error-rate passed: error-rate 0.25 is within <= 1 (value: 0.25, threshold: <= 1, verdict: Pass)');
  });
});

describe('gaugeValue and toMetricValue', () => {
  it('records a duration in seconds, other values as they are, and nothing without a value', () => {
    expect(gaugeValue(evaluateMetric({ metric: dur(), kind: 'duration', value: 250.7 }))).toBe(0.25);
    expect(gaugeValue(evaluateMetric({ metric: sr(), kind: 'success-rate', value: 99.5 }))).toBe(99.5);
    expect(gaugeValue(evaluateMetric({ metric: sr(), kind: 'success-rate', error: new NoDataError('x') }))).toBeNull();
    expect(gaugeValue(evaluateMetric({ metric: dur(), kind: 'duration', error: new NoDataError('x') }))).toBeNull();
  });

  it('gives a status entry that the Canary status schema accepts', () => {
    const check = evaluateMetric({ metric: sr({ thresholdRange: { min: 99 } }), kind: 'success-rate', value: 99.5, query: 'q' });
    const value = toMetricValue({ ...check, time: '2026-01-01T00:00:00Z' });
    expect(metricValueSchema.parse(value)).toEqual({
      value: 99.5, threshold: '>= 99', verdict: 'Pass', message: 'success rate 99.50% is within >= 99', query: 'q', time: '2026-01-01T00:00:00Z',
    });
  });
});

describe('formatGoDuration', () => {
  it.each([
    [0, '0s'], [1, '1ms'], [250, '250ms'], [999, '999ms'], [1000, '1s'], [1500, '1.5s'], [1234, '1.234s'], [59_999, '59.999s'],
    [60_000, '1m0s'], [61_000, '1m1s'], [90_500, '1m30.5s'], [3_600_000, '1h0m0s'], [3_725_000, '1h2m5s'], [-20, '-20ms'],
    [-1500, '-1.5s'], [1.9, '1ms'],
  ])('%d ms → %s', (ms, expected) => {
    expect(formatGoDuration(ms)).toBe(expected);
  });
});

describe('the metric values kept in status stay bounded', () => {
  const time = '2026-01-01T00:00:00Z';

  it('keeps at most 1 KiB of a rendered query and of a message, ending in an ellipsis', () => {
    const query = `sum(rate(x{${'a="b",'.repeat(2000)}}[1m]))`;
    const check = evaluateMetric({ metric: custom(), kind: 'custom', error: new QueryError(`Prometheus answered HTTP 400: ${'é'.repeat(3000)}`), query });
    const value = toMetricValue({ ...check, time });
    expect(Buffer.byteLength(value.query ?? '')).toBeLessThanOrEqual(1024);
    expect(Buffer.byteLength(value.message ?? '')).toBeLessThanOrEqual(1024);
    expect(value.query).toMatch(/^sum\(rate\(x\{a="b",.*…$/);
    expect(value.message).toMatch(/^metric error-rate: Prometheus answered HTTP 400: é+…$/);
  });

  it('keeps a short query as it is', () => {
    expect(toMetricValue({ ...evaluateMetric({ metric: sr(), kind: 'success-rate', value: 99.5, query: 'q' }), time }).query).toBe('q');
  });

  it('keeps only the metrics of the current spec, so renaming metrics does not grow the status', () => {
    const previous = { old: { threshold: '>= 1', verdict: 'Pass' as const, time }, 'request-success-rate': { threshold: '>= 1', verdict: 'Pass' as const, time } };
    const check = { ...evaluateMetric({ metric: sr(), kind: 'success-rate', value: 99 }), time };
    const values = latestMetricValues(previous, [check], [sr(), custom()]);
    expect(Object.keys(values)).toEqual(['request-success-rate']);
    expect(values['request-success-rate']?.value).toBe(99);
  });

  it('keeps the last entry of a metric the spec still has when this tick did not check it', () => {
    const previous = { 'error-rate': { value: 0.5, threshold: '<= 1', verdict: 'Pass' as const, time } };
    const check = { ...evaluateMetric({ metric: sr(), kind: 'success-rate', value: 99 }), time };
    expect(latestMetricValues(previous, [check], [sr(), custom()])['error-rate']).toEqual(previous['error-rate']);
  });

  it('writes no value key for a check without a value, since a merge patch cannot write null', () => {
    const check = { ...evaluateMetric({ metric: sr(), kind: 'success-rate', error: new NoDataError('x') }), time };
    expect(Object.keys(latestMetricValues(undefined, [check], [sr()])['request-success-rate'] ?? {})).not.toContain('value');
  });
});
