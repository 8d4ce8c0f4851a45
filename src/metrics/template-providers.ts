/**
 * The MetricTemplate providers, keyed by `spec.provider.type`: one entry per type Songbird implements, each
 * a factory that builds the provider (or takes it from the cache) for a template. A type without an entry
 * is reported by the check as not implemented.
 *
 * To add a provider: a file `<type>.ts` with its `MetricsProvider` and factory, and one entry here.
 */
import { metricInterval } from '../api/defaults.js';
import type { MetricProviderType } from '../api/metric-template.js';
import { CloudWatchProvider, cloudWatchRegion, cloudWatchWindowSeconds } from './cloudwatch.js';
import { externalMetricsTemplateProvider } from './externalmetrics.js';
import { graphiteTemplateProvider } from './graphite.js';
import { influxdbTemplateProvider } from './influxdb.js';
import { keptnTemplateProvider } from './keptn.js';
import { PrometheusProvider } from './prometheus.js';
import { templateProviderKey } from './provider-cache.js';
import { cachedTemplateProvider, cloudWatchPort, withContext, type TemplateProviderFactory } from './template-provider.js';

/** The Secret is read from the template's namespace, as Flagger does. */
const prometheus: TemplateProviderFactory = (ref, input) => cachedTemplateProvider(ref, input, (credentials) => {
  const spec = ref.template.spec.provider;
  return new PrometheusProvider({ address: spec.address ?? '', headers: spec.headers, insecureSkipVerify: spec.insecureSkipVerify, credentials },
    input.http);
});

/**
 * A CloudWatch provider whose window is ten times the metric's interval. The window is part of the cache
 * version, so two metrics with different intervals sharing one template rebuild a cheap object (the SDK
 * client is shared by `cloudWatch`) rather than leaving an entry behind for every interval ever used.
 */
const cloudwatch: TemplateProviderFactory = ({ template, label, metric }, input) => withContext(label, () => {
  const region = cloudWatchRegion(template.spec.provider.region);
  const windowSeconds = cloudWatchWindowSeconds(metricInterval(metric));
  const key = templateProviderKey(template, undefined);
  return input.providers.get({ id: key.id, version: `${key.version}/${windowSeconds}s` },
    () => new CloudWatchProvider({ region, client: cloudWatchPort(input, region), now: input.now, windowSeconds }));
});

/** Every implemented MetricTemplate provider type and its factory. */
export const TEMPLATE_PROVIDERS: Readonly<Partial<Record<MetricProviderType, TemplateProviderFactory>>> = {
  prometheus,
  cloudwatch,
  graphite: graphiteTemplateProvider,
  influxdb: influxdbTemplateProvider,
  keptn: keptnTemplateProvider,
  externalmetrics: externalMetricsTemplateProvider,
};

/** The types of {@link TEMPLATE_PROVIDERS}, in table order (named in "not implemented" messages). */
export const IMPLEMENTED_METRIC_PROVIDERS: readonly MetricProviderType[] = Object.keys(TEMPLATE_PROVIDERS) as MetricProviderType[];

/** Types whose queries keep their line breaks (see `renderQueryVerbatim`); every other query is collapsed to one line. */
export const VERBATIM_QUERY_PROVIDERS: ReadonlySet<MetricProviderType> = new Set<MetricProviderType>(['influxdb']);
