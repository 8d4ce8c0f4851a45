/**
 * The Keptn metrics provider: reads the value of a KeptnMetric, or runs a Keptn Analysis and reads its
 * verdict, through the operator's Kubernetes API (`metrics.keptn.sh/v1beta1`).
 */
import { randomBytes } from 'node:crypto';
import { Resources, type KeptnObject } from '../kube/resources.js';
import type { Kube } from '../ports/kube.js';
import { MetricConfigError, NoDataError, QueryError, errorMessage } from './errors.js';
import type { MetricsProvider, OnlineProbe } from './prometheus.js';
import { templateProviderKey } from './provider-cache.js';
import type { TemplateProviderFactory } from './template-provider.js';

/** A parsed keptn query: `<keptnmetric|analysis>/<namespace>/<name>/<timeframe>/<arguments>`. */
export type KeptnQuery =
  | { readonly kind: 'keptnmetric'; readonly namespace: string; readonly name: string }
  | { readonly kind: 'analysis'; readonly namespace: string; readonly name: string; readonly timeframe: string;
    readonly args: Readonly<Record<string, string>> };

const queryFormat = 'a keptn query must be <keptnmetric|analysis>/<namespace>/<resourceName>/<timeframe>/<arguments>';

/**
 * Parses a keptn query. The kind also takes its plural (`keptnmetrics`, `analyses`); the timeframe (default
 * `1m`) and the arguments (`key=value` pairs separated by `;`, others ignored) matter only for an analysis.
 *
 * Examples: `keptnmetric/my-namespace/response-time/2m/reporter=destination` → the KeptnMetric
 * my-namespace/response-time; `analysis/test/slo/5m/service=podinfo;env=Prod` → an Analysis of the
 * AnalysisDefinition test/slo over the last 5m with args `{service: 'podinfo', env: 'Prod'}`.
 *
 * parity: Flagger pkg/metrics/providers/keptn.go lowercases the whole query, the arguments' values too;
 * Songbird lowercases all but the arguments, so an argument's value reaches the Analysis as written.
 */
export function parseKeptnQuery(query: string): KeptnQuery {
  const parts = query.trim().split('/');
  if (parts.length < 3) throw new QueryError(`${queryFormat}, got "${query}"`, false);
  const [kind, namespace, name, timeframe, args] = parts.map((p, i) => (i === 4 ? p : p.toLowerCase())) as [string, string, string, ...string[]];
  if (kind === 'keptnmetric' || kind === 'keptnmetrics') return { kind: 'keptnmetric', namespace, name };
  if (kind !== 'analysis' && kind !== 'analyses') {
    throw new QueryError(`unexpected kind "${kind}" in keptn query "${query}": must be one of keptnmetric, analysis`, false);
  }
  return { kind: 'analysis', namespace, name, timeframe: timeframe === undefined || timeframe === '' ? '1m' : timeframe, args: analysisArgs(args) };
}

function analysisArgs(text: string | undefined): Record<string, string> {
  const args: Record<string, string> = {};
  for (const pair of (text ?? '').split(';')) {
    const kv = pair.split('=');
    if (kv.length === 2) args[kv[0] as string] = kv[1] as string;
  }
  return args;
}

/** What a {@link KeptnProvider} needs. */
export interface KeptnOptions {
  readonly kube: Kube;
  readonly sleep: (ms: number) => Promise<void>;
  /** Suffix of a created Analysis's name; six random hex digits by default. */
  readonly suffix?: () => string;
}

/** Flagger polls a created Analysis every second for ten seconds. */
const pollMs = 1_000;
const polls = 10;

/**
 * Keptn through the Kubernetes API. A KeptnMetric gives its `status.value`; an Analysis is created from the
 * AnalysisDefinition, polled until `status.state` is `Completed`, read (`status.pass`: 1, else 0) and
 * deleted again, whatever the outcome.
 *
 * parity: Flagger pkg/metrics/providers/keptn.go. Differences: a KeptnMetric without a value yet, or with
 * NaN or ±Inf, is no data (Flagger: an error, or NaN compared).
 */
export class KeptnProvider implements MetricsProvider {
  private readonly suffix: () => string;

  constructor(private readonly options: KeptnOptions) {
    this.suffix = options.suffix ?? ((): string => randomBytes(3).toString('hex'));
  }

  async query(query: string): Promise<number> {
    const parsed = parseKeptnQuery(query);
    return parsed.kind === 'keptnmetric' ? this.metricValue(parsed) : this.analysisVerdict(parsed);
  }

  /** Flagger does not probe Keptn either: the API server is the operator's own. */
  isOnline(): Promise<OnlineProbe> {
    return Promise.resolve({ online: true });
  }

  private async metricValue({ namespace, name }: { namespace: string; name: string }): Promise<number> {
    const label = `KeptnMetric ${namespace}/${name}`;
    const metric = await kubeCall(label, () => this.options.kube.get(Resources.keptnMetrics, namespace, name));
    if (metric === undefined) throw new QueryError(`${label} not found`);
    const { value, errMsg } = metric.status ?? {};
    if (typeof value !== 'string' || value === '') {
      throw new NoDataError(`${label} has no value yet${typeof errMsg === 'string' && errMsg !== '' ? `: ${errMsg}` : ''}`);
    }
    return finiteValue(label, value);
  }

  private async analysisVerdict(query: Extract<KeptnQuery, { kind: 'analysis' }>): Promise<number> {
    const { kube, sleep } = this.options;
    const label = `Keptn Analysis of ${query.namespace}/${query.name}`;
    const created = await kubeCall(label, () => kube.create(Resources.keptnAnalyses, analysisObject(query, this.suffix())));
    const target = { namespace: query.namespace, name: created.metadata.name };
    try {
      for (let i = 0; i < polls; i++) {
        await sleep(pollMs);
        const analysis = await kubeCall(label, () => kube.get(Resources.keptnAnalyses, target.namespace, target.name));
        const { state, pass } = analysis?.status ?? {};
        if (state === 'Completed' && typeof pass === 'boolean') return pass ? 1 : 0;
      }
      throw new QueryError(`${label} (${target.name}) did not complete within ${(polls * pollMs) / 1000}s`);
    } finally {
      // The Analysis was only the means of asking; a failed delete leaves an object Keptn has finished with.
      await kube.delete(Resources.keptnAnalyses, target).catch(() => false);
    }
  }
}

function analysisObject(query: Extract<KeptnQuery, { kind: 'analysis' }>, suffix: string): KeptnObject {
  return {
    apiVersion: 'metrics.keptn.sh/v1beta1',
    kind: 'Analysis',
    metadata: { name: `${query.name}-${suffix}`, namespace: query.namespace },
    spec: { analysisDefinition: { name: query.name }, timeframe: { recent: query.timeframe }, args: { ...query.args } },
  };
}

/** A value as Go's ParseFloat reads it; NaN and ±Inf are no data. Example: `"0.95"` → 0.95. */
function finiteValue(label: string, text: string): number {
  const value = Number(text.replace(/^([+-]?)inf(inity)?$/i, '$1Infinity'));
  if (Number.isNaN(value)) {
    if (text.toLowerCase() === 'nan') throw new NoDataError(`${label} has the value NaN`);
    throw new QueryError(`${label} has a value that is not a number: "${text.slice(0, 100)}"`, false);
  }
  if (!Number.isFinite(value)) throw new NoDataError(`${label} has the value ${value > 0 ? '+Inf' : '-Inf'}`);
  return value;
}

async function kubeCall<T>(label: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new QueryError(`Kubernetes API call for ${label} failed: ${errorMessage(error)}`);
  }
}

/** The table entry: a Keptn provider on the operator's API server (no Secret, as in Flagger). */
export const keptnTemplateProvider: TemplateProviderFactory = ({ template }, deps) => {
  const { kube, sleep } = deps;
  if (kube === undefined || sleep === undefined) throw new MetricConfigError('the keptn provider needs the Kubernetes API, which is not configured');
  return deps.providers.get(templateProviderKey(template, undefined), () => new KeptnProvider({ kube, sleep }));
};
