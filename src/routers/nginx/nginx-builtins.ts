/**
 * PURE: NGINX's builtin metrics, Flagger's PromQL character for character (whitespace aside, which rendering
 * collapses). Canary traffic only: the canary upstream (`canary!=""`) of the Canary's Ingress.
 */
import { prometheusBuiltins, type PrometheusBuiltins } from '../../metrics/builtin-queries.js';

// parity: Flagger pkg/metrics/observers/nginx.go; the duration is an average (not p99), already in ms.
export const nginxBuiltins: PrometheusBuiltins = prometheusBuiltins({
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
}, 1);
