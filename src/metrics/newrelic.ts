/**
 * The New Relic metrics provider (MetricTemplate `provider.type: newrelic`): an NRQL query over the last
 * metric interval through the Insights query API, reduced to its one result.
 */
import { metricInterval } from '../api/defaults.js';
import { MetricConfigError, NoDataError, QueryError } from './errors.js';
import type { HttpClient } from './http-client.js';
import type { MetricsProvider, OnlineProbe } from './prometheus.js';
import {
  addressOr, cachedTemplateProvider, finiteValue, hostedTimeoutMs, intervalMs, jsonAnswer, jsonProbe, requiredKey,
  type TemplateProviderFactory,
} from './template-provider.js';

/** Flagger's default address of the New Relic Insights API. */
export const newRelicDefaultAddress = 'https://insights-api.newrelic.com';
const service = 'New Relic';

/** What a {@link NewRelicProvider} is built from. */
export interface NewRelicOptions {
  /** `spec.provider.address`; {@link newRelicDefaultAddress} when empty. */
  readonly address?: string;
  /** Secret key `newrelic_account_id`, part of the path. */
  readonly accountId: string;
  /** Secret key `newrelic_query_key`, sent as `X-Query-Key`. */
  readonly queryKey: string;
  /** The metric's interval in ms; the NRQL gets `SINCE <seconds> seconds ago`. */
  readonly intervalMs: number;
  readonly timeoutMs?: number;
}

/** Shape of an Insights query answer, as far as it is read. */
interface NewRelicAnswer {
  readonly results?: readonly Readonly<Record<string, unknown>>[] | null;
  readonly error?: string;
}

/**
 * New Relic over `GET <address>/v1/accounts/<account id>/query?nrql=<query> SINCE <n> seconds ago`.
 *
 * parity: Flagger pkg/metrics/providers/newrelic.go: same request, the value is `results[0].result`; no
 * result or a null one is no data. Songbird also reads a single-function result under its function's key
 * (e.g. `{"average": 12}` for `SELECT average(duration)`), since Insights names the result after the
 * function, and collapses the query's whitespace as the Prometheus provider does.
 */
export class NewRelicProvider implements MetricsProvider {
  private readonly endpoint: string;

  constructor(private readonly options: NewRelicOptions, private readonly http: HttpClient) {
    if (!/^\d+$/.test(options.accountId.trim())) {
      throw new MetricConfigError(`newrelic_account_id "${options.accountId}" is not a New Relic account number`);
    }
    this.endpoint = `${addressOr('newrelic', options.address, newRelicDefaultAddress)}/v1/accounts/${options.accountId.trim()}/query`;
  }

  /** Example: interval 1m → `…/query?nrql=SELECT+count(*)+FROM+Transaction+SINCE+60+seconds+ago`. */
  queryUrl(query: string): string {
    const seconds = Math.floor(this.options.intervalMs / 1000);
    const nrql = `${query.trimEnd()} SINCE ${seconds} seconds ago`;
    return `${this.endpoint}?${new URLSearchParams({ nrql }).toString()}`;
  }

  async query(query: string): Promise<number> {
    const res = await this.http.get(this.queryUrl(query), this.requestOptions());
    return newRelicValue(jsonAnswer(service, res) as NewRelicAnswer);
  }

  /** Runs `SELECT * FROM Metric`, as Flagger's probe. */
  async isOnline(): Promise<OnlineProbe> {
    return jsonProbe(service, this.http, this.queryUrl('SELECT * FROM Metric'), this.requestOptions());
  }

  private requestOptions(): { headers: Record<string, string>; timeoutMs: number } {
    return { headers: { 'X-Query-Key': this.options.queryKey }, timeoutMs: this.options.timeoutMs ?? hostedTimeoutMs };
  }
}

/**
 * The one result of the answer: `results[0].result`, or the only value of `results[0]` (Insights keys it by
 * function: `average`, `count`, `percentage`…).
 * Examples: `{"results":[{"result":4.2}]}` → 4.2; `{"results":[{"count":1803}]}` → 1803;
 * `{"results":[{"result":null}]}` → no data.
 */
export function newRelicValue(answer: NewRelicAnswer): number {
  if (typeof answer.error === 'string') throw new QueryError(`${service} refused the query: ${answer.error}`, false);
  const results = answer.results ?? [];
  if (results.length === 0) throw new NoDataError(`${service} returned no results`);
  if (results.length > 1) throw new MetricConfigError(`spec.query: ${service} returned ${results.length} results; the check needs exactly one`);
  const first = results[0] ?? {};
  if ('result' in first) return finiteValue(service, first.result, 'results[0].result');
  const values = Object.entries(first);
  const [only] = values;
  if (values.length !== 1 || only === undefined) {
    throw new QueryError(`${service} returned results[0] with keys ${values.map(([k]) => k).join(', ')}; expected one value`, false);
  }
  return finiteValue(service, only[1], `results[0].${only[0]}`);
}

/** Table entry: Secret keys `newrelic_account_id` and `newrelic_query_key`. */
export const newRelicTemplateProvider: TemplateProviderFactory = (ref, deps) => cachedTemplateProvider(ref, deps, (credentials) =>
  new NewRelicProvider({
    address: ref.template.spec.provider.address,
    accountId: requiredKey(ref, credentials, 'newrelic_account_id'),
    queryKey: requiredKey(ref, credentials, 'newrelic_query_key'),
    intervalMs: intervalMs(metricInterval(ref.metric)),
  }, deps.http));
