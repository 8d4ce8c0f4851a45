/**
 * The Splunk Observability (SignalFx) metrics provider (MetricTemplate `provider.type: splunk`): a
 * SignalFlow program over the last ten metric intervals, run through the SignalFlow REST API, whose stream
 * of Server-Sent Events is reduced to the newest value of the one published time series.
 */
import { metricInterval } from '../api/defaults.js';
import { MetricConfigError, NoDataError, QueryError } from './errors.js';
import type { HttpClient } from './http-client.js';
import type { MetricsProvider, OnlineProbe } from './prometheus.js';
import {
  cachedTemplateProvider, excerpt, finiteValue, hostedTimeoutMs, httpStatusError, intervalMs, jsonProbe, requiredAddress, requiredKey,
  type TemplateProviderFactory,
} from './template-provider.js';

const service = 'Splunk SignalFlow';
// parity: Flagger pkg/metrics/providers/splunk.go runs the program from now − 10 × interval to now.
const windowIntervals = 10;

/** What a {@link SplunkProvider} is built from. */
export interface SplunkOptions {
  /** `spec.provider.address`, e.g. `https://api.us1.signalfx.com`; required, as in Flagger. */
  readonly address?: string;
  /** Secret key `sf_token_key`, sent as `X-SF-Token`. */
  readonly token: string;
  /** The metric's interval in ms; the program runs over ten of them. */
  readonly intervalMs: number;
  /** Milliseconds since the epoch; the program's window ends here. */
  readonly now: () => number;
  readonly timeoutMs?: number;
}

/** One Server-Sent Event: its name (`event:`) and its `data:` lines joined by newlines. */
export interface ServerSentEvent {
  readonly event: string;
  readonly data: string;
}

/**
 * Splunk over `POST <stream address>/v2/signalflow/execute?start=…&stop=…&immediate=true` with the program as a
 * `text/plain` body. The stream address is the API address with its first `api` replaced by `stream`
 * (`https://api.us1.signalfx.com` → `https://stream.us1.signalfx.com`), as Flagger derives it.
 *
 * parity: Flagger runs the same program, window and `immediate` flag through the SignalFlow WebSocket client;
 * Songbird uses the REST form of the same API (Server-Sent Events, JSON data messages), which needs no
 * WebSocket session. As in Flagger: null values are dropped, several time series are an error, the newest
 * value wins. Unlike Flagger, NaN or ±Inf is no data.
 */
export class SplunkProvider implements MetricsProvider {
  private readonly streamBase: string;
  private readonly apiBase: string;

  constructor(private readonly options: SplunkOptions, private readonly http: HttpClient) {
    const address = requiredAddress('splunk', options.address, 'https://api.<realm>.signalfx.com');
    this.streamBase = address.replace('api', 'stream');
    this.apiBase = address.replace('stream', 'api');
  }

  /** Example: interval 1m, now 1700000000000 → `…/v2/signalflow/execute?start=1699999400000&stop=1700000000000&immediate=true`. */
  executeUrl(nowMs: number): string {
    const start = nowMs - windowIntervals * this.options.intervalMs;
    const params = new URLSearchParams({ start: String(start), stop: String(nowMs), immediate: 'true' });
    return `${this.streamBase}/v2/signalflow/execute?${params.toString()}`;
  }

  async query(program: string): Promise<number> {
    const res = await this.http.post(this.executeUrl(this.options.now()), program, {
      headers: { 'X-SF-Token': this.options.token, 'Content-Type': 'text/plain' },
      timeoutMs: this.options.timeoutMs ?? hostedTimeoutMs,
    });
    if (res.status < 200 || res.status >= 300) throw httpStatusError(service, res);
    return signalFlowValue(parseServerSentEvents(res.body));
  }

  /** `GET <api address>/v2/metric?limit=1`, as Flagger's probe. */
  async isOnline(): Promise<OnlineProbe> {
    return jsonProbe(service, this.http, `${this.apiBase}/v2/metric?limit=1`, {
        headers: { 'X-SF-Token': this.options.token }, timeoutMs: this.options.timeoutMs ?? hostedTimeoutMs,
    });
  }
}

/**
 * The events of a `text/event-stream` body: blank lines end an event, `event:` names it (default
 * `message`), `data:` lines are joined with newlines, `:` lines are comments.
 */
export function parseServerSentEvents(body: string): ServerSentEvent[] {
  const events: ServerSentEvent[] = [];
  let name = '';
  let data: string[] = [];
  for (const line of [...body.split(/\r\n|\r|\n/), '']) {
    if (line === '') {
      if (data.length > 0) events.push({ event: name === '' ? 'message' : name, data: data.join('\n') });
      name = '';
      data = [];
      continue;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') name = value;
    else if (field === 'data') data.push(value);
  }
  return events;
}

/** A datapoint of a SignalFlow data message. */
interface Datapoint {
  readonly tsId: string;
  readonly value: unknown;
}

/**
 * The newest non-null value of the one time series the program published. An `error` event, or a
 * control message aborting the channel, is a {@link QueryError}.
 * Example: data `[{tsId: "AAAAAKhHAAA", value: 97.5}]` then `[{tsId: "AAAAAKhHAAA", value: 98.1}]` → 98.1.
 */
export function signalFlowValue(events: readonly ServerSentEvent[]): number {
  const points: Datapoint[] = [];
  for (const { event, data } of events) {
    if (event === 'error') throw new QueryError(`${service} reported an error: ${excerpt(data)}`, false);
    if (event === 'control-message' && /"CHANNEL_ABORT"/.test(data)) throw new QueryError(`${service} aborted the computation: ${excerpt(data)}`);
    if (event === 'data') points.push(...dataPoints(data));
  }
  const withValue = points.filter((p) => p.value !== null && p.value !== undefined);
  const series = new Set(withValue.map((p) => p.tsId));
  if (series.size > 1) throw new MetricConfigError(`spec.query: ${service} returned ${series.size} time series; the check needs exactly one`);
  const newest = withValue.at(-1);
  if (newest === undefined) throw new NoDataError(`${service} returned no datapoints`);
  return finiteValue(service, newest.value, `time series ${newest.tsId}`);
}

function dataPoints(data: string): Datapoint[] {
  let message: unknown;
  try {
    message = JSON.parse(data);
  } catch {
    throw new QueryError(`${service} sent a data message that is not JSON: ${excerpt(data)}`);
  }
  const list = (message as { data?: unknown } | null)?.data;
  if (!Array.isArray(list)) throw new QueryError(`${service} sent a data message without a data list: ${excerpt(data)}`);
  return list.map((p: { tsId?: unknown; value?: unknown } | null) => ({
    tsId: typeof p?.tsId === 'string' ? p.tsId : JSON.stringify(p?.tsId ?? null),
    value: p?.value,
  }));
}

/** Table entry: Secret key `sf_token_key`; `spec.provider.address` required. */
export const splunkTemplateProvider: TemplateProviderFactory = (ref, deps) => cachedTemplateProvider(ref, deps, (credentials) =>
  new SplunkProvider({
    address: ref.template.spec.provider.address,
    token: requiredKey(ref, credentials, 'sf_token_key'),
    intervalMs: intervalMs(metricInterval(ref.metric)),
    now: deps.now,
  }, deps.http));
