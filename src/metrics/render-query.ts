/**
 * Renders metric query templates: the part of Go `text/template` that Flagger users write in builtin
 * queries, inline `query` metrics and MetricTemplates.
 *
 * Supported: `{{ name }}`, `{{ namespace }}`, `{{ target }}`, `{{ service }}`, `{{ ingress }}`, `{{ route }}`,
 * `{{ interval }}`, `{{ variables.<key> }}`, any whitespace inside the braces, Go's trim markers
 * (`{{- x -}}`) and comments (`{{/* … *\/}}`). Anything else is a {@link RenderError} naming it.
 *
 * parity: Flagger pkg/metrics/observers/render.go runs the full Go engine with `missingkey=error` and the
 * model as zero-argument functions and no data, so `{{ .name }}` fails there too ("nil data; no entry for
 * key"); pipelines, `if` and `range` also work there but no documented template uses them.
 */
import type { CanaryMetric } from '../api/canary-analysis.js';
import type { Canary, CanaryProvider } from '../api/canary.js';
import { metricInterval } from '../api/defaults.js';
import { RenderError } from './errors.js';

/** What a query template can refer to (Flagger's MetricTemplateModel). */
export interface QueryModel {
  readonly name: string;
  readonly namespace: string;
  readonly target: string;
  readonly service: string;
  readonly ingress: string;
  readonly route: string;
  readonly interval: string;
  readonly variables: Readonly<Record<string, string>>;
}

/** The zero-argument fields of {@link QueryModel}, as written in `{{ … }}`. */
export const queryModelFields = ['name', 'namespace', 'target', 'service', 'ingress', 'route', 'interval'] as const;

type ModelField = (typeof queryModelFields)[number];

const fieldNames: ReadonlySet<string> = new Set(queryModelFields);
const identifier = /^[A-Za-z_][A-Za-z0-9_]*$/;
const variableRef = /^variables\.([A-Za-z0-9_]+)$/;
// Go's text/template trims exactly these around `{{-` and `-}}`; RE2's `\s` in Flagger's trimQuery is the
// same set plus form feed.
const trailingSpace = /[ \t\r\n]+$/;
const leadingSpace = /^[ \t\r\n]+/;
const whitespaceRun = /[ \t\n\f\r]+/g;

/**
 * Renders `template` with `model`, then collapses every whitespace run to one space and trims both ends.
 *
 * Example: `sum(rate(x{ns="{{ namespace }}"}[{{ interval }}]))` with namespace `test`, interval `1m`
 * → `sum(rate(x{ns="test"}[1m]))`.
 *
 * parity: Flagger collapses whitespace in the Prometheus provider (trimQuery) and keeps a leading space
 * (` sum( rate(…`); Songbird also trims the ends, which Prometheus ignores and status shows more cleanly.
 */
export function renderQuery(template: string, model: QueryModel): string {
  return collapseWhitespace(expand(template, model));
}

/**
 * Renders `template` with `model` and keeps its whitespace, as Flagger's RenderQuery does, for query
 * languages in which a line break means something (Flux: a `//` comment ends at the end of its line).
 */
export function renderQueryVerbatim(template: string, model: QueryModel): string {
  return expand(template, model);
}

/** Every whitespace run as one space, ends trimmed. Example: `" sum(\n\t x )\n"` → `"sum( x )"`. */
export function collapseWhitespace(text: string): string {
  return text.replace(whitespaceRun, ' ').trim();
}

function expand(template: string, model: QueryModel): string {
  let out = '';
  let pos = 0;
  let trimNext = false;
  for (;;) {
    const open = template.indexOf('{{', pos);
    const text = template.slice(pos, open < 0 ? undefined : open);
    const kept = trimNext ? text.replace(leadingSpace, '') : text;
    if (open < 0) return out + kept;
    const close = template.indexOf('}}', open + 2);
    if (close < 0) throw new RenderError('', `unclosed action at "${template.slice(open, open + 30)}"`);
    const action = splitTrimMarkers(template.slice(open + 2, close));
    out += (action.trimBefore ? kept.replace(trailingSpace, '') : kept) + evaluate(action.body, model);
    trimNext = action.trimAfter;
    pos = close + 2;
  }
}

interface Action {
  readonly body: string;
  readonly trimBefore: boolean;
  readonly trimAfter: boolean;
}

// `{{- x -}}`: the dash must touch the braces and be followed (preceded) by a space, as in Go.
function splitTrimMarkers(inner: string): Action {
  const trimBefore = /^-[ \t\r\n]/.test(inner);
  const trimAfter = /[ \t\r\n]-$/.test(inner);
  const body = inner.slice(trimBefore ? 1 : 0, trimAfter ? -1 : undefined).trim();
  return { body, trimBefore, trimAfter };
}

function evaluate(body: string, model: QueryModel): string {
  if (body.startsWith('/*') && body.endsWith('*/')) return '';
  const variable = variableRef.exec(body)?.[1];
  if (variable !== undefined) return lookupVariable(variable, model);
  if (isModelField(body)) return model[body];
  throw unsupported(body);
}

function isModelField(body: string): body is ModelField {
  return fieldNames.has(body);
}

function lookupVariable(key: string, model: QueryModel): string {
  if (Object.hasOwn(model.variables, key)) return model.variables[key] ?? '';
  const defined = Object.keys(model.variables);
  const known = defined.length === 0 ? 'templateVariables is empty' : `templateVariables has ${defined.join(', ')}`;
  throw new RenderError(`variables.${key}`, `unknown variable "${key}" in {{ variables.${key} }}: ${known}`);
}

const usage = `use {{ ${queryModelFields.join(' }}, {{ ')} }} or {{ variables.<key> }}`;

function unsupported(body: string): RenderError {
  if (body === 'variables') return new RenderError('variables', `{{ variables }} needs a key: {{ variables.<key> }}`);
  if (body.startsWith('.')) {
    const field = body.slice(1);
    const hint = fieldNames.has(field) || field.startsWith('variables.') ? `; write {{ ${field} }}` : `; ${usage}`;
    return new RenderError(body, `{{ ${body} }} is not supported: queries are rendered without data${hint}`);
  }
  if (identifier.test(body)) return new RenderError(body, `unknown field "${body}" in {{ ${body} }}; ${usage}`);
  return new RenderError(body, `unsupported template action {{ ${body} }}; ${usage}`);
}

/**
 * The model for one metric of a Canary. `service`, `ingress` and `route` default to the target's name;
 * `interval` is the metric's, default `1m` for every metric.
 *
 * Example: Canary `podinfo` in `test`, target `podinfo-app`, `service.name: web`, no ingressRef, metric
 * interval unset → `{name: podinfo, namespace: test, target: podinfo-app, service: web, ingress: podinfo-app,
 * route: podinfo-app, interval: 1m}`.
 *
 * parity: Flagger pkg/controller/scheduler_metrics.go toMetricModel; for Knative the route is the latest
 * created revision, which the caller passes as `knativeRevision`. Flagger gives template metrics no default
 * interval (quirk §12.8); see `metricInterval`.
 */
export function queryModel(canary: Canary, metric: CanaryMetric, provider: CanaryProvider, knativeRevision?: string): QueryModel {
  const { spec } = canary;
  const target = spec.targetRef.name;
  return {
    name: canary.metadata.name,
    namespace: canary.metadata.namespace ?? '',
    target,
    service: orDefault(spec.service?.name, target),
    ingress: orDefault(spec.ingressRef?.name, target),
    route: provider === 'knative' && knativeRevision !== undefined ? knativeRevision : orDefault(spec.routeRef?.name, target),
    interval: metricInterval(metric),
    variables: metric.templateVariables ?? {},
  };
}

function orDefault(value: string | undefined, fallback: string): string {
  return value !== undefined && value !== '' ? value : fallback;
}
