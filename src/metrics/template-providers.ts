/**
 * The MetricTemplate provider table: one factory per `spec.provider.type`. A type without an entry is
 * reported on the check as not implemented. Each provider lives in its own file (`<type>.ts`) and exports
 * its factory, built on the shared helpers of template-provider.ts; adding a provider is one line here.
 */
import { metricInterval } from '../api/defaults.js';
import type { MetricProviderType } from '../api/metric-template.js';
import { CloudWatchProvider, cloudWatchRegion, cloudWatchWindowSeconds } from './cloudwatch.js';
import { datadogTemplateProvider } from './datadog.js';
import { dynatraceTemplateProvider } from './dynatrace.js';
import { externalMetricsTemplateProvider } from './externalmetrics.js';
import { graphiteTemplateProvider } from './graphite.js';
import { influxdbTemplateProvider } from './influxdb.js';
import { keptnTemplateProvider } from './keptn.js';
import { newRelicTemplateProvider } from './newrelic.js';
import { PrometheusProvider, type MetricsProvider } from './prometheus.js';
import { templateProviderKey } from './provider-cache.js';
import { splunkTemplateProvider } from './splunk.js';
import { stackdriverTemplateProvider } from './stackdriver.js';
import {
  cloudWatchPort, templateSecret, withContext, type TemplateProviderDeps, type TemplateProviderFactory, type TemplateRef,
} from './template-provider.js';

/** Factories by provider type; absent → not implemented. */
export const TEMPLATE_PROVIDERS: Readonly<Partial<Record<MetricProviderType, TemplateProviderFactory>>> = {
  prometheus: prometheusTemplateProvider,
  cloudwatch: cloudWatchTemplateProvider,
  datadog: datadogTemplateProvider,
  newrelic: newRelicTemplateProvider,
  dynatrace: dynatraceTemplateProvider,
  splunk: splunkTemplateProvider,
  stackdriver: stackdriverTemplateProvider,
  graphite: graphiteTemplateProvider,
  influxdb: influxdbTemplateProvider,
  keptn: keptnTemplateProvider,
  externalmetrics: externalMetricsTemplateProvider,
};

/** The types of {@link TEMPLATE_PROVIDERS}, in table order (named in "not implemented" messages). */
export const IMPLEMENTED_METRIC_PROVIDERS: readonly MetricProviderType[] = Object.keys(TEMPLATE_PROVIDERS) as MetricProviderType[];

/** Types whose queries keep their line breaks (see `renderQueryVerbatim`); every other query is collapsed to one line. */
export const VERBATIM_QUERY_PROVIDERS: ReadonlySet<MetricProviderType> = new Set<MetricProviderType>(['influxdb']);

/**
 * The Secret is read from the template's namespace, as Flagger does. Cached by template and Secret version
 * only: Prometheus queries carry their own window, so the metric interval does not shape the provider.
 */
async function prometheusTemplateProvider(ref: TemplateRef, deps: TemplateProviderDeps): Promise<MetricsProvider> {
  const spec = ref.template.spec.provider;
  const { secret, credentials } = await templateSecret(ref, deps);
  return deps.providers.get(templateProviderKey(ref.template, secret), () => withContext(ref.label, () => new PrometheusProvider({
    address: spec.address ?? '',
    headers: spec.headers,
    insecureSkipVerify: spec.insecureSkipVerify,
    credentials,
  }, deps.http)));
}

/**
 * A CloudWatch provider whose window is ten times the metric's interval. The window is part of the cache
 * version, so two metrics with different intervals sharing one template rebuild a cheap object (the SDK
 * client is shared by `cloudWatch`) rather than leaving an entry behind for every interval ever used.
 */
function cloudWatchTemplateProvider({ template, label, metric }: TemplateRef, deps: TemplateProviderDeps): MetricsProvider {
  return withContext(label, () => {
    const region = cloudWatchRegion(template.spec.provider.region);
    const windowSeconds = cloudWatchWindowSeconds(metricInterval(metric));
    const key = templateProviderKey(template, undefined);
    return deps.providers.get({ id: key.id, version: `${key.version}/${windowSeconds}s` },
      () => new CloudWatchProvider({ region, client: cloudWatchPort(deps, region), now: deps.now, windowSeconds }));
  });
}
