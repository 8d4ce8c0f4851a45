/**
 * PURE: the builtin metrics of `alb` Canaries, read from CloudWatch rather than Prometheus. The ALB
 * publishes per-target-group metrics in namespace `AWS/ApplicationELB`; the canary's own target group
 * gives the canary's traffic only, as the PromQL builtins do for meshes.
 *
 * - `request-success-rate` = 100 × (1 − Sum(HTTPCode_Target_5XX_Count) / Sum(RequestCount)), percent
 * - `request-duration` = p99 of TargetResponseTime (seconds) × 1000, milliseconds
 *
 * both over one CloudWatch period as long as the metric's interval (see {@link cloudWatchPeriodSeconds}).
 */
import type { GetMetricDataCommandInput, MetricDataQuery, MetricDataResult } from '@aws-sdk/client-cloudwatch';
import { parseGoDuration } from '../../api/duration.js';
import type { BuiltinMetricName, CloudWatchBuiltins, CloudWatchTarget } from '../../metrics/builtin-queries.js';
import { finitePoints } from '../../metrics/cloudwatch.js';
import { MetricConfigError, NoDataError } from '../../metrics/errors.js';

/**
 * The canary's ALB target group: where its CloudWatch metrics live and their two dimensions, `LoadBalancer`
 * `app/<name>/<id>` and `TargetGroup` `targetgroup/<name>/<id>` (ARNs are cut down to these).
 */
export type AlbTargetGroup = CloudWatchTarget;

/** CloudWatch namespace of Application Load Balancer metrics. */
export const albMetricsNamespace = 'AWS/ApplicationELB';

const minute = 60;
// CloudWatch receives an ALB's datapoints for a minute some time after that minute ends. The window ends
// one whole minute before the last minute boundary so that its period is complete, not just begun.
const publicationDelaySeconds = 60;
const ids = { requests: 'requests', errors: 'errors', latency: 'latency' } as const;
const loadBalancerDimension = /^app\/[^/]+\/[^/]+$/;
const targetGroupDimension = /^targetgroup\/[^/]+\/[^/]+$/;

/**
 * The CloudWatch period for a metric interval: whole minutes, rounded up, at least one, because ALB
 * metrics have one-minute resolution and GetMetricData accepts only multiples of 60 s for them.
 * Examples: `1m` → 60; `30s` → 60; `90s` → 120; `5m` → 300; `2m1s` → 180. Not a positive duration →
 * {@link MetricConfigError}.
 */
export function cloudWatchPeriodSeconds(interval: string): number {
  const ms = parseGoDuration(interval);
  if (ms === undefined || ms <= 0) throw new MetricConfigError(`metric interval "${interval}" is not a positive duration`);
  return Math.max(1, Math.ceil(ms / 1000 / minute)) * minute;
}

/**
 * The window of one period, ending a whole minute before the last minute boundary, so that CloudWatch
 * answers with a single datapoint covering the whole window.
 * Worked example: now 10:03:27, interval `90s` → period 120 s; last boundary 10:03:00, minus the
 * publication delay → end 10:02:00; start 10:00:00: one datapoint for 10:00:00–10:02:00.
 */
export function albQueryWindow(nowMs: number, periodSeconds: number): { readonly start: Date; readonly end: Date } {
  const boundary = Math.floor(nowMs / (minute * 1000)) * minute * 1000;
  const end = boundary - publicationDelaySeconds * 1000;
  return { start: new Date(end - periodSeconds * 1000), end: new Date(end) };
}

/**
 * The GetMetricData request of a builtin for the canary target group.
 * Example: (`request-success-rate`, interval `90s`) → Sum of RequestCount and of HTTPCode_Target_5XX_Count,
 * period 120 s, over {@link albQueryWindow}.
 */
export function albMetricDataInput(metric: BuiltinMetricName, target: AlbTargetGroup, interval: string,
  nowMs: number): GetMetricDataCommandInput {
  const period = cloudWatchPeriodSeconds(interval);
  const dimensions = albDimensions(target);
  const stat = (Id: string, MetricName: string, Stat: string): MetricDataQuery => ({
    Id, MetricStat: { Metric: { Namespace: albMetricsNamespace, MetricName, Dimensions: dimensions }, Period: period, Stat },
  });
  const queries = metric === 'request-success-rate'
    ? [stat(ids.requests, 'RequestCount', 'Sum'), stat(ids.errors, 'HTTPCode_Target_5XX_Count', 'Sum')]
    // GetMetricData takes percentiles as the Stat (GetMetricStatistics calls them ExtendedStatistics).
    : [stat(ids.latency, 'TargetResponseTime', 'p99')];
  const { start, end } = albQueryWindow(nowMs, period);
  return { MetricDataQueries: queries, StartTime: start, EndTime: end, ScanBy: 'TimestampDescending' };
}

/**
 * How a builtin's query is shown in status and events: stable across ticks (no times).
 * Example: `CloudWatch AWS/ApplicationELB 100 × (1 − Sum(HTTPCode_Target_5XX_Count) / Sum(RequestCount))
 * over 120s, LoadBalancer=app/web/50dc6c495c0c9188, TargetGroup=targetgroup/web-canary/73e2d6bc24d8a067`.
 */
export function describeAlbQuery(metric: BuiltinMetricName, target: AlbTargetGroup, interval: string): string {
  const formula = metric === 'request-success-rate'
    ? '100 × (1 − Sum(HTTPCode_Target_5XX_Count) / Sum(RequestCount))'
    : 'p99(TargetResponseTime) × 1000';
  const { LoadBalancer, TargetGroup } = Object.fromEntries(albDimensions(target).map((d) => [d.Name, d.Value]));
  return `CloudWatch ${albMetricsNamespace} ${formula} over ${cloudWatchPeriodSeconds(interval)}s, ` +
    `LoadBalancer=${LoadBalancer ?? ''}, TargetGroup=${TargetGroup ?? ''}`;
}

/** The builtin's value (percent or ms) from the results of {@link albMetricDataInput}'s request. */
export function albBuiltinValue(metric: BuiltinMetricName, results: readonly MetricDataResult[]): number {
  const values = (id: string): number[] => results.filter((r) => r.Id === id).flatMap((r) => finitePoints(r).map((p) => p.value));
  return metric === 'request-success-rate'
    ? albSuccessRate(values(ids.requests), values(ids.errors))
    : albDurationMs(values(ids.latency));
}

/**
 * Percent of requests without a target 5xx. No RequestCount datapoint, or a total of zero, is no data:
 * a canary without traffic must not pass. The ALB publishes HTTPCode_Target_5XX_Count only for periods
 * with at least one 5xx, so requests without a 5xx series mean zero errors.
 * Examples: 200 requests, 3 errors → 98.5; 200 requests, no 5xx datapoints → 100; no requests → NoDataError.
 */
export function albSuccessRate(requests: readonly number[], errors: readonly number[]): number {
  const total = sum(requests);
  if (requests.length === 0) throw new NoDataError('CloudWatch has no RequestCount datapoints for the canary target group');
  if (total <= 0) throw new NoDataError('the canary target group received no requests');
  return 100 * (1 - sum(errors) / total);
}

/**
 * The p99 response time in milliseconds. With one datapoint per window this is that datapoint; should
 * CloudWatch split the window, the largest p99 is taken, as a duration check guards a maximum.
 * Examples: [0.2345] s → 234.5 ms (compared as 234); [] → NoDataError.
 */
export function albDurationMs(p99Seconds: readonly number[]): number {
  if (p99Seconds.length === 0) throw new NoDataError('CloudWatch has no TargetResponseTime p99 for the canary target group');
  return Math.max(...p99Seconds) * 1000;
}

/**
 * The two dimensions, cut from ARNs when given ARNs.
 * Example: `arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188` →
 * `app/web/50dc6c495c0c9188`.
 */
export function albDimensions(target: AlbTargetGroup): { Name: string; Value: string }[] {
  const loadBalancer = afterMarker(target.loadBalancer, ':loadbalancer/');
  const targetGroup = afterMarker(target.targetGroup, ':');
  if (!loadBalancerDimension.test(loadBalancer)) {
    throw new MetricConfigError(`ALB load balancer "${target.loadBalancer}" is not app/<name>/<id> or its ARN`);
  }
  if (!targetGroupDimension.test(targetGroup)) {
    throw new MetricConfigError(`ALB target group "${target.targetGroup}" is not targetgroup/<name>/<id> or its ARN`);
  }
  return [{ Name: 'LoadBalancer', Value: loadBalancer }, { Name: 'TargetGroup', Value: targetGroup }];
}

// The text after the last `marker`, or all of it without one.
function afterMarker(text: string, marker: string): string {
  const at = text.lastIndexOf(marker);
  return at < 0 ? text : text.slice(at + marker.length);
}

/** The `alb` entry's builtins in the provider table (routers/index.ts). */
export const albBuiltins: CloudWatchBuiltins = {
  source: 'cloudwatch',
  targetName: 'the ALB target group',
  metricsName: 'ALB metrics',
  request: albMetricDataInput,
  describe: describeAlbQuery,
  value: albBuiltinValue,
};

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
