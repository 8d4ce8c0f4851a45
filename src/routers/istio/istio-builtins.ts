/**
 * PURE: Istio's builtin metrics, Flagger's PromQL character for character (whitespace aside, which rendering
 * collapses). Canary traffic only: `destination_workload` is regex-anchored, so `podinfo` does not match
 * `podinfo-primary`. The duration is Istio's histogram, already in milliseconds.
 */
import { prometheusBuiltins, type PrometheusBuiltins } from '../../metrics/builtin-queries.js';

// parity: Flagger pkg/metrics/observers/istio.go
export const istioBuiltins: PrometheusBuiltins = prometheusBuiltins({
  'request-success-rate': `
    sum( rate( istio_requests_total{ reporter="destination", destination_workload_namespace="{{ namespace }}",
      destination_workload=~"{{ target }}", response_code!~"5.*" }[{{ interval }}] ) )
    / sum( rate( istio_requests_total{ reporter="destination", destination_workload_namespace="{{ namespace }}",
      destination_workload=~"{{ target }}" }[{{ interval }}] ) ) * 100`,
  'request-duration': `
    histogram_quantile( 0.99, sum( rate( istio_request_duration_milliseconds_bucket{ reporter="destination",
      destination_workload_namespace="{{ namespace }}", destination_workload=~"{{ target }}" }[{{ interval }}] ) ) by (le) )`,
}, 1);
