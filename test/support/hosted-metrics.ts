/**
 * Support for the MetricTemplate providers' tests: recorded answers (test/fixtures/metrics/<provider>/),
 * Flagger's documented MetricTemplate examples (test/fixtures/flagger-examples/<provider>-metric-template.yaml),
 * and one metric check of a template run through `runMetricChecks` against a local recording server.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { CanaryMetric } from '../../src/api/canary-analysis.js';
import type { Canary } from '../../src/api/canary.js';
import type { MetricTemplate } from '../../src/api/metric-template.js';
import { parseMetricTemplate } from '../../src/api/validate.js';
import type { Secret } from '../../src/kube/resources.js';
import type { Kube } from '../../src/ports/kube.js';
import { builtinsOf } from '../../src/routers/index.js';
import type { TimedMetricCheck } from '../../src/metrics/evaluate.js';
import { afterEach, beforeEach } from 'vitest';
import { createAxiosHttpClient, type DisposableHttpClient, type HttpClient } from '../../src/metrics/http-client.js';
import { ProviderCache } from '../../src/metrics/provider-cache.js';
import { runMetricChecks } from '../../src/metrics/run-analysis.js';
import { startRecordingServer, type RecordingServer } from './recording-server.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures');

/** The text of a recorded answer, e.g. `fixture('datadog', 'value.json')`. */
export function fixture(provider: string, file: string): string {
  return readFileSync(join(fixtures, 'metrics', provider, file), 'utf8');
}

/**
 * Flagger's documented MetricTemplate for `provider`, parsed by Songbird's schema (throws when refused); `file`
 * when the example is not named `<provider>-metric-template.yaml`.
 */
export function flaggerExample(provider: string, file = `${provider}-metric-template.yaml`): MetricTemplate {
  const raw = parse(readFileSync(join(fixtures, 'flagger-examples', file), 'utf8')) as unknown;
  const parsed = parseMetricTemplate(raw);
  if (!parsed.ok) throw new Error(`the ${provider} example is refused: ${JSON.stringify(parsed)}`);
  return parsed.value;
}

/** A Secret with `stringData` encoded into `data`, as the apiserver returns it. */
export function aSecret(name: string, namespace: string, data: Record<string, string>): Secret {
  const encoded = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
  return { metadata: { name, namespace, resourceVersion: '1' }, data: encoded };
}

/** A Canary `podinfo` in `namespace` with one metric. */
export function aCanary(namespace: string, metric: CanaryMetric): Canary {
  return {
    metadata: { name: 'podinfo', namespace },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
      analysis: { interval: '1m', threshold: 5, stepWeight: 10, metrics: [metric] },
    },
  };
}

/** What {@link runTemplateCheck} needs: the template (its address already pointing at the local server). */
export interface TemplateCheck {
  readonly template: MetricTemplate;
  readonly secret?: Secret;
  readonly thresholdRange: { min?: number; max?: number };
  readonly http: HttpClient;
  readonly now: number;
  /** Defaults to the template's namespace. */
  readonly canaryNamespace?: string;
  /** Share one cache between calls to see providers reused across ticks; a new one by default. */
  readonly providers?: ProviderCache;
  /** The metric's `onNoData` (Songbird extension); Flagger's behaviour (fail) by default. */
  readonly onNoData?: CanaryMetric['onNoData'];
  /** The API server, for the providers that read Kubernetes objects (`keptn`, `externalmetrics` without an address). */
  readonly kube?: Kube;
}

/** Runs one `templateRef` metric (interval 1m) of a Canary through `runMetricChecks`; returns the check. */
export async function runTemplateCheck(check: TemplateCheck): Promise<TimedMetricCheck> {
  const ns = check.template.metadata.namespace ?? 'default';
  const metric: CanaryMetric = {
    name: 'hosted', interval: '1m', thresholdRange: check.thresholdRange, templateRef: { name: check.template.metadata.name, namespace: ns },
    ...(check.onNoData === undefined ? {} : { onNoData: check.onNoData }),
  };
  const [result] = await runMetricChecks({
    canary: aCanary(check.canaryNamespace ?? ns, metric),
    provider: 'istio',
    builtins: builtinsOf('istio'),
    metricsServer: 'http://prometheus.invalid:9090',
    templates: (namespace, name) => (namespace === ns && name === check.template.metadata.name ? check.template : undefined),
    secrets: (namespace, name) => (check.secret !== undefined && namespace === ns && name === check.secret.metadata.name ? check.secret : undefined),
    providers: check.providers ?? new ProviderCache(),
    http: check.http,
    now: () => check.now,
    // keptn polls its Analyses; the tests do not wait between polls.
    ...(check.kube === undefined ? {} : { kube: check.kube, sleep: () => Promise.resolve() }),
  });
  if (result === undefined) throw new Error('no check ran');
  return result;
}

/** The template with `spec.provider.address` replaced (the local server standing in for the vendor's). */
export function withAddress(template: MetricTemplate, address: string): MetricTemplate {
  return { ...template, spec: { ...template.spec, provider: { ...template.spec.provider, address } } };
}

/**
 * Before each test: a recording server answering the `provider`'s fixture `file`, and the real HTTP
 * client, handed to `use`; after each test both are closed.
 */
export function eachTestHostedService(provider: string, file: string, use: (server: RecordingServer, http: DisposableHttpClient) => void): void {
  let server: RecordingServer | undefined;
  let http: DisposableHttpClient | undefined;
  beforeEach(async () => {
    server = await startRecordingServer(() => ({ body: fixture(provider, file) }));
    http = createAxiosHttpClient();
    use(server, http);
  });
  afterEach(async () => {
    http?.destroy();
    await server?.close();
  });
}
