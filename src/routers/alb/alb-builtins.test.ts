import type { MetricDataResult } from '@aws-sdk/client-cloudwatch';
import { describe, expect, it } from 'vitest';
import {
  albBuiltinValue, albDimensions, albDurationMs, albMetricDataInput, albQueryWindow, albSuccessRate, cloudWatchPeriodSeconds,
  describeAlbQuery, type AlbTargetGroup,
} from './alb-builtins.js';
import { MetricConfigError, NoDataError } from '../../metrics/errors.js';

const target: AlbTargetGroup = {
  region: 'eu-west-1', loadBalancer: 'app/web/50dc6c495c0c9188', targetGroup: 'targetgroup/web-canary/73e2d6bc24d8a067',
};
const dimensions = [
  { Name: 'LoadBalancer', Value: 'app/web/50dc6c495c0c9188' }, { Name: 'TargetGroup', Value: 'targetgroup/web-canary/73e2d6bc24d8a067' },
];
const now = Date.parse('2026-01-01T10:03:27Z');
const result = (Id: string, Values: number[]): MetricDataResult => ({ Id, Values, Timestamps: Values.map(() => new Date(now)) });

describe('cloudWatchPeriodSeconds', () => {
  it.each<[string, number]>([
    ['1m', 60], ['30s', 60], ['1s', 60], ['60s', 60], ['90s', 120], ['2m1s', 180], ['5m', 300], ['1h', 3600],
  ])('rounds %s up to whole minutes: %i s', (interval, seconds) => {
    expect(cloudWatchPeriodSeconds(interval)).toBe(seconds);
  });

  it.each(['', '0s', '-1m', 'soon'])('rejects the interval %j', (interval) => {
    expect(() => cloudWatchPeriodSeconds(interval)).toThrow(MetricConfigError);
  });
});

describe('albQueryWindow', () => {
  it.each<[string, number, string, string]>([
    ['a 90s interval at 10:03:27', 120, '2026-01-01T10:00:00.000Z', '2026-01-01T10:02:00.000Z'],
    ['a 1m interval at 10:03:27', 60, '2026-01-01T10:01:00.000Z', '2026-01-01T10:02:00.000Z'],
  ])('ends a minute before the last minute boundary for %s', (_title, period, start, end) => {
    const window = albQueryWindow(now, period);
    expect([window.start.toISOString(), window.end.toISOString()]).toEqual([start, end]);
  });

  it('covers exactly one period', () => {
    const { start, end } = albQueryWindow(Date.parse('2026-01-01T10:00:00Z'), 300);
    expect(end.getTime() - start.getTime()).toBe(300_000);
  });
});

describe('albMetricDataInput', () => {
  it('asks for the Sum of requests and of target 5xx of the canary target group over the rounded interval', () => {
    expect(albMetricDataInput('request-success-rate', target, '90s', now)).toEqual({
      MetricDataQueries: [
        { Id: 'requests', MetricStat: { Metric: { Namespace: 'AWS/ApplicationELB', MetricName: 'RequestCount', Dimensions: dimensions }, Period: 120, Stat: 'Sum' } },
        { Id: 'errors', MetricStat: { Metric: { Namespace: 'AWS/ApplicationELB', MetricName: 'HTTPCode_Target_5XX_Count', Dimensions: dimensions }, Period: 120, Stat: 'Sum' } },
      ],
      StartTime: new Date('2026-01-01T10:00:00Z'), EndTime: new Date('2026-01-01T10:02:00Z'), ScanBy: 'TimestampDescending',
    });
  });

  it('asks for the p99 target response time for the duration', () => {
    expect(albMetricDataInput('request-duration', target, '1m', now).MetricDataQueries).toEqual([
      { Id: 'latency', MetricStat: { Metric: { Namespace: 'AWS/ApplicationELB', MetricName: 'TargetResponseTime', Dimensions: dimensions }, Period: 60, Stat: 'p99' } },
    ]);
  });
});

describe('albDimensions', () => {
  it('cuts ARNs down to the dimension values', () => {
    expect(albDimensions({
      region: 'eu-west-1',
      loadBalancer: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188',
      targetGroup: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web-canary/73e2d6bc24d8a067',
    })).toEqual(dimensions);
  });

  it.each<[string, Partial<AlbTargetGroup>, string]>([
    ['a network load balancer', { loadBalancer: 'net/web/1' }, 'ALB load balancer "net/web/1" is not app/<name>/<id> or its ARN'],
    ['a bare target group name', { targetGroup: 'web-canary' }, 'ALB target group "web-canary" is not targetgroup/<name>/<id> or its ARN'],
  ])('rejects %s', (_title, change, message) => {
    expect(() => albDimensions({ ...target, ...change })).toThrow(new MetricConfigError(message));
  });
});

describe('albSuccessRate', () => {
  it.each<[string, number[], number[], number]>([
    ['3 errors in 200 requests', [200], [3], 98.5],
    ['requests without a 5xx series (the ALB publishes none for zero errors)', [200], [], 100],
    ['datapoints summed across a split window', [150, 50], [1, 1], 99],
    ['only errors', [40], [40], 0],
  ])('is 100 × (1 − errors / requests) for %s', (_title, requests, errors, expected) => {
    expect(albSuccessRate(requests, errors)).toBeCloseTo(expected, 10);
  });

  it.each<[string, number[], string]>([
    ['no RequestCount datapoints', [], 'CloudWatch has no RequestCount datapoints for the canary target group'],
    ['zero requests', [0], 'the canary target group received no requests'],
  ])('reports no data, never a pass, for %s', (_title, requests, reason) => {
    expect(() => albSuccessRate(requests, [])).toThrow(new NoDataError(reason));
  });
});

describe('albDurationMs', () => {
  it.each<[string, number[], number]>([
    ['one p99 datapoint', [0.2345], 234.5],
    ['a split window, taking the slower p99', [0.1, 0.3], 300],
  ])('converts seconds to milliseconds for %s', (_title, seconds, ms) => {
    expect(albDurationMs(seconds)).toBeCloseTo(ms, 10);
  });

  it('reports no data without a p99 datapoint', () => {
    expect(() => albDurationMs([])).toThrow(NoDataError);
  });
});

describe('albBuiltinValue', () => {
  it('computes the success rate from the requests and errors series, ignoring non-finite values', () => {
    expect(albBuiltinValue('request-success-rate', [result('requests', [400, Number.NaN]), result('errors', [10])])).toBe(97.5);
  });

  it('computes the duration from the latency series', () => {
    expect(albBuiltinValue('request-duration', [result('latency', [0.05])])).toBe(50);
  });

  it('reports no data when CloudWatch answers without the requests series', () => {
    expect(() => albBuiltinValue('request-success-rate', [result('errors', [1])])).toThrow(NoDataError);
  });
});

describe('describeAlbQuery', () => {
  it('names the formula, the period and the dimensions, and nothing that changes between ticks', () => {
    expect(describeAlbQuery('request-success-rate', target, '90s')).toBe('CloudWatch AWS/ApplicationELB 100 × (1 − '
      + 'Sum(HTTPCode_Target_5XX_Count) / Sum(RequestCount)) over 120s, LoadBalancer=app/web/50dc6c495c0c9188, '
      + 'TargetGroup=targetgroup/web-canary/73e2d6bc24d8a067');
    expect(describeAlbQuery('request-duration', target, '1m')).toContain('p99(TargetResponseTime) × 1000 over 60s');
  });
});
