/**
 * The builtin metrics `request-success-rate` and `request-duration`: Flagger's PromQL per traffic provider,
 * character for character (whitespace aside, which rendering collapses), and the unit of each result.
 *
 * Each query selects canary traffic only: Istio by `destination_workload` (regex-anchored, so `podinfo`
 * does not match `podinfo-primary`), NGINX by the canary upstream (`canary!=""`), the generic HTTP observer
 * by pod name `<target>-<replicaset>-<pod>` (which `<target>-primary-…` does not match).
 *
 * `alb` Canaries have builtins too, but not in PromQL: they read the canary target group's CloudWatch
 * metrics (alb-builtins.ts), so {@link builtinQuery} has none for them.
 */
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

/** True for `request-success-rate` and `request-duration`. */
export function isBuiltinMetric(name: string): name is BuiltinMetricName {
  return (builtinMetricNames as readonly string[]).includes(name);
}

type Observer = 'istio' | 'nginx' | 'http';

// parity: Flagger pkg/metrics/observers/istio.go
const istio: Record<BuiltinMetricName, string> = {
  'request-success-rate': `
    sum( rate( istio_requests_total{ reporter="destination", destination_workload_namespace="{{ namespace }}",
      destination_workload=~"{{ target }}", response_code!~"5.*" }[{{ interval }}] ) )
    / sum( rate( istio_requests_total{ reporter="destination", destination_workload_namespace="{{ namespace }}",
      destination_workload=~"{{ target }}" }[{{ interval }}] ) ) * 100`,
  'request-duration': `
    histogram_quantile( 0.99, sum( rate( istio_request_duration_milliseconds_bucket{ reporter="destination",
      destination_workload_namespace="{{ namespace }}", destination_workload=~"{{ target }}" }[{{ interval }}] ) ) by (le) )`,
};

// parity: Flagger pkg/metrics/observers/nginx.go; the duration is an average (not p99), already in ms.
const nginx: Record<BuiltinMetricName, string> = {
  'request-success-rate': `
    sum( rate( nginx_ingress_controller_requests{ namespace="{{ namespace }}", ingress="{{ ingress }}", canary!="",
      status!~"5.*" }[{{ interval }}] ) )
    / sum( rate( nginx_ingress_controller_requests{ namespace="{{ namespace }}", ingress="{{ ingress }}",
      canary!="" }[{{ interval }}] ) ) * 100`,
  'request-duration': `
    sum( rate( nginx_ingress_controller_response_duration_seconds_sum{ namespace="{{ namespace }}",
      ingress="{{ ingress }}", canary!="" }[{{ interval }}] ) )
    / sum( rate( nginx_ingress_controller_response_duration_seconds_count{ namespace="{{ namespace }}",
      ingress="{{ ingress }}", canary!="" }[{{ interval }}] ) ) * 1000`,
};

// parity: Flagger pkg/metrics/observers/http.go; the application's own histogram, in seconds.
const http: Record<BuiltinMetricName, string> = {
  'request-success-rate': `
    sum( rate( http_request_duration_seconds_count{ kubernetes_namespace="{{ namespace }}",
      kubernetes_pod_name=~"{{ target }}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)", status!~"5.*" }[{{ interval }}] ) )
    / sum( rate( http_request_duration_seconds_count{ kubernetes_namespace="{{ namespace }}",
      kubernetes_pod_name=~"{{ target }}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)" }[{{ interval }}] ) ) * 100`,
  'request-duration': `
    histogram_quantile( 0.99, sum( rate( http_request_duration_seconds_bucket{ kubernetes_namespace="{{ namespace }}",
      kubernetes_pod_name=~"{{ target }}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)" }[{{ interval }}] ) ) by (le) )`,
};

const queries: Record<Observer, Record<BuiltinMetricName, string>> = { istio, nginx, http };

// Only the HTTP observer's duration is in seconds: 0.25 s × 1000 = 250 ms.
const durationScale: Record<Observer, number> = { istio: 1, nginx: 1, http: 1000 };

/**
 * Providers with builtin queries. The generic HTTP observer serves `kubernetes` and Gateway API.
 *
 * parity: Flagger pkg/metrics/observers/factory.go has observers for more meshes and falls back to Istio's
 * for any other provider (and, through the `:service` suffix, for every Service target); Songbird has the
 * queries for the providers it routes, and a clear error for the others.
 */
const observers: Partial<Record<CanaryProvider, Observer>> = {
  istio: 'istio',
  nginx: 'nginx',
  kubernetes: 'http',
  'gatewayapi:v1': 'http',
  'gatewayapi:v1beta1': 'http',
};

/** Providers that have builtin PromQL queries. */
export const providersWithBuiltins: readonly CanaryProvider[] = Object.keys(observers) as CanaryProvider[];

/** Providers whose builtins read CloudWatch instead of Prometheus (see alb-builtins.ts). */
export const providersWithCloudWatchBuiltins: readonly CanaryProvider[] = ['alb'];

/**
 * The builtin PromQL query of `metric` for `provider`; throws {@link NoBuiltinQueryError} for a provider
 * without PromQL builtins, `alb` included. Example: (`istio`, `request-duration`) → the p99 of `istio_request_duration_milliseconds_bucket`,
 * kind `duration`, scale 1.
 */
export function builtinQuery(provider: CanaryProvider, metric: BuiltinMetricName): BuiltinQuery {
  const observer = observers[provider];
  if (providersWithCloudWatchBuiltins.includes(provider)) {
    throw new NoBuiltinQueryError(`provider ${provider} has no builtin ${metric} PromQL query: its builtins read CloudWatch`);
  }
  if (observer === undefined) {
    const all = [...providersWithBuiltins, ...providersWithCloudWatchBuiltins];
    throw new NoBuiltinQueryError(
      `provider ${provider} has no builtin ${metric} query (builtins exist for ${all.join(', ')}); ` +
        'use a MetricTemplate (templateRef) for this metric');
  }
  return metric === 'request-success-rate'
    ? { template: queries[observer][metric], kind: 'success-rate', scale: 1 }
    : { template: queries[observer][metric], kind: 'duration', scale: durationScale[observer] };
}
