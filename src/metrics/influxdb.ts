/**
 * The InfluxDB metrics provider: runs a Flux query through InfluxDB's v2 query API
 * (`POST <address>/api/v2/query?org=<org>`) and reads the `_value` of the first record of the annotated CSV
 * answer.
 */
import { NoDataError, QueryError } from './errors.js';
import type { HttpClient } from './http-client.js';
import { parseAnnotatedCsv, type FluxRecord } from './influxdb-csv.js';
import type { MetricsProvider, OnlineProbe } from './prometheus.js';
import {
  cachedTemplateProvider, httpStatusError, joinedHeaders, providerEndpoint, requiredKey, type HttpProviderTarget,
  type TemplateProviderFactory,
} from './template-provider.js';

/** How to reach one InfluxDB (a MetricTemplate's `spec.provider`). */
export interface InfluxdbOptions extends HttpProviderTarget {
  /** The Secret's `token`; empty or absent: no Authorization header. */
  readonly token?: string;
  /** The Secret's `org`, sent as the `org` URL parameter (empty without a Secret, as Flagger). */
  readonly org?: string;
}

/** Flagger's InfluxDB query timeout. */
const influxdbTimeoutMs = 15_000;
const onlineQuery = 'from(bucket: "default") |> range(start: -2h)';

/** The dialect InfluxDB's Go client asks for: every annotation, a header row, commas. */
const dialect = { annotations: ['datatype', 'group', 'default'], delimiter: ',', header: true };

/**
 * InfluxDB 2 (or 1.8+ with Flux enabled) through the v2 query API, as InfluxDB's Go client calls it:
 * `Authorization: Token <token>` when the Secret has a non-empty token, the org as a URL parameter (empty
 * without a Secret), and the body `{"query", "type": "flux", "dialect"}`.
 *
 * parity: Flagger pkg/metrics/providers/influxdb.go. Differences: an answer without records is no data
 * (Flagger returns 0, which passes any `max`); a `long` or `unsignedLong` value is read as a number (Flagger
 * accepts only `double`, so its documented `count()` example fails there); NaN and ±Inf are no data.
 */
export class InfluxdbProvider implements MetricsProvider {
  private readonly url: string;
  private readonly headers: Readonly<Record<string, string>>;
  private readonly insecureSkipVerify: boolean;

  /** Validates the address; throws a MetricConfigError naming what is wrong. */
  constructor(options: InfluxdbOptions, private readonly http: HttpClient) {
    const { token = '', org = '' } = options;
    const url = providerEndpoint('influxdb', options.address, 'api/v2/query');
    url.searchParams.set('org', org);
    this.url = url.toString();
    this.headers = Object.freeze({
      ...joinedHeaders(options.headers),
      'Content-Type': 'application/json',
      ...(token === '' ? {} : { Authorization: `Token ${token}` }),
    });
    this.insecureSkipVerify = options.insecureSkipVerify === true;
  }

  /** The `_value` of the first record; {@link NoDataError} when there is no record or the value is empty. */
  async query(query: string): Promise<number> {
    const res = await this.http.post(this.url, JSON.stringify({ query, type: 'flux', dialect }), {
      headers: { ...this.headers }, timeoutMs: influxdbTimeoutMs, insecureSkipVerify: this.insecureSkipVerify,
    });
    if (res.status >= 400) throw httpStatusError('influxdb', res);
    const first = parseAnnotatedCsv(res.body)[0];
    if (first === undefined) throw new NoDataError('influxdb returned no records');
    return recordValue(first);
  }

  /** Runs Flagger's probe (`from(bucket: "default") |> range(start: -2h)`); records or none, it is online. */
  async isOnline(): Promise<OnlineProbe> {
    try {
      await this.query(onlineQuery);
      return { online: true };
    } catch (error) {
      if (error instanceof NoDataError) return { online: true };
      return { online: false, reason: error instanceof Error ? error.message : String(error) };
    }
  }
}

const numericTypes = new Set(['double', 'long', 'unsignedLong']);

/**
 * A record's `_value` as a number.
 * Examples: double `0.25` → 0.25; long `42` → 42; double `NaN` → no data; string `"ok"` → error.
 */
function recordValue(record: FluxRecord): number {
  const cell = record.values._value;
  if (cell === undefined) throw new QueryError('influxdb answered records without a _value column; end the query with a single-value aggregate, e.g. |> count()', false);
  if (cell === '') throw new NoDataError('influxdb returned an empty _value');
  const type = record.types._value ?? 'double';
  if (!numericTypes.has(type)) throw new QueryError(`influxdb returned a _value of type ${type} ("${cell.slice(0, 100)}"), not a number`, false);
  const value = Number(cell.replace(/^\+?Inf$/, 'Infinity').replace(/^-Inf$/, '-Infinity'));
  if (Number.isNaN(value)) {
    if (cell === 'NaN') throw new NoDataError('influxdb returned NaN');
    throw new QueryError(`influxdb returned a _value that is not a number: "${cell.slice(0, 100)}"`);
  }
  if (!Number.isFinite(value)) throw new NoDataError(`influxdb returned ${value > 0 ? '+Inf' : '-Inf'}`);
  return value;
}

/**
 * The table entry: an InfluxDB provider for a template, rebuilt when the template or its Secret changes. With
 * a Secret, both `token` and `org` keys must exist (Flagger's rule); without one, neither is sent.
 */
export const influxdbTemplateProvider: TemplateProviderFactory = (ref, deps) => cachedTemplateProvider(ref, deps, (credentials) => {
  const { address, headers, insecureSkipVerify } = ref.template.spec.provider;
  const secret = credentials === undefined
    ? {}
    : { token: requiredKey(ref, credentials, 'token'), org: requiredKey(ref, credentials, 'org') };
  return new InfluxdbProvider({ address, headers, insecureSkipVerify, ...secret }, deps.http);
});
