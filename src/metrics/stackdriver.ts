/**
 * The Google Cloud Monitoring metrics provider (MetricTemplate `provider.type: stackdriver`): an MQL query
 * through `projects.timeSeries.query`, reduced to the newest point of the one returned time series.
 */
import { MetricConfigError, NoDataError } from './errors.js';
import { defaultMetadataHost, googleTokenSource, parseServiceAccountKey, type AccessTokenSource } from './google-auth.js';
import type { HttpClient } from './http-client.js';
import type { MetricsProvider, OnlineProbe } from './prometheus.js';
import {
  baseAddress, cachedTemplateProvider, finiteValue, hostedTimeoutMs, jsonAnswer, requiredKey,
  type TemplateProviderFactory,
} from './template-provider.js';

/** The Cloud Monitoring API. */
export const stackdriverDefaultAddress = 'https://monitoring.googleapis.com';
const service = 'Google Cloud Monitoring';

/** What a {@link StackdriverProvider} is built from. */
export interface StackdriverOptions {
  /** Secret key `project`: the project id whose metrics are queried. */
  readonly project: string;
  /** Where access tokens come from (a service-account key, or the metadata server). */
  readonly tokens: AccessTokenSource;
  /** `spec.provider.address`; {@link stackdriverDefaultAddress} when empty. */
  readonly address?: string;
  readonly timeoutMs?: number;
}

/** One typed value of a point (`TypedValue`); int64 values arrive as strings. */
interface TypedValue {
  readonly doubleValue?: unknown;
  readonly int64Value?: unknown;
  readonly boolValue?: unknown;
}

/** Shape of a `timeSeries:query` answer, as far as it is read. */
interface QueryAnswer {
  readonly timeSeriesData?: readonly { readonly pointData?: readonly { readonly values?: readonly TypedValue[] }[] }[];
}

/**
 * Cloud Monitoring over `POST <address>/v3/projects/<project>/timeSeries:query` with `{"query": <MQL>}` and a
 * Bearer token.
 *
 * parity: Flagger pkg/metrics/providers/stackdriver.go calls the same method through Google's gRPC client with
 * the key in `serviceAccountKey` or the node's default credentials; the value is the first value of the first
 * point (the newest) of the first series. Flagger reads it as a double only, so an int64 value (a count)
 * becomes 0; Songbird reads int64 values too, treats several series as an error and NaN as no data.
 * `spec.provider.address` (ignored by Flagger) may point at another Cloud Monitoring endpoint.
 */
export class StackdriverProvider implements MetricsProvider {
  private readonly endpoint: string;

  constructor(private readonly options: StackdriverOptions, private readonly http: HttpClient) {
    // Project ids, numbers and legacy domain-scoped ids (`example.com:proj`); it becomes part of the path.
    if (!/^[a-z0-9][a-z0-9.:-]*$/.test(options.project)) {
      throw new MetricConfigError(`project "${options.project}" is not a Google Cloud project id`);
    }
    const address = options.address === undefined || options.address === '' ? stackdriverDefaultAddress : options.address;
    this.endpoint = `${baseAddress('stackdriver', address)}/v3/projects/${options.project}/timeSeries:query`;
  }

  async query(query: string): Promise<number> {
    return stackdriverValue(await this.run(query) as QueryAnswer);
  }

  /**
   * Sends an empty query: Cloud Monitoring refusing it as an invalid argument (400) means the token and the
   * project were accepted, as Flagger's probe reads it.
   */
  async isOnline(): Promise<OnlineProbe> {
    try {
      await this.run('');
      return { online: true };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return message.includes('HTTP 400') ? { online: true } : { online: false, reason: message };
    }
  }

  private async run(query: string): Promise<unknown> {
    const token = await this.options.tokens.token();
    const res = await this.http.post(this.endpoint, JSON.stringify({ query }), {
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      timeoutMs: this.options.timeoutMs ?? hostedTimeoutMs,
    });
    return jsonAnswer(service, res);
  }
}

/**
 * The first value of the newest point (MQL lists points newest first) of the one series.
 * Example: `{"timeSeriesData":[{"pointData":[{"values":[{"doubleValue":212.5}]}, …]}]}` → 212.5;
 * `{"int64Value":"42"}` → 42; no `timeSeriesData` → no data.
 */
export function stackdriverValue(answer: QueryAnswer): number {
  const series = answer.timeSeriesData ?? [];
  if (series.length === 0) throw new NoDataError(`${service} returned no time series`);
  if (series.length > 1) throw new MetricConfigError(`spec.query: ${service} returned ${series.length} time series; the check needs exactly one`);
  const value = series[0]?.pointData?.[0]?.values?.[0];
  if (value === undefined) throw new NoDataError(`${service} returned a time series without points`);
  return typedValue(value);
}

// A boolean (e.g. an uptime check) counts as 1 or 0.
function typedValue(value: TypedValue): number {
  const raw = value.doubleValue ?? value.int64Value;
  if (raw === undefined && typeof value.boolValue === 'boolean') return value.boolValue ? 1 : 0;
  return finiteValue(service, raw, 'the newest point');
}

/**
 * Table entry: Secret keys `project` (required) and `serviceAccountKey` (optional: without it, tokens come
 * from the metadata server, i.e. GKE Workload Identity, at `GCE_METADATA_HOST` or metadata.google.internal).
 */
export const stackdriverTemplateProvider: TemplateProviderFactory = (ref, deps) => cachedTemplateProvider(ref, deps, (credentials) => {
  const project = requiredKey(ref, credentials, 'project').trim();
  const keyJson = credentials?.serviceAccountKey;
  const tokens = googleTokenSource(keyJson === undefined
    ? { metadataHost: process.env.GCE_METADATA_HOST ?? defaultMetadataHost }
    : { key: parseServiceAccountKey(keyJson) }, deps.http, deps.now);
  return new StackdriverProvider({ project, tokens, address: ref.template.spec.provider.address }, deps.http);
});
