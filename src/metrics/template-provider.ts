/**
 * What a MetricTemplate's provider is built from, shared by the provider table (`template-providers.ts`) and
 * `runMetricChecks`: the tick's input, the template being run, and the helpers every provider uses to read its
 * Secret and to name the template in its errors.
 */
import type { CanaryMetric } from '../api/canary-analysis.js';
import type { Canary, CanaryProvider } from '../api/canary.js';
import type { MetricTemplate } from '../api/metric-template.js';
import type { Secret } from '../kube/resources.js';
import type { CloudWatchPort } from '../ports/cloudwatch.js';
import type { Kube } from '../ports/kube.js';
import type { CloudWatchTarget, ProviderBuiltins } from './builtin-queries.js';
import { MetricConfigError, QueryError, errorMessage } from './errors.js';
import type { HttpClient, HttpResponse } from './http-client.js';
import { secretCredentials, type MetricsProvider } from './prometheus.js';
import { templateProviderKey, type ProviderCache } from './provider-cache.js';

/** Finds an object by namespace and name (from a watch cache, or an API read). */
export type Lookup<T> = (namespace: string, name: string) => T | undefined | Promise<T | undefined>;

/** What {@link runMetricChecks} needs for one tick. */
export interface MetricChecksInput {
  readonly canary: Canary;
  /** The Canary's traffic provider after defaulting (`resolveProvider`); named in messages, rendered as a model. */
  readonly provider: CanaryProvider;
  /** The provider's builtin metrics, from the provider table (`builtinsOf` in routers/index.ts). */
  readonly builtins: ProviderBuiltins;
  /** The operator's `--metrics-server`, used when the Canary has no `spec.metricsServer`. */
  readonly metricsServer: string;
  readonly templates: Lookup<MetricTemplate>;
  readonly secrets: Lookup<Secret>;
  /** Kept by the caller across ticks, so providers are built once per template version. */
  readonly providers: ProviderCache<MetricsProvider>;
  readonly http: HttpClient;
  /** Milliseconds since the epoch (the Clock port's `now`), stamped on each check. */
  readonly now: () => number;
  /**
   * The operator's API server, for the providers that read Kubernetes objects or APIs (`keptn`, and
   * `externalmetrics` without an address). Absent: those checks fail with "… needs the Kubernetes API".
   */
  readonly kube?: Kube;
  /** Resolves after `ms` (the Clock port's `sleep`); `keptn` polls an Analysis with it. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Knative only: the latest created revision, rendered as `{{ route }}`. */
  readonly knativeRevision?: string;
  /**
   * CloudWatch `GetMetricData` for a region (e.g. `(region) => awsCloudWatch({ region })`), used by
   * `cloudwatch` MetricTemplates and by CloudWatch builtins (those of `alb` Canaries). Called on every such check, so it
   * should hand out shared clients. Absent: those checks fail with "CloudWatch is not configured".
   */
  readonly cloudWatch?: (region: string) => CloudWatchPort;
  /**
   * CloudWatch builtins only (`alb` Canaries): the region, load balancer and **canary** target group whose
   * CloudWatch metrics the builtins read (`app/<name>/<id>` and `targetgroup/<name>/<id>`, or their ARNs).
   * Called once per builtin check. Absent, or rejecting (e.g. while the target group does not exist yet),
   * the builtin check fails with the reason; it never passes without data.
   */
  readonly cloudWatchTargets?: (canary: Canary) => Promise<CloudWatchTarget>;
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

/** Builds (or takes from `input.providers`) the provider of one MetricTemplate type. */
export type TemplateProviderFactory = (ref: TemplateRef, input: MetricChecksInput) => MetricsProvider | Promise<MetricsProvider>;

/** The template's Secret (`provider.secretRef`, read from the template's namespace as Flagger does), if it names one. */
export async function templateSecret({ template, namespace, label }: TemplateRef, input: MetricChecksInput): Promise<Secret | undefined> {
  const secretName = template.spec.provider.secretRef?.name;
  if (secretName === undefined) return undefined;
  const secret = await input.secrets(namespace, secretName);
  if (secret === undefined) throw new MetricConfigError(`Secret ${namespace}/${secretName} (provider.secretRef of ${label}) not found`, true);
  return secret;
}

/**
 * The common shape of an HTTP provider's factory: read the Secret, then take the provider from the cache or
 * build it from the decoded Secret data (undefined without a secretRef); build errors name the template.
 */
export async function cachedTemplateProvider(ref: TemplateRef, input: MetricChecksInput,
  build: (credentials: Readonly<Record<string, string>> | undefined) => MetricsProvider): Promise<MetricsProvider> {
  const secret = await templateSecret(ref, input);
  return input.providers.get(templateProviderKey(ref.template, secret),
    () => withContext(ref.label, () => build(secret === undefined ? undefined : secretCredentials(secret))));
}

/**
 * The Secret key a provider needs, or a {@link MetricConfigError} naming it.
 * Example: `requiredKey({}, 'token', 'influxdb')` → `influxdb credentials (provider.secretRef) have no key "token"`.
 */
export function requiredKey(credentials: Readonly<Record<string, string>>, key: string, type: string): string {
  const value = credentials[key];
  if (value === undefined) throw new MetricConfigError(`${type} credentials (provider.secretRef) have no key "${key}"`);
  return value;
}

/** The CloudWatch port of `region`, or an error when the operator has no AWS access configured. */
export function cloudWatchPort(input: MetricChecksInput, region: string): CloudWatchPort {
  if (input.cloudWatch === undefined) throw new MetricConfigError('CloudWatch is not configured');
  return input.cloudWatch(region);
}

/** Runs `fn`, prefixing any error with the template it comes from (as a {@link MetricConfigError}). */
export function withContext<T>(label: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw new MetricConfigError(`${label}: ${errorMessage(error)}`);
  }
}

/**
 * The `http(s)` URL of a provider's `address` with `path` appended to its own path; its query string and
 * fragment are dropped (Go's path.Join on the URL's path, as Flagger's providers do).
 * Example: (`http://graphite.monitoring/g/`, `render`) → `http://graphite.monitoring/g/render`.
 */
export function providerEndpoint(type: string, address: string | undefined, path: string): URL {
  let url: URL;
  try {
    url = new URL(address ?? '');
  } catch {
    throw new MetricConfigError(`${type} address "${address ?? ''}" is not a valid URL (provider.address)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new MetricConfigError(`${type} address "${address ?? ''}" must be an http or https URL (provider.address)`);
  }
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${path}`;
  url.search = '';
  url.hash = '';
  return url;
}

/** Template headers (`map[string][]string`) as one value per header, several values comma-joined. */
export function joinedHeaders(headers: Readonly<Record<string, readonly string[]>> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([name, values]) => [name, values.join(', ')]));
}

// Error bodies can be whole HTML pages from a proxy; the start says enough.
const bodyExcerptChars = 200;

/**
 * The error of an answer with status 400 or more: the status and the start of the body. 5xx and 429 may
 * pass on the next tick; other statuses will not until the query or credentials change.
 * Example: `graphite answered HTTP 401: Unauthorized`.
 */
export function httpStatusError(type: string, res: HttpResponse): QueryError {
  const excerpt = res.body.slice(0, bodyExcerptChars);
  return new QueryError(`${type} answered HTTP ${res.status}: ${excerpt}`, res.status >= 500 || res.status === 429);
}
