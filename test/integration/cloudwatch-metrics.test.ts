import { CloudWatchClient, PutMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsCloudWatch } from '../../src/adapters/cloudwatch-aws.js';
import type { CanaryMetric } from '../../src/api/canary-analysis.js';
import type { Canary } from '../../src/api/canary.js';
import type { MetricTemplate } from '../../src/api/metric-template.js';
import { CloudWatchProvider, ProviderCache, runMetricChecks, type MetricChecksInput, type TimedMetricCheck } from '../../src/metrics/index.js';
import { albBuiltins, albQueryWindow, type AlbTargetGroup } from '../../src/routers/alb/alb-builtins.js';
import { awsClientConfig, startMoto, type RunningMoto } from '../support/moto.js';

// CloudWatch metrics of three target groups of one ALB, as the ALB would publish them for one minute:
// the canary's (with 5xx), the primary's (many 5xx, which must never leak into the canary's numbers) and a
// second canary's that served no 5xx (so, like a real ALB, it has no HTTPCode_Target_5XX_Count series at all).
const loadBalancer = 'app/web/50dc6c495c0c9188';
const canary = 'targetgroup/web-canary/73e2d6bc24d8a067';
const primary = 'targetgroup/web-primary/0a2f4c1e9b7d3a55';
const errorFree = 'targetgroup/api-canary/5d1e7c3b2a9f8e01';
const idle = 'targetgroup/idle-canary/6c2b8a4d1e3f5a70';

let moto: RunningMoto;
// One fixed "now" for the whole file; the datapoints sit inside the builtin window it gives.
const now = Date.now();

function datum(targetGroup: string, name: string, value: Omit<MetricDatum, 'MetricName'>): MetricDatum {
  const { start } = albQueryWindow(now, 60);
  return {
    MetricName: name, Timestamp: new Date(start.getTime() + 10_000),
    Dimensions: [{ Name: 'LoadBalancer', Value: loadBalancer }, { Name: 'TargetGroup', Value: targetGroup }], ...value,
  };
}

beforeAll(async () => {
  moto = await startMoto();
  const client = new CloudWatchClient(awsClientConfig(moto));
  await client.send(new PutMetricDataCommand({
    Namespace: 'AWS/ApplicationELB',
    MetricData: [
      datum(canary, 'RequestCount', { Value: 200, Unit: 'Count' }),
      datum(canary, 'HTTPCode_Target_5XX_Count', { Value: 3, Unit: 'Count' }),
      datum(canary, 'TargetResponseTime', { Values: [0.08, 0.2, 0.9], Counts: [90, 9, 1], Unit: 'Seconds' }),
      datum(primary, 'RequestCount', { Value: 1000, Unit: 'Count' }),
      datum(primary, 'HTTPCode_Target_5XX_Count', { Value: 500, Unit: 'Count' }),
      datum(errorFree, 'RequestCount', { Value: 50, Unit: 'Count' }),
    ],
  }));
  client.destroy();
});

afterAll(async () => {
  await moto?.stop();
});

const aCanary = (metrics: CanaryMetric[]): Canary => ({
  metadata: { name: 'web', namespace: 'shop' },
  spec: { provider: 'alb', targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, analysis: { interval: '1m', threshold: 2, metrics } },
});

// A Flagger-format template: the 5xx count of the target group named by a template variable.
const errorsTemplate = (region: string): MetricTemplate => ({
  metadata: { name: 'target-5xx', namespace: 'shop', uid: 'uid-target-5xx', resourceVersion: '1' },
  spec: {
    provider: { type: 'cloudwatch', region },
    query: `[{"Id": "errors", "Expression": "raw"},
      {"Id": "raw", "ReturnData": false, "MetricStat": {"Period": 60, "Stat": "Sum", "Metric": {"Namespace": "AWS/ApplicationELB",
        "MetricName": "HTTPCode_Target_5XX_Count", "Dimensions": [{"Name": "LoadBalancer", "Value": "${loadBalancer}"},
        {"Name": "TargetGroup", "Value": "{{ variables.targetGroup }}"}]}}}]`,
  },
});

function checks(metrics: CanaryMetric[], targetGroup = canary): Promise<TimedMetricCheck[]> {
  const target: AlbTargetGroup = { region: moto.region, loadBalancer, targetGroup };
  const input: MetricChecksInput = {
    canary: aCanary(metrics), provider: 'alb', builtins: albBuiltins, metricsServer: 'http://prometheus.invalid:9090',
    templates: () => errorsTemplate(moto.region), secrets: () => undefined, providers: new ProviderCache(),
    http: { get: () => Promise.reject(new Error('no check here may query Prometheus')), post: () => Promise.reject(new Error('no check here may POST')) },
    now: () => now,
    cloudWatch: (region) => awsCloudWatch({ region, endpoint: moto.endpoint, credentials: moto.credentials }),
    cloudWatchTargets: () => Promise.resolve(target),
  };
  return runMetricChecks(input);
}

const successRate: CanaryMetric = { name: 'request-success-rate', thresholdRange: { min: 99 }, interval: '1m' };

describe('CloudWatch metrics through the AWS SDK against moto', () => {
  it('computes the canary target group\'s success rate, not the primary\'s', async () => {
    const [check] = await checks([successRate]);
    expect(check).toMatchObject({ name: 'request-success-rate', kind: 'success-rate', value: 98.5, verdict: 'Fail' });
  });

  it('counts a target group without a 5xx series as error-free', async () => {
    const [check] = await checks([successRate], errorFree);
    expect(check).toMatchObject({ value: 100, verdict: 'Pass' });
  });

  it('fails with no values, never passes, for a target group without requests', async () => {
    const [check] = await checks([successRate], idle);
    expect(check).toMatchObject({ value: null, verdict: 'Fail' });
    expect(check?.message).toContain('(CloudWatch has no RequestCount datapoints for the canary target group)');
  });

  it('sends the p99 request, which moto cannot answer', async () => {
    const [check] = await checks([{ name: 'request-duration', thresholdRange: { max: 500 } }]);
    // moto 5.2.5 computes only Sum, Average, Minimum, Maximum and SampleCount in GetMetricData; for a
    // percentile Stat its response serializer fails and it answers HTTP 500. Against AWS the same request
    // returns the p99 of the published samples; the arithmetic is covered by the alb-builtins unit tests.
    expect(check).toMatchObject({ kind: 'duration', value: null, verdict: 'Fail' });
    expect(check?.message).toMatch(/^metric request-duration: CloudWatch GetMetricData failed: .*\(HTTP 500\)/);
  });

  it('runs a cloudwatch MetricTemplate with template variables and an unreturned query', async () => {
    const metric: CanaryMetric = {
      name: 'target-5xx', templateRef: { name: 'target-5xx' }, templateVariables: { targetGroup: canary }, thresholdRange: { max: 5 },
    };
    const [check] = await checks([metric]);
    expect(check).toMatchObject({ name: 'target-5xx', value: 3, verdict: 'Pass' });
  });

  it('reads a statistic moto does compute through a template: the slowest response', async () => {
    const provider = new CloudWatchProvider({
      region: moto.region, client: awsCloudWatch({ region: moto.region, endpoint: moto.endpoint, credentials: moto.credentials }),
      now: () => now, windowSeconds: 600,
    });
    const query = JSON.stringify([{ Id: 'slowest', MetricStat: { Period: 60, Stat: 'Maximum', Metric: {
      Namespace: 'AWS/ApplicationELB', MetricName: 'TargetResponseTime',
      Dimensions: [{ Name: 'LoadBalancer', Value: loadBalancer }, { Name: 'TargetGroup', Value: canary }] } } }]);
    expect(await provider.query(query)).toBe(0.9);
    expect(await provider.isOnline()).toEqual({ online: true });
  });
});
