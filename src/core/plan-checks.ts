/** The metric checks of a release preview (`plan.ts`), with their thresholds as status shows them. Pure. */
import type { Canary } from '../api/canary.js';
import type { CanaryMetric } from '../api/canary-analysis.js';
import { metricInterval, metricOnNoData } from '../api/defaults.js';
import type { PlannedCheck } from './plan-types.js';

/** One metric check of the spec as planned. */
export function plannedCheck(canary: Canary, metric: CanaryMetric): PlannedCheck {
  const ref = metric.templateRef;
  const source = ref !== undefined ? 'template' : metric.query !== undefined && metric.query !== '' ? 'query' : 'builtin';
  return {
    name: metric.name, source,
    ...(ref === undefined ? {} : { template: `${ref.namespace ?? canary.metadata.namespace ?? ''}/${ref.name}` }),
    threshold: thresholdText(metric, source), interval: metricInterval(metric), onNoData: metricOnNoData(metric),
  };
}

/**
 * The accepted range as `status.lastMetricValues` shows it (metrics/evaluate.ts): `thresholdRange`, else the
 * legacy `threshold`, a minimum for the builtin success rate and a maximum otherwise.
 *
 * Examples: range {min: 99} → `>= 99`; {min: 1, max: 5} → `[1, 5]`; request-duration threshold 500 → `<= 500`.
 */
export function thresholdText(metric: CanaryMetric, source: PlannedCheck['source']): string {
  const range = metric.thresholdRange ?? (source === 'builtin' && metric.name === 'request-success-rate'
    ? { min: metric.threshold ?? 0 } : { max: metric.threshold ?? 0 });
  const { min, max } = range;
  if (min !== undefined && max !== undefined) return `[${min}, ${max}]`;
  if (min !== undefined) return `>= ${min}`;
  return max !== undefined ? `<= ${max}` : 'any';
}
