/**
 * The MetricTemplate provider table: one factory per `spec.provider.type`. A type without an entry is
 * reported on the check as not implemented. Each hosted provider lives in its own file
 * (`<type>.ts`) and exports its factory; adding a provider is one line here.
 */
import type { MetricProviderType } from '../api/metric-template.js';
import { metricInterval } from '../api/defaults.js';
import { CloudWatchProvider, cloudWatchRegion, cloudWatchWindowSeconds } from './cloudwatch.js';
import { datadogTemplateProvider } from './datadog.js';
import { dynatraceTemplateProvider } from './dynatrace.js';
import { MetricConfigError, errorMessage } from './errors.js';
import { newRelicTemplateProvider } from './newrelic.js';
import { splunkTemplateProvider } from './splunk.js';
import { stackdriverTemplateProvider } from './stackdriver.js';
import { PrometheusProvider, type MetricsProvider } from './prometheus.js';
import { templateProviderKey } from './provider-cache.js';
import { templateSecret, type TemplateProviderDeps, type TemplateProviderFactory, type TemplateRef } from './template-provider.js';

/** Factories by provider type; absent → not implemented. */
export const TEMPLATE_PROVIDERS: Readonly<Partial<Record<MetricProviderType, TemplateProviderFactory>>> = {
  prometheus: prometheusTemplateProvider,
  cloudwatch: cloudWatchTemplateProvider,
  datadog: datadogTemplateProvider,
  newrelic: newRelicTemplateProvider,
  dynatrace: dynatraceTemplateProvider,
  splunk: splunkTemplateProvider,
  stackdriver: stackdriverTemplateProvider,
};

/** The provider types Songbird implements, in the table's order. */
export const implementedTemplateProviders = (): MetricProviderType[] => Object.keys(TEMPLATE_PROVIDERS) as MetricProviderType[];

/** The Secret is read from the template's namespace, as Flagger does. */
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
    if (deps.cloudWatch === undefined) throw new MetricConfigError('CloudWatch is not configured');
    const client = deps.cloudWatch(region);
    return deps.providers.get({ id: key.id, version: `${key.version}/${windowSeconds}s` },
      () => new CloudWatchProvider({ region, client, now: deps.now, windowSeconds }));
  });
}

// Says which template a configuration or rendering error comes from.
function withContext<T>(label: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw new MetricConfigError(`${label}: ${errorMessage(error)}`);
  }
}
