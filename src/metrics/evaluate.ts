/**
 * PURE: one metric value (or the error that replaced it) compared with the metric's thresholds, giving a
 * verdict and the texts shown in status and events.
 */
import type { CanaryMetric } from '../api/canary-analysis.js';
import type { MetricValue, MetricVerdict } from '../api/canary-status.js';
import { metricOnNoData } from '../api/defaults.js';
import { maxStatusTextBytes, truncateUtf8 } from '../api/limits.js';
import type { MetricKind } from './builtin-queries.js';
import { NoDataError, errorMessage } from './errors.js';
import { formatGoDuration } from './go-duration.js';

/** The result of one metric check. */
export interface MetricCheck {
  /** The metric's name (`spec.analysis.metrics[].name`). */
  readonly name: string;
  readonly kind: MetricKind;
  /** The compared value (percent, whole ms, or the query's unit); null without one (no data or an error). */
  readonly value: number | null;
  /** The accepted range: `">= 99"`, `"<= 500"`, `"[1, 5]"`, or `"any"` for an empty thresholdRange. */
  readonly threshold: string;
  readonly verdict: MetricVerdict;
  /** Why: the comparison, the no-data reason or the error. */
  readonly message: string;
  /** The rendered query, when rendering got that far. */
  readonly query?: string;
}

/** Input of {@link evaluateMetric}: the metric and either its value or the error that replaced it. */
export type EvaluateInput = {
  readonly metric: CanaryMetric;
  readonly kind: MetricKind;
  readonly query?: string;
  /** `<target>.<namespace>` of the canary workload, named in the no-data message. */
  readonly workload?: string;
} & ({ readonly value: number } | { readonly error: unknown });

interface Bounds {
  readonly min?: number;
  readonly max?: number;
}

/**
 * Compares a value with the metric's `thresholdRange` (both ends inclusive) or, without one, its legacy
 * `threshold` (a minimum for success rate, a maximum otherwise; unset means 0, as in Flagger). Durations are
 * whole milliseconds: 250.9 ms is compared as 250. No data (NaN, empty, ±Inf) is never a pass: Fail, or Skip
 * with `onNoData: skip`. Any other error is a Fail.
 *
 * Examples: success rate 98.7 with range {min: 99} → Fail "success rate 98.70% < 99%"; duration 512.3 with
 * threshold 500 → Fail "request duration 512ms > 500ms"; custom 3 with range {min: 1, max: 5} → Pass.
 *
 * parity: Flagger pkg/controller/scheduler_metrics.go; the duration thresholds are truncated to whole ms as
 * Flagger's time.Duration conversion does (max 500.7 → 500).
 */
export function evaluateMetric(input: EvaluateInput): MetricCheck {
  const { metric, kind, query } = input;
  const bounds = thresholdBounds(metric, kind);
  const base = { name: metric.name, kind, threshold: formatBounds(bounds), query };
  if ('error' in input) return { ...base, ...errorOutcome(input, input.error) };
  const value = kind === 'duration' ? Math.trunc(input.value) : input.value;
  const shown = describeValue(metric.name, kind, value);
  if (bounds.min !== undefined && value < bounds.min) {
    return { ...base, value, verdict: 'Fail', message: `${shown} < ${describeBound(kind, bounds.min)}` };
  }
  if (bounds.max !== undefined && value > bounds.max) {
    return { ...base, value, verdict: 'Fail', message: `${shown} > ${describeBound(kind, bounds.max)}` };
  }
  return { ...base, value, verdict: 'Pass', message: `${shown} is within ${base.threshold}` };
}

function thresholdBounds(metric: CanaryMetric, kind: MetricKind): Bounds {
  const whole = (n: number | undefined): number | undefined => (n !== undefined && kind === 'duration' ? Math.trunc(n) : n);
  const range = metric.thresholdRange;
  if (range !== undefined) return { min: whole(range.min), max: whole(range.max) };
  const threshold = whole(metric.threshold ?? 0);
  return kind === 'success-rate' ? { min: threshold } : { max: threshold };
}

function formatBounds({ min, max }: Bounds): string {
  if (min !== undefined && max !== undefined) return `[${min}, ${max}]`;
  if (min !== undefined) return `>= ${min}`;
  return max !== undefined ? `<= ${max}` : 'any';
}

// Flagger's wording: "success rate 95.00%", "request duration 1.5s", "<metric> 12.00".
function describeValue(name: string, kind: MetricKind, value: number): string {
  switch (kind) {
    case 'success-rate':
      return `success rate ${value.toFixed(2)}%`;
    case 'duration':
      return `request duration ${formatGoDuration(value)}`;
    case 'custom':
      return `${name} ${value.toFixed(2)}`;
  }
}

function describeBound(kind: MetricKind, bound: number): string {
  switch (kind) {
    case 'success-rate':
      return `${bound}%`;
    case 'duration':
      return formatGoDuration(bound);
    case 'custom':
      return String(bound);
  }
}

function errorOutcome(input: EvaluateInput, error: unknown): Pick<MetricCheck, 'value' | 'verdict' | 'message'> {
  const name = input.metric.name;
  if (!(error instanceof NoDataError)) return { value: null, verdict: 'Fail', message: `metric ${name}: ${errorMessage(error)}` };
  if (metricOnNoData(input.metric) === 'skip') {
    return { value: null, verdict: 'Skip', message: `no values found for metric ${name} (${error.reason}); skipped (onNoData: skip)` };
  }
  const workload = input.workload ?? 'the canary';
  return {
    value: null,
    verdict: 'Fail',
    message: `no values found for metric ${name}, probably ${workload} is not receiving traffic (${error.reason})`,
  };
}

/**
 * Event text for a check: Flagger's sentence, then the value, threshold, verdict and query, so that an
 * event alone explains the decision. `canary` is `<name>.<namespace>`.
 *
 * Example: `Halt podinfo.test advancement success rate 95.00% < 99% (value: 95, threshold: >= 99,
 * verdict: Fail, query: sum(…))`.
 */
export function formatCheckEvent(check: MetricCheck, canary: string): string {
  const head = eventHead(check, canary);
  const query = check.query === undefined ? '' : `, query: ${check.query}`;
  return `${head} (value: ${check.value ?? 'none'}, threshold: ${check.threshold}, verdict: ${check.verdict}${query})`;
}

function eventHead(check: MetricCheck, canary: string): string {
  switch (check.verdict) {
    case 'Fail':
      return `Halt ${canary} advancement ${check.message}`;
    case 'Skip':
      return `Skipped metric ${check.name}: ${check.message}`;
    case 'Pass':
      return `Metric ${check.name} passed: ${check.message}`;
  }
}

/**
 * The value for the `flagger_canary_metric_analysis` gauge: success rate in percent, duration in seconds
 * (Flagger records `time.Duration.Seconds()`), custom as queried; null when the check had no value.
 * Example: duration check of 250 ms → 0.25.
 */
export function gaugeValue(check: MetricCheck): number | null {
  if (check.value === null) return null;
  return check.kind === 'duration' ? check.value / 1000 : check.value;
}

/** A check with the time it ran (RFC 3339, whole seconds). */
export type TimedMetricCheck = MetricCheck & { readonly time: string };

/**
 * The check as an entry of `status.lastMetricValues` (keyed by the metric name). The query and the message
 * keep at most 1 KiB each ({@link maxStatusTextBytes}), ending in `…` when cut: a template can render a
 * query of any length, and an error message can quote an answer.
 */
export function toMetricValue(check: TimedMetricCheck): MetricValue {
  return {
    value: check.value,
    threshold: check.threshold,
    verdict: check.verdict,
    message: truncateUtf8(check.message, maxStatusTextBytes),
    ...(check.query === undefined ? {} : { query: truncateUtf8(check.query, maxStatusTextBytes) }),
    time: check.time,
  };
}

/**
 * `status.lastMetricValues` after this tick's checks: the new results over the previous ones, limited to
 * the metrics the spec still has (a renamed or removed metric's entry goes), so the map never holds more
 * entries than the spec has metrics. A check without a value has no `value` key, since a merge patch
 * cannot write null (it deletes the key).
 */
export function latestMetricValues(previous: Readonly<Record<string, MetricValue>> | undefined, checks: readonly TimedMetricCheck[],
  metrics: readonly CanaryMetric[]): Record<string, MetricValue> {
  const names = new Set(metrics.map((m) => m.name));
  const values: Record<string, MetricValue> = Object.fromEntries(Object.entries(previous ?? {}).filter(([name]) => names.has(name)));
  for (const check of checks) {
    const { value, ...rest } = toMetricValue(check);
    values[check.name] = value === null ? rest : { value, ...rest };
  }
  return values;
}
