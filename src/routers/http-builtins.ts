/**
 * PURE: the builtin metrics of the generic HTTP observer, Flagger's PromQL character for character
 * (whitespace aside, which rendering collapses): the application's own `http_request_duration_seconds`
 * histogram, for providers whose data plane publishes no metrics of its own (`kubernetes`). Canary traffic
 * only: pod names `<target>-<replicaset>-<pod>`, which `<target>-primary-…` does not match.
 */
import { prometheusBuiltins, type PrometheusBuiltins } from '../metrics/builtin-queries.js';

// parity: Flagger pkg/metrics/observers/http.go; the histogram is in seconds, hence the duration scale 1000.
export const httpBuiltins: PrometheusBuiltins = prometheusBuiltins({
  'request-success-rate': `
    sum( rate( http_request_duration_seconds_count{ kubernetes_namespace="{{ namespace }}",
      kubernetes_pod_name=~"{{ target }}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)", status!~"5.*" }[{{ interval }}] ) )
    / sum( rate( http_request_duration_seconds_count{ kubernetes_namespace="{{ namespace }}",
      kubernetes_pod_name=~"{{ target }}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)" }[{{ interval }}] ) ) * 100`,
  'request-duration': `
    histogram_quantile( 0.99, sum( rate( http_request_duration_seconds_bucket{ kubernetes_namespace="{{ namespace }}",
      kubernetes_pod_name=~"{{ target }}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)" }[{{ interval }}] ) ) by (le) )`,
}, 1000);
