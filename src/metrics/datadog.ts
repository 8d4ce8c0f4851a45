/**
 * The Datadog metrics provider (MetricTemplate `provider.type: datadog`): a metrics query over the last ten
 * metric intervals through Datadog's v1 query API, reduced to one value.
 */
import { metricInterval } from '../api/defaults.js';
import { MetricConfigError, NoDataError, QueryError } from './errors.js';
import type { HttpClient } from './http-client.js';
import type { MetricsProvider, OnlineProbe } from './prometheus.js';
import {
  addressOr, cachedTemplateProvider, finiteValue, hostedTimeoutMs, intervalMs, jsonAnswer, jsonProbe, requiredKey,
  type TemplateProviderFactory,
} from './template-provider.js';

/** Flagger's default address of the Datadog API. */
export const datadogDefaultAddress = 'https://api.datadoghq.com';
const service = 'Datadog';
// parity: Flagger pkg/metrics/providers/datadog.go queries from now − 10 × interval to now.
const windowIntervals = 10;

/** What a {@link DatadogProvider} is built from. */
export interface DatadogOptions {
  /** `spec.provider.address`; {@link datadogDefaultAddress} when empty. */
  readonly address?: string;
  /** Secret key `datadog_api_key`, sent as `DD-API-KEY`. */
  readonly apiKey: string;
  /** Secret key `datadog_application_key`, sent as `DD-APPLICATION-KEY`. */
  readonly applicationKey: string;
  /** The metric's interval in ms; the query covers ten of them. */
  readonly intervalMs: number;
  /** Milliseconds since the epoch; the query window ends here. */
  readonly now: () => number;
  readonly timeoutMs?: number;
}

/** Shape of a `GET /api/v1/query` answer, as far as it is read. */
interface DatadogAnswer {
  readonly status?: string;
  readonly error?: string;
  readonly series?: readonly { readonly pointlist?: readonly (readonly unknown[])[] | null }[] | null;
}

/**
 * Datadog over `GET <address>/api/v1/query?query=…&from=…&to=…` (seconds since the epoch).
 *
 * parity: Flagger pkg/metrics/providers/datadog.go takes the first point of the first series and returns
 * its value even when it is null (0 in Go), so a gap in the data passes a `max` threshold. Songbird takes
 * the newest non-null point of the one series and treats an answer without one as no data; several series
 * (a query grouped `by {…}`) are an error rather than a silent choice of the first.
 */
export class DatadogProvider implements MetricsProvider {
  private readonly base: string;
  private readonly headers: Readonly<Record<string, string>>;

  constructor(private readonly options: DatadogOptions, private readonly http: HttpClient) {
    this.base = addressOr('datadog', options.address, datadogDefaultAddress);
    this.headers = { 'DD-API-KEY': options.apiKey, 'DD-APPLICATION-KEY': options.applicationKey };
  }

  /** The request URL for `query` at time `nowMs`. Example: interval 1m, now 1700000600 s → from=1700000000. */
  queryUrl(query: string, nowMs: number): string {
    const to = Math.floor(nowMs / 1000);
    const from = to - Math.floor((windowIntervals * this.options.intervalMs) / 1000);
    const params = new URLSearchParams({ query, from: String(from), to: String(to) });
    return `${this.base}/api/v1/query?${params.toString()}`;
  }

  async query(query: string): Promise<number> {
    const res = await this.http.get(this.queryUrl(query, this.options.now()), this.requestOptions());
    return datadogValue(jsonAnswer(service, res) as DatadogAnswer);
  }

  /** `GET /api/v1/validate` with the keys, as Flagger's probe. */
  async isOnline(): Promise<OnlineProbe> {
    return jsonProbe(service, this.http, `${this.base}/api/v1/validate`, this.requestOptions());
  }

  private requestOptions(): { headers: Record<string, string>; timeoutMs: number } {
    return { headers: { ...this.headers }, timeoutMs: this.options.timeoutMs ?? hostedTimeoutMs };
  }
}

/**
 * The newest non-null value of the answer's one series. A point is `[timestamp ms, value]`.
 * Example: `{"series":[{"pointlist":[[1700000000000, 1.5],[1700000060000, null]]}]}` → 1.5.
 */
export function datadogValue(answer: DatadogAnswer): number {
  if (answer.status === 'error') throw new QueryError(`${service} refused the query: ${answer.error ?? 'no reason given'}`, false);
  const series = answer.series ?? [];
  if (series.length === 0) throw new NoDataError(`${service} returned no series`);
  if (series.length > 1) throw new MetricConfigError(`spec.query: ${service} returned ${series.length} series; the check needs exactly one`);
  const points = (series[0]?.pointlist ?? []).filter((p) => p[1] !== null && p[1] !== undefined);
  const newest = points.at(-1);
  if (newest === undefined) throw new NoDataError(`${service} returned no points with a value`);
  return finiteValue(service, newest[1], 'the newest point');
}

/** Table entry: Secret keys `datadog_api_key` and `datadog_application_key`. */
export const datadogTemplateProvider: TemplateProviderFactory = (ref, deps) => cachedTemplateProvider(ref, deps, (credentials) =>
  new DatadogProvider({
    address: ref.template.spec.provider.address,
    apiKey: requiredKey(ref, credentials, 'datadog_api_key'),
    applicationKey: requiredKey(ref, credentials, 'datadog_application_key'),
    intervalMs: intervalMs(metricInterval(ref.metric)),
    now: deps.now,
  }, deps.http));
