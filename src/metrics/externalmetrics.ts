/**
 * The Kubernetes external metrics provider: reads `external.metrics.k8s.io/v1beta1` values, through the
 * operator's API server (which proxies to the registered metrics adapter) or, with `provider.address`,
 * from that address directly.
 */
import { z } from 'zod';
import { KubeApiError, type Kube, type KubeObject, type ResourceType } from '../ports/kube.js';
import { MetricConfigError, NoDataError, QueryError, errorMessage } from './errors.js';
import type { HttpClient } from './http-client.js';
import type { MetricsProvider, OnlineProbe } from './prometheus.js';
import { parseQuantity } from './quantity.js';
import {
  cachedTemplateProvider, excerpt, httpStatusError, joinedHeaders, jsonAnswer, providerEndpoint, type HttpProviderTarget, type TemplateProviderFactory,
} from './template-provider.js';

/** A parsed query: `<namespace>/<metricName>?labelSelector=<url-encoded selector>`. */
export interface ExternalMetricQuery {
  readonly namespace: string;
  readonly metric: string;
  /** Empty: every series of the metric. */
  readonly labelSelector: string;
}

const queryFormat = 'expected <namespace>/<metricName>?labelSelector=<url-encoded label selector>';

/**
 * Parses a query as Flagger does: the namespace is optional (`default`), the metric name is not.
 * Examples: `webapp-frontend/job-success-rate?labelSelector=env%3Dproduction` → namespace `webapp-frontend`,
 * metric `job-success-rate`, selector `env=production`; `queue-depth` → `default`, `queue-depth`, none.
 */
export function parseExternalMetricQuery(query: string): ExternalMetricQuery {
  const at = query.indexOf('?');
  const path = (at < 0 ? query : query.slice(0, at)).replace(/^\//, '');
  const params = new URLSearchParams(at < 0 ? '' : query.slice(at + 1));
  const parts = path.split('/').map(decodeURIComponent);
  if (parts.length > 2) throw new QueryError(`malformed external metrics query, too many slashes, ${queryFormat}, got "${query}"`, false);
  const [first = '', second] = parts;
  const namespace = second === undefined || first === '' ? 'default' : first;
  const metric = second ?? first;
  if (metric === '') throw new QueryError(`external metrics query names no metric, ${queryFormat}, got "${query}"`, false);
  return { namespace, metric, labelSelector: params.get('labelSelector') ?? '' };
}

// `items` is null in a list of nothing (Go's nil slice); a Status or any other object has no `items` at all.
const listSchema = z.object({ items: z.array(z.object({ metricName: z.string().optional(), value: z.string() })).nullable() });

/**
 * The first item's value of an `ExternalMetricValueList`.
 * Example: `{"kind":"ExternalMetricValueList","items":[{"metricName":"queue","value":"1500m"}]}` → 1.5.
 */
export function externalMetricValue(list: unknown): number {
  const parsed = listSchema.safeParse(list);
  if (!parsed.success) throw new QueryError(`external metrics API answered something other than an ExternalMetricValueList: ${excerpt(JSON.stringify(list) ?? '')}`);
  const first = parsed.data.items?.[0];
  if (first === undefined) throw new NoDataError('no external metrics found');
  const value = parseQuantity(first.value);
  if (value === undefined) throw new QueryError(`external metrics API answered a value that is not a quantity: "${first.value.slice(0, 100)}"`);
  if (!Number.isFinite(value)) throw new NoDataError(`external metric ${first.metricName ?? ''} is not finite`);
  return value;
}

/** The external metrics API's resource for one metric: the metric name is the "resource" of the path. */
function externalMetricType(metric: string): ResourceType {
  return { group: 'external.metrics.k8s.io', version: 'v1beta1', kind: 'ExternalMetricValue', plural: metric, namespaced: true, hasStatus: false };
}

/** Flagger's timeout of the external metrics client. */
const timeoutMs = 5_000;
const listLimit = 500;

/** Where the values come from. */
export type ExternalMetricsSource =
  | { readonly kind: 'kube'; readonly kube: Kube }
  | (HttpProviderTarget & { readonly kind: 'address'; readonly token?: string; readonly http: HttpClient });

/**
 * The external metrics API (`GET /apis/external.metrics.k8s.io/v1beta1/namespaces/<ns>/<metric>?labelSelector=…`),
 * first item's value.
 *
 * parity: Flagger pkg/metrics/providers/externalmetrics.go builds a client from its own kube config with
 * `provider.address` as host and the Secret's `token` as bearer token. Songbird asks its own API server
 * (with its own credentials) when there is no address, and the address with the Secret's token (or none)
 * when there is one; it does not send its service account's credentials to another host. A value that is
 * not finite is no data.
 */
export class ExternalMetricsProvider implements MetricsProvider {
  private readonly endpoint: URL | undefined;

  constructor(private readonly source: ExternalMetricsSource) {
    this.endpoint = source.kind === 'address' ? providerEndpoint('externalmetrics', source.address, 'apis/external.metrics.k8s.io/v1beta1') : undefined;
  }

  /** The URL the address form sends a query to. Example: `<address>/apis/external.metrics.k8s.io/v1beta1/namespaces/test/queue?labelSelector=app%3Dpodinfo`. */
  queryUrl(q: ExternalMetricQuery): string {
    const url = new URL(this.endpoint ?? 'http://kube');
    url.pathname = `${url.pathname}/namespaces/${encodeURIComponent(q.namespace)}/${encodeURIComponent(q.metric)}`;
    if (q.labelSelector !== '') url.searchParams.set('labelSelector', q.labelSelector);
    return url.toString();
  }

  async query(query: string): Promise<number> {
    const parsed = parseExternalMetricQuery(query);
    return externalMetricValue(await this.list(parsed));
  }

  /** Online when the API answers a list of a metric that does not exist (any answer but an error), as Flagger probes it. */
  async isOnline(): Promise<OnlineProbe> {
    try {
      await this.list({ namespace: 'kube-system', metric: 'dummy-metric', labelSelector: '' });
      return { online: true };
    } catch (error) {
      return { online: false, reason: errorMessage(error) };
    }
  }

  private async list(q: ExternalMetricQuery): Promise<unknown> {
    const { source } = this;
    if (source.kind === 'kube') return kubeList(source.kube, q);
    const headers = { ...joinedHeaders(source.headers), ...(source.token === undefined || source.token === '' ? {} : { Authorization: `Bearer ${source.token}` }) };
    const res = await source.http.get(this.queryUrl(q), { headers, timeoutMs, insecureSkipVerify: source.insecureSkipVerify === true });
    return jsonAnswer('external metrics API', res);
  }
}

async function kubeList(kube: Kube, q: ExternalMetricQuery): Promise<unknown> {
  try {
    const page = await kube.listPage<KubeObject>(externalMetricType(q.metric), {
      namespace: q.namespace, limit: listLimit, ...(q.labelSelector === '' ? {} : { labelSelector: q.labelSelector }),
    });
    return { items: page.items };
  } catch (error) {
    if (error instanceof KubeApiError) {
      throw httpStatusError('external metrics API', { status: error.status, body: error.message });
    }
    throw new QueryError(`external metrics API call failed: ${errorMessage(error)}`);
  }
}

/** The table entry: through the API server without an address, else to the address with the Secret's optional `token`. */
export const externalMetricsTemplateProvider: TemplateProviderFactory = (ref, deps) => cachedTemplateProvider(ref, deps, (credentials) => {
  const { address, headers, insecureSkipVerify } = ref.template.spec.provider;
  if (address === undefined || address === '') {
    if (deps.kube === undefined) throw new MetricConfigError('the externalmetrics provider without provider.address needs the Kubernetes API, which is not configured');
    return new ExternalMetricsProvider({ kind: 'kube', kube: deps.kube });
  }
  return new ExternalMetricsProvider({ kind: 'address', address, token: credentials?.token, http: deps.http, headers, insecureSkipVerify });
});
