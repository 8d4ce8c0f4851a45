/**
 * The Prometheus metrics provider: runs an instant query through the {@link HttpClient} port and reduces the
 * answer to exactly one number, or a typed error saying why it could not.
 */
import type { Secret } from '../kube/resources.js';
import { MetricConfigError, QueryError } from './errors.js';
import type { HttpClient } from './http-client.js';
import { parsePrometheusAnswer } from './prometheus-response.js';
import { collapseWhitespace } from './render-query.js';

/** A metrics back end that answers one query with one number. */
export interface MetricsProvider {
  /** The query's single value; rejects with NoDataError, QueryError or a transport error. */
  query(query: string): Promise<number>;
  /** Whether the back end answers a trivial query; never rejects. */
  isOnline(): Promise<OnlineProbe>;
}

/** Result of {@link MetricsProvider.isOnline}. */
export type OnlineProbe = { readonly online: true } | { readonly online: false; readonly reason: string };

/** How to reach one Prometheus (a MetricTemplate's `spec.provider`, or the metrics server of builtins). */
export interface PrometheusOptions {
  readonly address: string;
  /** Template headers (`map[string][]string`); several values of one header are sent comma-joined. */
  readonly headers?: Readonly<Record<string, readonly string[]>>;
  readonly insecureSkipVerify?: boolean;
  /** Decoded Secret data (see {@link secretCredentials}); undefined when the template has no secretRef. */
  readonly credentials?: Readonly<Record<string, string>>;
  /** Per-query deadline, default 5 s as in Flagger. */
  readonly timeoutMs?: number;
}

/** Flagger's Prometheus query timeout. */
export const prometheusTimeoutMs = 5_000;
const onlineQuery = 'vector(1)';
// Error bodies can be whole HTML pages from a proxy; the start says enough.
const bodyExcerptChars = 200;

/**
 * Prometheus over its HTTP API: `GET <address>/api/v1/query?query=…`.
 *
 * parity: Flagger pkg/metrics/providers/prometheus.go. Differences: more than one series is an error
 * (Flagger silently takes the last), ±Inf is no data like NaN (Flagger compares it, so +Inf passes a
 * minimum), and the template's header map is copied once instead of being assigned to every request and
 * then appended to (quirk §12.9: Authorization headers accumulate in Flagger's informer cache).
 */
export class PrometheusProvider implements MetricsProvider {
  private readonly endpoint: URL;
  private readonly headers: Readonly<Record<string, string>>;
  private readonly insecureSkipVerify: boolean;
  private readonly timeoutMs: number;

  /** Validates the address and credentials; throws {@link MetricConfigError} when they are unusable. */
  constructor(
    options: PrometheusOptions,
    private readonly http: HttpClient,
  ) {
    this.endpoint = queryEndpoint(options.address);
    this.headers = Object.freeze(requestHeaders(options));
    this.insecureSkipVerify = options.insecureSkipVerify === true;
    this.timeoutMs = options.timeoutMs ?? prometheusTimeoutMs;
  }

  /** The query URL with the given query (whitespace runs collapsed, as Flagger sends it). */
  queryUrl(query: string): string {
    const url = new URL(this.endpoint);
    url.searchParams.set('query', collapseWhitespace(query));
    return url.toString();
  }

  /** The single value of an instant query; see {@link parsePrometheusAnswer} for what counts as one. */
  async query(query: string): Promise<number> {
    const res = await this.http.get(this.queryUrl(query), {
      headers: { ...this.headers },
      timeoutMs: this.timeoutMs,
      insecureSkipVerify: this.insecureSkipVerify,
    });
    if (res.status >= 400) {
      const excerpt = res.body.slice(0, bodyExcerptChars);
      throw new QueryError(`Prometheus answered HTTP ${res.status}: ${excerpt}`, res.status >= 500 || res.status === 429);
    }
    return parsePrometheusAnswer(res.body);
  }

  /** Runs `vector(1)`; online when it answers 1, otherwise offline with the reason. */
  async isOnline(): Promise<OnlineProbe> {
    try {
      const value = await this.query(onlineQuery);
      return value === 1 ? { online: true } : { online: false, reason: `value is ${value}, not 1, for query ${onlineQuery}` };
    } catch (error) {
      return { online: false, reason: error instanceof Error ? error.message : String(error) };
    }
  }
}

/**
 * `<address>/api/v1/query`, keeping any path of the address.
 * Examples: `http://prometheus:9090` → `http://prometheus:9090/api/v1/query`;
 * `https://thanos.example/prom/` → `https://thanos.example/prom/api/v1/query`.
 *
 * parity: Flagger joins the paths with Go's path.Join and drops the address's own query string; so does this.
 */
function queryEndpoint(address: string): URL {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw new MetricConfigError(`prometheus address "${address}" is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new MetricConfigError(`prometheus address "${address}" must be an http or https URL`);
  }
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/api/v1/query`;
  url.search = '';
  url.hash = '';
  return url;
}

function requestHeaders(options: PrometheusOptions): Record<string, string> {
  const authorization = authorizationHeader(options.credentials);
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(options.headers ?? {})) {
    if (authorization !== undefined && name.toLowerCase() === 'authorization') continue;
    headers[name] = values.join(', ');
  }
  if (authorization !== undefined) headers.Authorization = authorization;
  return headers;
}

/**
 * `Bearer <token>` when the Secret has `token`, else `Basic base64(username:password)`; a Secret with
 * neither, or with only one of username and password, is an error.
 *
 * Example: username `admin`, password `s3cret` → `Basic YWRtaW46czNjcmV0`.
 *
 * parity: Flagger NewPrometheusProvider; with a template `Authorization` header too, Flagger sends both
 * (Bearer) or replaces it (basic); Songbird always lets the Secret's credentials replace it.
 */
function authorizationHeader(credentials: Readonly<Record<string, string>> | undefined): string | undefined {
  if (credentials === undefined) return undefined;
  const { token, username, password } = credentials;
  if (token !== undefined && token !== '') return `Bearer ${token}`;
  const hasUser = username !== undefined && username !== '';
  const hasPassword = password !== undefined && password !== '';
  if (hasUser && hasPassword) return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  if (hasUser) throw new MetricConfigError('prometheus credentials contain a username but no password');
  if (hasPassword) throw new MetricConfigError('prometheus credentials contain a password but no username');
  throw new MetricConfigError('prometheus credentials contain neither a token nor a username and password');
}

/** A Secret's `data` decoded from base64 (what the apiserver returns), plus any `stringData`. */
export function secretCredentials(secret: Secret): Record<string, string> {
  const decoded: Record<string, string> = { ...secret.stringData };
  for (const [key, value] of Object.entries(secret.data ?? {})) {
    decoded[key] = Buffer.from(value, 'base64').toString('utf8');
  }
  return decoded;
}
