/**
 * The Dynatrace metrics provider (MetricTemplate `provider.type: dynatrace`): a metric selector over the
 * last ten metric intervals through the Metrics API v2, folded to one value (`resolution=Inf`).
 */
import { metricInterval } from '../api/defaults.js';
import { MetricConfigError, NoDataError } from './errors.js';
import type { HttpClient } from './http-client.js';
import type { MetricsProvider, OnlineProbe } from './prometheus.js';
import {
  cachedTemplateProvider, finiteValue, hostedTimeoutMs, intervalMs, jsonAnswer, jsonProbe, requiredAddress, requiredKey,
  type TemplateProviderFactory,
} from './template-provider.js';

const service = 'Dynatrace';
// parity: Flagger pkg/metrics/providers/dynatrace.go queries from now − 10 × interval to now.
const windowIntervals = 10;

/** What a {@link DynatraceProvider} is built from. */
export interface DynatraceOptions {
  /** `spec.provider.address`, e.g. `https://abc12345.live.dynatrace.com`; required (Dynatrace has no default). */
  readonly address?: string;
  /** Secret key `dynatrace_token`, sent as `Authorization: Api-Token <token>`. */
  readonly token: string;
  /** The metric's interval in ms; the query covers ten of them. */
  readonly intervalMs: number;
  /** Milliseconds since the epoch; the query window ends here. */
  readonly now: () => number;
  readonly timeoutMs?: number;
}

/** Shape of a `GET /api/v2/metrics/query` answer, as far as it is read. */
interface DynatraceAnswer {
  readonly result?: readonly {
    readonly metricId?: string;
    readonly data?: readonly { readonly values?: readonly unknown[] | null }[] | null;
  }[] | null;
}

/**
 * Dynatrace over `GET <address>/api/v2/metrics/query?metricSelector=…&resolution=Inf&from=…&to=…` (ms).
 *
 * parity: Flagger pkg/metrics/providers/dynatrace.go: same request; the value is the first value of the
 * last series of the first metric. Songbird takes the same value but treats null (Dynatrace's "no data in
 * this slot", 0 in Go) as no data, and several series (a selector split by a dimension) as an error.
 */
export class DynatraceProvider implements MetricsProvider {
  private readonly base: string;

  constructor(private readonly options: DynatraceOptions, private readonly http: HttpClient) {
    this.base = requiredAddress('dynatrace', options.address, 'https://<environment-id>.live.dynatrace.com');
  }

  /** Example: interval 1m, now 1700000600000 → `from=1700000000000&to=1700000600000`. */
  queryUrl(query: string, nowMs: number): string {
    // Whole seconds, as Flagger: time.Now().Unix() * 1000.
    const to = Math.floor(nowMs / 1000) * 1000;
    const params = new URLSearchParams({
      metricSelector: query.trim(), resolution: 'Inf', from: String(to - windowIntervals * this.options.intervalMs), to: String(to),
    });
    return `${this.base}/api/v2/metrics/query?${params.toString()}`;
  }

  async query(query: string): Promise<number> {
    const res = await this.http.get(this.queryUrl(query, this.options.now()), this.requestOptions());
    return dynatraceValue(jsonAnswer(service, res) as DynatraceAnswer);
  }

  /** `GET /api/v2/metrics?pageSize=1`, as Flagger's probe. */
  async isOnline(): Promise<OnlineProbe> {
    return jsonProbe(service, this.http, `${this.base}/api/v2/metrics?pageSize=1`, this.requestOptions());
  }

  private requestOptions(): { headers: Record<string, string>; timeoutMs: number } {
    return { headers: { Authorization: `Api-Token ${this.options.token}` }, timeoutMs: this.options.timeoutMs ?? hostedTimeoutMs };
  }
}

/**
 * The first value of the one series of the first metric.
 * Example: `{"result":[{"metricId":"builtin:service.response.time","data":[{"values":[183.4]}]}]}` → 183.4.
 */
export function dynatraceValue(answer: DynatraceAnswer): number {
  const [metric] = answer.result ?? [];
  if (metric === undefined) throw new NoDataError(`${service} returned no metric`);
  const id = metric.metricId ?? 'the metric';
  const data = metric.data ?? [];
  if (data.length === 0) throw new NoDataError(`${service} returned no series for ${id}`);
  if (data.length > 1) throw new MetricConfigError(`spec.query: ${service} returned ${data.length} series for ${id}; the check needs exactly one`);
  const values = data[0]?.values ?? [];
  if (values.length === 0) throw new NoDataError(`${service} returned no values for ${id}`);
  return finiteValue(service, values[0], id);
}

/** Table entry: Secret key `dynatrace_token`; `spec.provider.address` required. */
export const dynatraceTemplateProvider: TemplateProviderFactory = (ref, deps) => cachedTemplateProvider(ref, deps, (credentials) =>
  new DynatraceProvider({
    address: ref.template.spec.provider.address,
    token: requiredKey(ref, credentials, 'dynatrace_token'),
    intervalMs: intervalMs(metricInterval(ref.metric)),
    now: deps.now,
  }, deps.http));
