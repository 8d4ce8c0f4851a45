import { describe, expect, it } from 'vitest';
import type { CanaryProvider } from '../api/canary.js';
import { builtinQuery as builtinQueryOf, isBuiltinMetric, type BuiltinMetricName, type BuiltinQuery } from '../metrics/builtin-queries.js';
import { NoBuiltinQueryError } from '../metrics/errors.js';
import { renderQuery, type QueryModel } from '../metrics/render-query.js';
import { builtinsOf } from './index.js';

// The builtin PromQL query of a provider, as the metric checks take it from the provider table.
const builtinQuery = (provider: CanaryProvider, metric: BuiltinMetricName): BuiltinQuery => builtinQueryOf(builtinsOf(provider), provider, metric);

const base: QueryModel = {
  name: 'podinfo', namespace: 'default', target: 'podinfo', service: 'podinfo', ingress: 'podinfo', route: 'podinfo',
  interval: '1m', variables: {},
};

// The queries Flagger's observer tests expect Prometheus to receive (pkg/metrics/observers/*_test.go), minus the
// leading space that Flagger's whitespace collapsing leaves.
const istioSuccessRate = 'sum( rate( istio_requests_total{ reporter="destination", destination_workload_namespace="default", destination_workload=~"podinfo", response_code!~"5.*" }[1m] ) ) / sum( rate( istio_requests_total{ reporter="destination", destination_workload_namespace="default", destination_workload=~"podinfo" }[1m] ) ) * 100';
const istioDuration = 'histogram_quantile( 0.99, sum( rate( istio_request_duration_milliseconds_bucket{ reporter="destination", destination_workload_namespace="default", destination_workload=~"podinfo" }[1m] ) ) by (le) )';
const httpSuccessRate = 'sum( rate( http_request_duration_seconds_count{ kubernetes_namespace="default", kubernetes_pod_name=~"podinfo-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)", status!~"5.*" }[1m] ) ) / sum( rate( http_request_duration_seconds_count{ kubernetes_namespace="default", kubernetes_pod_name=~"podinfo-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)" }[1m] ) ) * 100';
const httpDuration = 'histogram_quantile( 0.99, sum( rate( http_request_duration_seconds_bucket{ kubernetes_namespace="default", kubernetes_pod_name=~"podinfo-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)" }[1m] ) ) by (le) )';
const nginxSuccessRate = 'sum( rate( nginx_ingress_controller_requests{ namespace="nginx", ingress="podinfo", canary!="", status!~"5.*" }[1m] ) ) / sum( rate( nginx_ingress_controller_requests{ namespace="nginx", ingress="podinfo", canary!="" }[1m] ) ) * 100';
const nginxDuration = 'sum( rate( nginx_ingress_controller_response_duration_seconds_sum{ namespace="nginx", ingress="podinfo", canary!="" }[1m] ) ) / sum( rate( nginx_ingress_controller_response_duration_seconds_count{ namespace="nginx", ingress="podinfo", canary!="" }[1m] ) ) * 1000';

const nginxModel: QueryModel = { ...base, namespace: 'nginx' };

describe('builtinQuery', () => {
  interface Case {
    provider: CanaryProvider;
    metric: BuiltinMetricName;
    model: QueryModel;
    expected: string;
    kind: string;
    scale: number;
  }
  it.each<Case>([
    { provider: 'istio', metric: 'request-success-rate', model: base, expected: istioSuccessRate, kind: 'success-rate', scale: 1 },
    { provider: 'istio', metric: 'request-duration', model: base, expected: istioDuration, kind: 'duration', scale: 1 },
    { provider: 'kubernetes', metric: 'request-success-rate', model: base, expected: httpSuccessRate, kind: 'success-rate', scale: 1 },
    { provider: 'kubernetes', metric: 'request-duration', model: base, expected: httpDuration, kind: 'duration', scale: 1000 },
    { provider: 'gatewayapi:v1', metric: 'request-success-rate', model: base, expected: httpSuccessRate, kind: 'success-rate', scale: 1 },
    { provider: 'gatewayapi:v1beta1', metric: 'request-duration', model: base, expected: httpDuration, kind: 'duration', scale: 1000 },
    { provider: 'nginx', metric: 'request-success-rate', model: nginxModel, expected: nginxSuccessRate, kind: 'success-rate', scale: 1 },
    { provider: 'nginx', metric: 'request-duration', model: nginxModel, expected: nginxDuration, kind: 'duration', scale: 1 },
  ])('renders $provider $metric exactly as Flagger, kind and unit factor included', ({ provider, metric, model, expected, kind, scale }) => {
    const builtin = builtinQuery(provider, metric);
    expect(renderQuery(builtin.template, model)).toBe(expected);
    expect(builtin.kind).toBe(kind);
    expect(builtin.scale).toBe(scale);
  });

  it('uses the nginx ingress name, not the target, for nginx', () => {
    const rendered = renderQuery(builtinQuery('nginx', 'request-success-rate').template, { ...nginxModel, ingress: 'public' });
    expect(rendered).toContain('ingress="public"');
    expect(rendered).not.toContain('podinfo');
  });

  it.each<CanaryProvider>(['linkerd', 'contour', 'appmesh', 'knative'])('has no builtins for %s and says what to do instead', (provider) => {
    expect(() => builtinQuery(provider, 'request-success-rate')).toThrow(NoBuiltinQueryError);
    expect(() => builtinQuery(provider, 'request-duration')).toThrow(
      `provider ${provider} has no builtin request-duration query (builtins exist for kubernetes, istio, nginx, alb, gatewayapi:v1, `
      + 'gatewayapi:v1beta1); use a MetricTemplate (templateRef) for this metric');
  });

  it('claims no PromQL for alb, whose builtins read CloudWatch', () => {
    expect(() => builtinQuery('alb', 'request-success-rate')).toThrow(
      'provider alb has no builtin request-success-rate PromQL query: its builtins read CloudWatch');
  });
});

describe('isBuiltinMetric', () => {
  it.each([['request-success-rate', true], ['request-duration', true], ['error-rate', false], ['', false]])('%s → %s', (name, expected) => {
    expect(isBuiltinMetric(name)).toBe(expected);
  });
});
