import type { GetMetricDataCommandInput, GetMetricDataCommandOutput } from '@aws-sdk/client-cloudwatch';
import { describe, expect, it } from 'vitest';
import type { CanaryMetric } from '../api/canary-analysis.js';
import type { Canary } from '../api/canary.js';
import type { MetricTemplate } from '../api/metric-template.js';
import type { CloudWatchPort } from '../ports/cloudwatch.js';
import { albBuiltins, type AlbTargetGroup } from '../routers/alb/alb-builtins.js';
import type { HttpClient } from './http-client.js';
import { ProviderCache } from './provider-cache.js';
import { CountingCache } from '../../test/fakes/counting-provider-cache.js';
import { runMetricChecks, type MetricChecksInput } from './run-analysis.js';

const now = Date.parse('2026-01-01T10:03:27Z');

/** CloudWatch in every region: answers each query Id with its values from the table; records regions and requests. */
class FakeCloudWatchRegions {
  readonly calls: { region: string; input: GetMetricDataCommandInput }[] = [];
  constructor(private readonly values: Readonly<Record<string, number[]>>) {}

  readonly port = (region: string): CloudWatchPort => ({
    getMetricData: (input): Promise<GetMetricDataCommandOutput> => {
      this.calls.push({ region, input });
      const results = (input.MetricDataQueries ?? []).filter((q) => q.ReturnData !== false).map((q) => {
        const values = this.values[q.Id ?? ''] ?? [];
        return { Id: q.Id, Label: q.Id, Values: values, Timestamps: values.map(() => new Date(now - 60_000)), StatusCode: 'Complete' as const };
      });
      return Promise.resolve({ $metadata: {}, MetricDataResults: results });
    },
  });
}

// No check here may reach Prometheus.
const noPrometheus: HttpClient = { get: () => Promise.reject(new Error('Prometheus was queried')), post: () => Promise.reject(new Error('an HTTP provider was queried')) };

const canaryTarget: AlbTargetGroup = {
  region: 'eu-west-1', loadBalancer: 'app/web/50dc6c495c0c9188', targetGroup: 'targetgroup/web-canary/73e2d6bc24d8a067',
};

function aCanary(metrics: CanaryMetric[]): Canary {
  return {
    metadata: { name: 'podinfo', namespace: 'test' },
    spec: { targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' }, analysis: { interval: '1m', threshold: 5, metrics } },
  };
}

function aCloudWatchTemplate(region: string | undefined, rv = '1'): MetricTemplate {
  return {
    metadata: { name: 'error-rate', namespace: 'test', uid: 'uid-error-rate', resourceVersion: rv },
    spec: {
      provider: { type: 'cloudwatch', ...(region === undefined ? {} : { region }) },
      query: `[{"Id": "rate", "Expression": "errors / requests"},
        {"Id": "errors", "MetricStat": {"Metric": {"Namespace": "App", "MetricName": "Errors",
          "Dimensions": [{"Name": "app", "Value": "{{ target }}.{{ namespace }}"}]}, "Period": 60, "Stat": "Sum"}, "ReturnData": false}]`,
    },
  };
}

function input(metrics: CanaryMetric[], world: Partial<MetricChecksInput> = {}): MetricChecksInput {
  const template = aCloudWatchTemplate('eu-west-1');
  return {
    canary: aCanary(metrics), provider: 'alb', builtins: albBuiltins, metricsServer: 'http://prometheus:9090',
    templates: () => template, secrets: () => undefined, providers: new ProviderCache(), http: noPrometheus, now: () => now,
    ...world,
  };
}

const errorRate: CanaryMetric = { name: 'error-rate', templateRef: { name: 'error-rate' }, thresholdRange: { max: 1 }, interval: '2m' };
const successRate: CanaryMetric = { name: 'request-success-rate', thresholdRange: { min: 99 }, interval: '90s' };
const duration: CanaryMetric = { name: 'request-duration', thresholdRange: { max: 500 } };

describe('runMetricChecks with a cloudwatch MetricTemplate', () => {
  it('queries the template\'s region over ten metric intervals and compares the returned series', async () => {
    const cloudWatch = new FakeCloudWatchRegions({ rate: [0.4] });
    const [check] = await runMetricChecks(input([errorRate], { cloudWatch: cloudWatch.port }));
    expect(check).toMatchObject({ name: 'error-rate', verdict: 'Pass', value: 0.4 });
    expect(check?.query).toContain('"Value": "podinfo.test"');
    expect(cloudWatch.calls.map((c) => [c.region, c.input.StartTime, c.input.EndTime])).toEqual([
      ['eu-west-1', new Date(now - 20 * 60_000), new Date(now)],
    ]);
  });

  it.each<[string, Partial<MetricChecksInput>, string]>([
    ['CloudWatch is not configured', {}, 'metric error-rate: MetricTemplate test/error-rate: CloudWatch is not configured'],
    ['the template has no region', { templates: () => aCloudWatchTemplate(undefined), cloudWatch: new FakeCloudWatchRegions({}).port },
      'metric error-rate: MetricTemplate test/error-rate: spec.provider.region is required for provider type cloudwatch'],
    ['the query returns no datapoints', { cloudWatch: new FakeCloudWatchRegions({}).port },
      'no values found for metric error-rate, probably podinfo.test is not receiving traffic (CloudWatch returned no datapoints for query rate)'],
  ])('fails, saying why, when %s', async (_title, world, message) => {
    const checks = await runMetricChecks(input([errorRate], world));
    expect(checks).toEqual([expect.objectContaining({ verdict: 'Fail', value: null, message })]);
  });

  it('builds the provider once across ticks, and again when the template or the metric interval changes', async () => {
    const providers = new CountingCache();
    const cloudWatch = new FakeCloudWatchRegions({ rate: [0] });
    const tick = (metric: CanaryMetric, rv: string): Promise<unknown> =>
      runMetricChecks(input([metric], { providers, cloudWatch: cloudWatch.port, templates: () => aCloudWatchTemplate('eu-west-1', rv) }));
    await tick(errorRate, '1');
    await tick(errorRate, '1');
    expect(providers.builds).toBe(1);
    await tick(errorRate, '2');
    await tick({ ...errorRate, interval: '5m' }, '2');
    expect(providers.builds).toBe(3);
    expect(providers.size).toBe(1);
  });
});

describe('runMetricChecks builtins of an alb Canary', () => {
  it('reads the success rate and p99 duration of the canary target group from CloudWatch', async () => {
    const cloudWatch = new FakeCloudWatchRegions({ requests: [400], errors: [2], latency: [0.2349] });
    const checks = await runMetricChecks(input([successRate, duration], { cloudWatch: cloudWatch.port, cloudWatchTargets: () => Promise.resolve(canaryTarget) }));
    expect(checks.map((c) => [c.name, c.kind, c.verdict, c.value])).toEqual([
      ['request-success-rate', 'success-rate', 'Pass', 99.5],
      ['request-duration', 'duration', 'Pass', 234],
    ]);
    expect(checks[0]?.query).toBe('CloudWatch AWS/ApplicationELB 100 × (1 − Sum(HTTPCode_Target_5XX_Count) / Sum(RequestCount)) '
      + 'over 120s, LoadBalancer=app/web/50dc6c495c0c9188, TargetGroup=targetgroup/web-canary/73e2d6bc24d8a067');
    expect(cloudWatch.calls.map((c) => [c.region, c.input.MetricDataQueries?.map((q) => q.MetricStat?.Period)])).toEqual([
      ['eu-west-1', [120, 120]], ['eu-west-1', [60]],
    ]);
  });

  it.each<[string, Partial<MetricChecksInput>, string]>([
    ['the target group is unknown', { cloudWatch: new FakeCloudWatchRegions({}).port },
      'metric request-success-rate: the ALB target group of the canary is unknown: ALB metrics are not configured'],
    ['looking up the target group fails', { cloudWatch: new FakeCloudWatchRegions({}).port,
      cloudWatchTargets: () => Promise.reject(new Error('no target group for Service test/podinfo-canary yet')) },
    'metric request-success-rate: cannot find the ALB target group of the canary: no target group for Service test/podinfo-canary yet'],
    ['CloudWatch is not configured', { cloudWatchTargets: () => Promise.resolve(canaryTarget) },
      'metric request-success-rate: CloudWatch is not configured'],
    ['the canary received no requests', { cloudWatch: new FakeCloudWatchRegions({ errors: [3] }).port, cloudWatchTargets: () => Promise.resolve(canaryTarget) },
      'no values found for metric request-success-rate, probably podinfo.test is not receiving traffic '
      + '(CloudWatch has no RequestCount datapoints for the canary target group)'],
  ])('fails, never passes, when %s', async (_title, world, message) => {
    const checks = await runMetricChecks(input([successRate], world));
    expect(checks).toEqual([expect.objectContaining({ verdict: 'Fail', value: null, message })]);
  });
});
