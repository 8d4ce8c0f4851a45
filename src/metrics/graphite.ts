/**
 * The Graphite metrics provider: runs a render API query (`GET <address>/render?<query>&format=json`) and
 * reduces the answer to its last non-null datapoint.
 */
import { z } from 'zod';
import { NoDataError, QueryError } from './errors.js';
import type { HttpClient } from './http-client.js';
import type { MetricsProvider, OnlineProbe } from './prometheus.js';
import { collapseWhitespace } from './render-query.js';
import {
  cachedTemplateProvider, excerpt, httpStatusError, joinedHeaders, providerEndpoint, requiredKey, type HttpProviderTarget,
  type TemplateProviderFactory,
} from './template-provider.js';

/** How to reach one Graphite (a MetricTemplate's `spec.provider`). */
export interface GraphiteOptions extends HttpProviderTarget {
  /** The Secret's `username` and `password`; undefined when the template has no secretRef. */
  readonly basicAuth?: { readonly username: string; readonly password: string };
}

/** Flagger's Graphite query timeout. */
const graphiteTimeoutMs = 5_000;

// A datapoint is `[value, timestamp]`; graphite-web writes the value as a number or null, some
// implementations as a string.
const answerSchema = z.array(z.object({
  target: z.string().optional(),
  datapoints: z.array(z.tuple([z.union([z.number(), z.string(), z.null()]), z.union([z.number(), z.string(), z.null()])])),
}));

/**
 * Graphite's render API. The query is the render call's URL query string as the user wrote it (whitespace
 * runs collapsed to one space), e.g. `target=summarize(app.requests, '1min', 'avg')&from=-5min`; only
 * `format=json` is added, and the parameters are sent sorted by name, as Go's url.Values encodes them.
 *
 * parity: Flagger pkg/metrics/providers/graphite.go. Same request and value (the last non-null datapoint of
 * all series, in order); it adds no `from`, so Graphite's default window (the last 24 hours) applies unless
 * the query sets one, here too. Differences: an empty or all-null answer, or a value that is NaN or ±Inf,
 * is no data (Flagger has no NaN check); the template's headers are sent (Flagger ignores them for Graphite).
 */
export class GraphiteProvider implements MetricsProvider {
  private readonly endpoint: URL;
  private readonly headers: Readonly<Record<string, string>>;
  private readonly insecureSkipVerify: boolean;

  /** Validates the address; throws a MetricConfigError naming what is wrong. */
  constructor(options: GraphiteOptions, private readonly http: HttpClient) {
    this.endpoint = providerEndpoint('graphite', options.address, 'render');
    this.headers = Object.freeze({ ...joinedHeaders(options.headers), ...basicAuthHeader(options.basicAuth) });
    this.insecureSkipVerify = options.insecureSkipVerify === true;
  }

  /**
   * The render URL of a query.
   * Example: `target=sumSeries(a.*)  &from=-5min` → `<address>/render?format=json&from=-5min&target=sumSeries%28a.*%29+`.
   */
  renderUrl(query: string): string {
    const params = new URLSearchParams(collapseWhitespace(query));
    params.set('format', 'json');
    params.sort();
    const url = new URL(this.endpoint);
    url.search = params.toString();
    return url.toString();
  }

  /** The last non-null datapoint; {@link NoDataError} when there is none. */
  async query(query: string): Promise<number> {
    const res = await this.http.get(this.renderUrl(query), {
      headers: { ...this.headers }, timeoutMs: graphiteTimeoutMs, insecureSkipVerify: this.insecureSkipVerify,
    });
    if (res.status >= 400) throw httpStatusError('graphite', res);
    return lastDatapoint(res.body);
  }

  /** Online when the render API answers `target=test`, with or without data (as Flagger probes it). */
  async isOnline(): Promise<OnlineProbe> {
    try {
      await this.query('target=test');
      return { online: true };
    } catch (error) {
      if (error instanceof NoDataError) return { online: true };
      return { online: false, reason: error instanceof Error ? error.message : String(error) };
    }
  }
}

/**
 * The last non-null value of a render answer, scanning the series in order.
 * Example: `[{"target":"a","datapoints":[[1.5,60],[null,70]]},{"target":"b","datapoints":[[null,60]]}]` → 1.5.
 */
export function lastDatapoint(body: string): number {
  const answer = answerSchema.safeParse(parseJson(body));
  if (!answer.success) throw new QueryError(`graphite answered something other than a render result: ${excerpt(body)}`);
  let value: number | undefined;
  for (const series of answer.data) {
    for (const [point] of series.datapoints) {
      if (point !== null) value = numeric(point);
    }
  }
  if (value === undefined) {
    throw new NoDataError(answer.data.length === 0 ? 'graphite returned no series' : 'graphite returned only null datapoints');
  }
  if (Number.isNaN(value)) throw new NoDataError('graphite returned NaN');
  if (!Number.isFinite(value)) throw new NoDataError(`graphite returned ${value > 0 ? '+Inf' : '-Inf'}`);
  return value;
}

function numeric(point: number | string): number {
  if (typeof point === 'number') return point;
  const value = Number(point);
  if (point.trim() === '' || (Number.isNaN(value) && point !== 'NaN')) {
    throw new QueryError(`graphite answered a datapoint that is not a number: "${excerpt(point)}"`);
  }
  return value;
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The basic auth header, sent only when both username and password are non-empty (Flagger's rule).
 * Example: `admin` / `s3cret` → `Basic YWRtaW46czNjcmV0`.
 */
function basicAuthHeader(auth: GraphiteOptions['basicAuth']): Record<string, string> {
  if (auth === undefined || auth.username === '' || auth.password === '') return {};
  return { Authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` };
}

/**
 * The table entry: a Graphite provider for a template, rebuilt when the template or its Secret changes. With
 * a Secret, both `username` and `password` keys must exist (Flagger's rule).
 */
export const graphiteTemplateProvider: TemplateProviderFactory = (ref, deps) => cachedTemplateProvider(ref, deps, (credentials) => {
  const { address, headers, insecureSkipVerify } = ref.template.spec.provider;
  const basicAuth = credentials === undefined
    ? undefined
    : { username: requiredKey(ref, credentials, 'username'), password: requiredKey(ref, credentials, 'password') };
  return new GraphiteProvider({ address, headers, insecureSkipVerify, basicAuth }, deps.http);
});
