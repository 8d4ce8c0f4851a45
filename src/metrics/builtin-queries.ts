/**
 * The builtin metrics `request-success-rate` and `request-duration`: their names, what each measures, and
 * the shape of a provider's builtins. The queries themselves belong to the providers
 * (`routers/<provider>/<provider>-builtins.ts`, `routers/http-builtins.ts`), which hand them over through
 * the provider table (`routers/index.ts`, `builtinsOf`); this module never names a provider.
 */
import type { GetMetricDataCommandInput, MetricDataResult } from '@aws-sdk/client-cloudwatch';
import type { CanaryProvider } from '../api/canary.js';
import { NoBuiltinQueryError } from './errors.js';

/** Names of the builtin metrics. */
export const builtinMetricNames = ['request-success-rate', 'request-duration'] as const;

/** A builtin metric name. */
export type BuiltinMetricName = (typeof builtinMetricNames)[number];

/** How a metric's value is read: percent of successful requests, milliseconds, or the query's own unit. */
export type MetricKind = 'success-rate' | 'duration' | 'custom';

/** One builtin query: the template, what it measures, and the factor from its result to percent or ms. */
export interface BuiltinQuery {
  readonly template: string;
  readonly kind: Exclude<MetricKind, 'custom'>;
  /** Multiply the query result by this to get percent (success rate) or milliseconds (duration). */
  readonly scale: number;
}

/** Builtins in PromQL, run against `spec.metricsServer` or the operator's `--metrics-server`. */
export interface PrometheusBuiltins {
  readonly source: 'prometheus';
  readonly queries: Readonly<Record<BuiltinMetricName, BuiltinQuery>>;
}

/** Where a provider's load balancer publishes the canary's CloudWatch metrics, and in which region. */
export interface CloudWatchTarget {
  readonly region: string;
  /** Dimension `LoadBalancer`, e.g. `app/<name>/<id>` (or the ARN it is cut from). */
  readonly loadBalancer: string;
  /** Dimension `TargetGroup` of the canary, e.g. `targetgroup/<name>/<id>` (or the ARN it is cut from). */
  readonly targetGroup: string;
}

/**
 * Builtins read from CloudWatch, by the dimensions the provider's router finds (`Router.cloudWatchTargets`):
 * the GetMetricData request of a builtin, how it is shown in status, and its value from the results.
 */
export interface CloudWatchBuiltins {
  readonly source: 'cloudwatch';
  /** What the target is called in messages, e.g. `the ALB target group`. */
  readonly targetName: string;
  /** What the metrics are called when they are not configured, e.g. `ALB metrics`. */
  readonly metricsName: string;
  request(metric: BuiltinMetricName, target: CloudWatchTarget, interval: string, nowMs: number): GetMetricDataCommandInput;
  describe(metric: BuiltinMetricName, target: CloudWatchTarget, interval: string): string;
  value(metric: BuiltinMetricName, results: readonly MetricDataResult[]): number;
}

/** A provider without builtins, and the providers that have them (for the message that says so). */
export interface NoBuiltins {
  readonly source: 'none';
  readonly available: readonly CanaryProvider[];
}

/** A provider's builtins: the capability `builtins` of its entry in the provider table. */
export type ProviderBuiltins = PrometheusBuiltins | CloudWatchBuiltins | NoBuiltins;

/** True for `request-success-rate` and `request-duration`. */
export function isBuiltinMetric(name: string): name is BuiltinMetricName {
  return (builtinMetricNames as readonly string[]).includes(name);
}

/**
 * PromQL builtins from their two templates. `durationScale` turns the duration query's result into
 * milliseconds: 1 for a query in ms, 1000 for one in seconds (0.25 s × 1000 = 250 ms).
 */
export function prometheusBuiltins(templates: Readonly<Record<BuiltinMetricName, string>>, durationScale: number): PrometheusBuiltins {
  return {
    source: 'prometheus',
    queries: {
      'request-success-rate': { template: templates['request-success-rate'], kind: 'success-rate', scale: 1 },
      'request-duration': { template: templates['request-duration'], kind: 'duration', scale: durationScale },
    },
  };
}

/**
 * The builtin PromQL query of `metric` among a provider's builtins; throws {@link NoBuiltinQueryError} for
 * a provider without PromQL builtins, `alb` (CloudWatch) included. Example: (Istio's builtins,
 * `request-duration`) → the p99 of `istio_request_duration_milliseconds_bucket`, kind `duration`, scale 1.
 */
export function builtinQuery(builtins: ProviderBuiltins, provider: CanaryProvider, metric: BuiltinMetricName): BuiltinQuery {
  switch (builtins.source) {
    case 'prometheus':
      return builtins.queries[metric];
    case 'cloudwatch':
      throw new NoBuiltinQueryError(`provider ${provider} has no builtin ${metric} PromQL query: its builtins read CloudWatch`);
    case 'none':
      throw new NoBuiltinQueryError(
        `provider ${provider} has no builtin ${metric} query (builtins exist for ${builtins.available.join(', ')}); ` +
          'use a MetricTemplate (templateRef) for this metric');
  }
}
