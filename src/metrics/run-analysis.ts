/**
 * Runs the metric checks of one analysis tick, in Flagger's order, and turns every outcome (a value, no
 * data, a broken template, an unreachable metrics provider) into a {@link MetricCheck}; nothing here
 * throws.
 */
import type { CanaryMetric } from '../api/canary-analysis.js';
import { formatTime } from '../api/conditions.js';
import { metricInterval, metricsServer, refNamespace } from '../api/defaults.js';
import {
  builtinQuery, isBuiltinMetric, type BuiltinMetricName, type CloudWatchBuiltins, type CloudWatchTarget, type MetricKind,
  type ProviderBuiltins,
} from './builtin-queries.js';
import { getAllMetricData } from './cloudwatch.js';
import { MetricConfigError, errorMessage } from './errors.js';
import { evaluateMetric, type MetricCheck, type TimedMetricCheck } from './evaluate.js';
import type { Canary, CanaryProvider } from '../api/canary.js';
import type { MetricTemplate } from '../api/metric-template.js';
import { PrometheusProvider, type MetricsProvider } from './prometheus.js';
import { serverProviderKey } from './provider-cache.js';
import { queryModel, renderQuery, renderQueryVerbatim, type QueryModel } from './render-query.js';
import { cloudWatchPort, withContext, type Lookup, type TemplateProviderDeps, type TemplateRef } from './template-provider.js';
import { IMPLEMENTED_METRIC_PROVIDERS, TEMPLATE_PROVIDERS, VERBATIM_QUERY_PROVIDERS } from './template-providers.js';

export type { Lookup } from './template-provider.js';

/** What {@link runMetricChecks} needs for one tick: what the template providers need, and the Canary's side. */
export interface MetricChecksInput extends TemplateProviderDeps {
  readonly canary: Canary;
  /** The Canary's traffic provider after defaulting (`resolveProvider`); named in messages, rendered as a model. */
  readonly provider: CanaryProvider;
  /** The provider's builtin metrics, from the provider table (`builtinsOf` in routers/index.ts). */
  readonly builtins: ProviderBuiltins;
  /** The operator's `--metrics-server`, used when the Canary has no `spec.metricsServer`. */
  readonly metricsServer: string;
  readonly templates: Lookup<MetricTemplate>;
  /** Knative only: the latest created revision, rendered as `{{ route }}`. */
  readonly knativeRevision?: string;
  /**
   * CloudWatch builtins only (`alb` Canaries): the region, load balancer and **canary** target group whose
   * CloudWatch metrics the builtins read (`app/<name>/<id>` and `targetgroup/<name>/<id>`, or their ARNs).
   * Called once per builtin check. Absent, or rejecting (e.g. while the target group does not exist yet),
   * the builtin check fails with the reason; it never passes without data.
   */
  readonly cloudWatchTargets?: (canary: Canary) => Promise<CloudWatchTarget>;
}

type Step =
  | { readonly kind: 'builtin'; readonly metric: CanaryMetric; readonly builtin: BuiltinMetricName }
  | { readonly kind: 'query' | 'template' | 'unusable'; readonly metric: CanaryMetric };

/**
 * Runs the Canary's metric checks and returns them in the order they ran, stopping after the first Fail
 * (Skip does not stop). An empty list means the Canary has no metrics.
 *
 * Order: first the builtins and inline `query` metrics in spec order (a builtin-named metric with a `query`
 * runs both), against `spec.metricsServer` or the operator's server (the builtins of an `alb` Canary read
 * CloudWatch instead); then the `templateRef` metrics in spec order, each against its template's provider.
 *
 * parity: Flagger pkg/controller/scheduler_metrics.go runBuiltinMetricChecks then runMetricChecks (§13).
 */
export async function runMetricChecks(input: MetricChecksInput): Promise<TimedMetricCheck[]> {
  const checks: TimedMetricCheck[] = [];
  for (const step of checkPlan(input.canary.spec.analysis.metrics ?? [])) {
    const check = await runStep(step, input);
    checks.push({ ...check, time: formatTime(new Date(input.now())) });
    if (check.verdict === 'Fail') break;
  }
  return checks;
}

function checkPlan(metrics: readonly CanaryMetric[]): Step[] {
  const hasQuery = (m: CanaryMetric): boolean => m.query !== undefined && m.query !== '';
  const first = metrics.flatMap((metric): Step[] => [
    ...(isBuiltinMetric(metric.name) ? [{ kind: 'builtin' as const, metric, builtin: metric.name }] : []),
    ...(hasQuery(metric) ? [{ kind: 'query' as const, metric }] : []),
  ]);
  const second = metrics.flatMap((metric): Step[] => {
    if (metric.templateRef !== undefined) return [{ kind: 'template', metric }];
    return isBuiltinMetric(metric.name) || hasQuery(metric) ? [] : [{ kind: 'unusable', metric }];
  });
  return [...first, ...second];
}

function runStep(step: Step, input: MetricChecksInput): Promise<MetricCheck> {
  switch (step.kind) {
    case 'builtin':
      return builtinCheck(step.metric, step.builtin, input);
    case 'query':
      return measure(step.metric, 'custom', input, (rendered) => {
        rendered.query = renderQuery(step.metric.query ?? '', model(step.metric, input));
        return serverProvider(input).query(rendered.query);
      });
    case 'template':
      return templateCheck(step.metric, input);
    case 'unusable':
      return measure(step.metric, 'custom', input, () => {
        throw new MetricConfigError('not a builtin metric, and has neither templateRef nor query');
      });
  }
}

/** Where a step records the rendered query, so that a check that fails after rendering still shows it. */
interface Rendered {
  query?: string;
}

async function measure(metric: CanaryMetric, kind: MetricKind, input: MetricChecksInput,
  run: (rendered: Rendered) => Promise<number>): Promise<MetricCheck> {
  const { canary } = input;
  const workload = `${canary.spec.targetRef.name}.${canary.metadata.namespace ?? ''}`;
  const rendered: Rendered = {};
  try {
    const value = await run(rendered);
    return evaluateMetric({ metric, kind, workload, query: rendered.query, value });
  } catch (error) {
    return evaluateMetric({ metric, kind, workload, query: rendered.query, error });
  }
}

function builtinCheck(metric: CanaryMetric, name: BuiltinMetricName, input: MetricChecksInput): Promise<MetricCheck> {
  const kind = name === 'request-success-rate' ? 'success-rate' : 'duration';
  const { builtins } = input;
  if (builtins.source === 'cloudwatch') {
    return measure(metric, kind, input, (rendered) => cloudWatchBuiltin(builtins, { metric, name, rendered }, input));
  }
  return measure(metric, kind, input, async (rendered) => {
    const builtin = builtinQuery(builtins, input.provider, name);
    rendered.query = renderQuery(builtin.template, model(metric, input));
    // The HTTP observer's p99 is in seconds: 0.0973 s × 1000 = 97.3 ms, compared as 97.
    return (await serverProvider(input).query(rendered.query)) * builtin.scale;
  });
}

/** One builtin check: the metric, its builtin name, and where it records the query it ran. */
interface BuiltinStep {
  readonly metric: CanaryMetric;
  readonly name: BuiltinMetricName;
  readonly rendered: Rendered;
}

/**
 * A builtin from the canary's CloudWatch metrics (e.g. the ALB target group's, routers/alb/alb-builtins.ts).
 * Example messages (ALB): `the ALB target group of the canary is unknown: ALB metrics are not configured`.
 */
async function cloudWatchBuiltin(builtins: CloudWatchBuiltins, { metric, name, rendered }: BuiltinStep,
  input: MetricChecksInput): Promise<number> {
  if (input.cloudWatchTargets === undefined) {
    throw new MetricConfigError(`${builtins.targetName} of the canary is unknown: ${builtins.metricsName} are not configured`);
  }
  let target: CloudWatchTarget;
  try {
    target = await input.cloudWatchTargets(input.canary);
  } catch (error) {
    throw new MetricConfigError(`cannot find ${builtins.targetName} of the canary: ${errorMessage(error)}`, true);
  }
  const interval = metricInterval(metric);
  rendered.query = builtins.describe(name, target, interval);
  const results = await getAllMetricData(cloudWatchPort(input, target.region), builtins.request(name, target, interval, input.now()));
  return builtins.value(name, results);
}

function templateCheck(metric: CanaryMetric, input: MetricChecksInput): Promise<MetricCheck> {
  return measure(metric, 'custom', input, async (rendered) => {
    const ref = metric.templateRef ?? { name: '' };
    const namespace = refNamespace(input.canary, ref);
    const label = `MetricTemplate ${namespace}/${ref.name}`;
    const template = await input.templates(namespace, ref.name);
    if (template === undefined) throw new MetricConfigError(`${label} not found`, true);
    const provider = await templateProvider({ template, namespace, label, metric }, input);
    const render = VERBATIM_QUERY_PROVIDERS.has(template.spec.provider.type) ? renderQueryVerbatim : renderQuery;
    rendered.query = withContext(label, () => render(template.spec.query, model(metric, input)));
    return provider.query(rendered.query);
  });
}

/**
 * The template's provider from the table (template-providers.ts), cached until the template, its Secret or
 * (for providers with a query window) the metric interval changes.
 */
async function templateProvider(ref: TemplateRef, input: MetricChecksInput): Promise<MetricsProvider> {
  const type = ref.template.spec.provider.type;
  const factory = TEMPLATE_PROVIDERS[type];
  if (factory === undefined) {
    throw new MetricConfigError(`${ref.label} uses provider type ${type}, which Songbird does not implement `
      + `(only ${IMPLEMENTED_METRIC_PROVIDERS.join(', ')})`);
  }
  return factory(ref, input);
}

function serverProvider(input: MetricChecksInput): MetricsProvider {
  const address = metricsServer(input.canary, input.metricsServer);
  return input.providers.get(serverProviderKey(address), () => new PrometheusProvider({ address }, input.http));
}

function model(metric: CanaryMetric, input: MetricChecksInput): QueryModel {
  return queryModel(input.canary, metric, input.provider, input.knativeRevision);
}
