/**
 * Metric analysis: builtin (from the provider table) and templated queries rendered for a Canary, run against Prometheus through an
 * injected HTTP port, against CloudWatch through an injected port, or against a MetricTemplate's provider (the table in
 * template-providers.ts: the hosted APIs Datadog, New Relic, Dynatrace, Splunk and Google Cloud Monitoring, Graphite, InfluxDB,
 * Keptn and the Kubernetes external metrics API), and compared with their thresholds.
 * The reconciler calls {@link runMetricChecks}.
 */
export * from './builtin-queries.js';
export * from './cloudwatch.js';
export * from './cloudwatch-query.js';
export * from './datadog.js';
export * from './dynatrace.js';
export * from './errors.js';
export * from './evaluate.js';
export * from './externalmetrics.js';
export * from './go-duration.js';
export * from './google-auth.js';
export * from './graphite.js';
export * from './http-client.js';
export * from './influxdb.js';
export * from './keptn.js';
export * from './newrelic.js';
export * from './prometheus.js';
export * from './prometheus-response.js';
export * from './provider-cache.js';
export * from './quantity.js';
export * from './render-query.js';
export * from './run-analysis.js';
export * from './splunk.js';
export * from './stackdriver.js';
export * from './template-provider.js';
export * from './template-providers.js';
