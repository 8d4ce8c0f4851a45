/**
 * What a MetricTemplate provider is built from, and the helpers every provider shares: reading the
 * template's Secret, requiring one of its keys, caching by template version and metric interval, checking
 * the provider's address, and turning an HTTP answer into a value or a clear error.
 */
import type { CanaryMetric } from '../api/canary-analysis.js';
import { metricInterval } from '../api/defaults.js';
import { parseGoDuration } from '../api/duration.js';
import type { MetricTemplate } from '../api/metric-template.js';
import type { Secret } from '../kube/resources.js';
import type { CloudWatchPort } from '../ports/cloudwatch.js';
import type { Kube } from '../ports/kube.js';
import { MetricConfigError, NoDataError, QueryError, errorMessage } from './errors.js';
import type { HttpClient, HttpGetOptions, HttpResponse } from './http-client.js';
import type { MetricsProvider, OnlineProbe } from './prometheus.js';
import { secretCredentials } from './prometheus.js';
import { templateProviderKey, type ProviderCache } from './provider-cache.js';

/** Finds an object by namespace and name (from a watch cache, or an API read). */
export type Lookup<T> = (namespace: string, name: string) => T | undefined | Promise<T | undefined>;

/** The operator's side of building a template provider (a subset of the metric checks' input). */
export interface TemplateProviderDeps {
  readonly secrets: Lookup<Secret>;
  /** Kept by the caller across ticks, so providers are built once per template version. */
  readonly providers: ProviderCache<MetricsProvider>;
  readonly http: HttpClient;
  /** Milliseconds since the epoch (the Clock port's `now`). */
  readonly now: () => number;
  /** CloudWatch `GetMetricData` for a region; absent, `cloudwatch` templates fail with "not configured". */
  readonly cloudWatch?: (region: string) => CloudWatchPort;
  /**
   * The operator's API server, for the providers that read Kubernetes objects or APIs (`keptn`, and
   * `externalmetrics` without an address). Absent: those checks fail with "… needs the Kubernetes API".
   */
  readonly kube?: Kube;
  /** Resolves after `ms` (the Clock port's `sleep`); `keptn` polls an Analysis with it. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** A templateRef metric and the template it refers to. */
export interface TemplateRef {
  readonly template: MetricTemplate;
  /** The template's namespace. */
  readonly namespace: string;
  /** `MetricTemplate <namespace>/<name>`, prefixed to configuration errors. */
  readonly label: string;
  readonly metric: CanaryMetric;
}

/** Builds (or takes from the cache) the provider of one template type. */
export type TemplateProviderFactory = (ref: TemplateRef, deps: TemplateProviderDeps) => MetricsProvider | Promise<MetricsProvider>;

/** Where a provider's HTTP back end is and how to call it: a MetricTemplate's `spec.provider` fields. */
export interface HttpProviderTarget {
  readonly address: string | undefined;
  /** Sent with every request, several values comma-joined ({@link joinedHeaders}). */
  readonly headers?: Readonly<Record<string, readonly string[]>>;
  readonly insecureSkipVerify?: boolean;
}

/** Flagger's deadline for one call of a hosted metrics API. */
export const hostedTimeoutMs = 5_000;
// Error bodies can be whole HTML pages from a proxy; the start says enough.
const bodyExcerptChars = 200;

/**
 * The decoded data of the template's Secret; `undefined` when the template has no `secretRef`. A
 * `secretRef` naming a Secret that does not exist is an error (retried: it may be created later).
 */
export async function templateSecret({ template, namespace, label }: TemplateRef, deps: TemplateProviderDeps):
  Promise<{ secret: Secret | undefined; credentials: Record<string, string> | undefined }> {
  const name = template.spec.provider.secretRef?.name;
  if (name === undefined) return { secret: undefined, credentials: undefined };
  const secret = await deps.secrets(namespace, name);
  if (secret === undefined) {
    throw new MetricConfigError(`Secret ${namespace}/${name} (provider.secretRef of ${label}) not found`, true);
  }
  return { secret, credentials: secretCredentials(secret) };
}

/** The value of `key` in the template's Secret; a missing Secret or key is an error naming both. */
export function requiredKey(ref: TemplateRef, credentials: Readonly<Record<string, string>> | undefined, key: string): string {
  const type = ref.template.spec.provider.type;
  const secretName = ref.template.spec.provider.secretRef?.name;
  if (secretName === undefined) {
    throw new MetricConfigError(`${ref.label}: provider type ${type} needs spec.provider.secretRef (a Secret with key ${key})`);
  }
  const value = credentials?.[key];
  if (value === undefined) {
    throw new MetricConfigError(`${ref.label}: Secret ${ref.namespace}/${secretName} has no key ${key} (needed by provider type ${type})`);
  }
  return value;
}

/**
 * A provider cached under the template's (and its Secret's) version and the metric's interval, since the
 * hosted providers' query windows are derived from the interval. Errors of `build` name the template.
 */
export async function cachedTemplateProvider(ref: TemplateRef, deps: TemplateProviderDeps,
  build: (credentials: Record<string, string> | undefined) => MetricsProvider): Promise<MetricsProvider> {
  const { secret, credentials } = await templateSecret(ref, deps);
  const key = templateProviderKey(ref.template, secret);
  const version = `${key.version}/${metricInterval(ref.metric)}`;
  return deps.providers.get({ id: key.id, version }, () => {
    try {
      return build(credentials);
    } catch (error) {
      if (error instanceof MetricConfigError && error.message.startsWith(ref.label)) throw error;
      throw new MetricConfigError(`${ref.label}: ${errorMessage(error)}`);
    }
  });
}

/** Runs `fn`, prefixing any error with the template it comes from (as a {@link MetricConfigError}). */
export function withContext<T>(label: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw new MetricConfigError(`${label}: ${errorMessage(error)}`);
  }
}

/** The CloudWatch port of `region`, or an error when the operator has no AWS access configured. */
export function cloudWatchPort(deps: Pick<TemplateProviderDeps, 'cloudWatch'>, region: string): CloudWatchPort {
  if (deps.cloudWatch === undefined) throw new MetricConfigError('CloudWatch is not configured');
  return deps.cloudWatch(region);
}

/**
 * The metric interval in milliseconds, for the query windows.
 * Example: `1m` → 60000; the hosted providers look back ten of them (600000 ms).
 */
export function intervalMs(interval: string): number {
  const ms = parseGoDuration(interval);
  if (ms === undefined || ms <= 0) throw new MetricConfigError(`metric interval "${interval}" is not a positive duration`);
  return ms;
}

/** The provider's `address` as an http(s) URL; anything else is an error naming the field. */
function providerUrl(type: string, address: string | undefined): URL {
  let url: URL;
  try {
    url = new URL(address ?? '');
  } catch {
    throw new MetricConfigError(`${type} address "${address ?? ''}" is not a valid URL (provider.address)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new MetricConfigError(`${type} address "${address ?? ''}" must be an http or https URL (provider.address)`);
  }
  return url;
}

/** The provider's base address without trailing slashes; not a valid http(s) URL → error naming the field. */
export function baseAddress(type: string, address: string | undefined): string {
  providerUrl(type, address);
  return (address ?? '').replace(/\/+$/, '');
}

/**
 * The base address of a hosted service that has no default, so `spec.provider.address` is required;
 * `example` shows its form in the error.
 */
export function requiredAddress(type: string, address: string | undefined, example: string): string {
  if (address === undefined || address === '') throw new MetricConfigError(`spec.provider.address is required for provider type ${type} (e.g. ${example})`);
  return baseAddress(type, address);
}

/** The base address of a hosted service: `spec.provider.address`, or the service's `fallback` when empty. */
export function addressOr(type: string, address: string | undefined, fallback: string): string {
  return baseAddress(type, address === undefined || address === '' ? fallback : address);
}

/**
 * The `http(s)` URL of a provider's `address` with `path` appended to its own path; its query string and
 * fragment are dropped (Go's path.Join on the URL's path, as Flagger's providers do).
 * Example: (`http://graphite.monitoring/g/`, `render`) → `http://graphite.monitoring/g/render`.
 */
export function providerEndpoint(type: string, address: string | undefined, path: string): URL {
  const url = providerUrl(type, address);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${path}`;
  url.search = '';
  url.hash = '';
  return url;
}

/** Template headers (`map[string][]string`) as one value per header, several values comma-joined. */
export function joinedHeaders(headers: Readonly<Record<string, readonly string[]>> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([name, values]) => [name, values.join(', ')]));
}

/**
 * The error of an answer with status 300 or more: the status and the start of the body. 5xx and 429 may
 * pass on the next tick; other statuses will not until the query or credentials change.
 * Example: `graphite answered HTTP 401: Unauthorized`.
 */
export function httpStatusError(service: string, res: HttpResponse): QueryError {
  return new QueryError(`${service} answered HTTP ${res.status}: ${excerpt(res.body)}`, res.status >= 500 || res.status === 429);
}

/**
 * The JSON body of a successful answer. HTTP ≥ 300 is an {@link httpStatusError}; a body that is not JSON
 * is a QueryError too.
 */
export function jsonAnswer(service: string, res: HttpResponse): unknown {
  if (res.status < 200 || res.status >= 300) throw httpStatusError(service, res);
  try {
    return JSON.parse(res.body) as unknown;
  } catch {
    throw new QueryError(`${service} answered something that is not JSON: ${excerpt(res.body)}`);
  }
}

/** Flagger's probe of a hosted service: online when `GET url` answers JSON with a 2xx status, otherwise offline with the reason. */
export async function jsonProbe(service: string, http: HttpClient, url: string, options: HttpGetOptions): Promise<OnlineProbe> {
  try {
    jsonAnswer(service, await http.get(url, options));
    return { online: true };
  } catch (error) {
    return { online: false, reason: errorMessage(error) };
  }
}

/** The first {@link bodyExcerptChars} characters of a body, for messages. */
export function excerpt(body: string): string {
  return body.length > bodyExcerptChars ? `${body.slice(0, bodyExcerptChars)}…` : body;
}

/**
 * A number from an answer: finite → the number; `null`, absent, NaN or ±Inf (as numbers or as the strings
 * some APIs use) → {@link NoDataError} with `what`; anything else → {@link QueryError}.
 */
export function finiteValue(service: string, raw: unknown, what: string): number {
  const value = typeof raw === 'string' ? numberText(service, raw, what) : raw;
  if (value === null || value === undefined) throw new NoDataError(`${service} returned no value for ${what}`);
  if (typeof value !== 'number') throw new QueryError(`${service} returned ${JSON.stringify(raw)} for ${what}, which is not a number`);
  if (!Number.isFinite(value)) throw new NoDataError(`${service} returned ${String(value)} for ${what}`);
  return value;
}

// Some APIs send numbers as strings ("12.5", "NaN", "Infinity"); anything else in a string is not a number.
function numberText(service: string, raw: string, what: string): number {
  if (/^\s*[-+]?(nan|inf|infinity)\s*$/i.test(raw)) throw new NoDataError(`${service} returned ${raw.trim()} for ${what}`);
  const value = raw.trim() === '' ? Number.NaN : Number(raw);
  if (Number.isNaN(value)) throw new QueryError(`${service} returned ${JSON.stringify(raw)} for ${what}, which is not a number`);
  return value;
}
