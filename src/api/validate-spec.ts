/**
 * Per-field checks of a Canary's service and analysis for validate.ts: the CEL admission rules of rules.ts
 * repeated in TypeScript (a Canary may have been stored without them), plus the checks CEL cannot express
 * (Go duration syntax of webhook timeouts, `spec.service` presence by target kind).
 */
import type { CanaryAnalysis, CanaryMetric, CanaryWebhook } from './canary-analysis.js';
import type { Canary } from './canary.js';
import { isKnativeTarget } from './defaults.js';
import { parseGoDuration } from './duration.js';
import { analysisRules, serviceRules, specRules } from './rules.js';
import type { Problem } from './problem.js';

const builtinMetrics = new Set(['request-success-rate', 'request-duration']);

/** Problems of `spec.service`, `spec.autoscalerRef` and `spec.analysis` (empty when there are none). */
export function serviceAndAnalysisProblems(canary: Canary): Problem[] {
  const analysis = canary.spec.analysis;
  return [
    ...targetProblems(canary),
    ...strategyProblems(analysis),
    ...sessionAffinityProblems(analysis),
    ...canaryMatchProblems(analysis),
    ...(analysis.metrics ?? []).flatMap((m, i) => metricProblems(m, `spec.analysis.metrics[${i}]`)),
    ...(analysis.webhooks ?? []).flatMap((w, i) => webhookProblems(w, `spec.analysis.webhooks[${i}]`)),
  ];
}

function targetProblems(canary: Canary): Problem[] {
  const problems: Problem[] = [];
  const knative = isKnativeTarget(canary);
  if (canary.spec.service === undefined && !knative) {
    problems.push({ field: 'spec.service', message: 'service is required unless the target is a Knative Service' });
  }
  if (knative && canary.spec.autoscalerRef !== undefined) {
    problems.push({ field: 'spec.autoscalerRef', message: specRules.knativeHasNoAutoscaler.message });
  }
  if (canary.spec.targetRef.kind === 'DaemonSet' && canary.spec.autoscalerRef !== undefined) {
    problems.push({ field: 'spec.autoscalerRef', message: specRules.daemonSetHasNoAutoscaler.message });
  }
  return [...problems, ...scalerProblems(canary), ...delegationProblems(canary)];
}

function scalerProblems(canary: Canary): Problem[] {
  const { minReplicas, maxReplicas } = canary.spec.autoscalerRef?.primaryScalerReplicas ?? {};
  if (minReplicas === undefined || maxReplicas === undefined || minReplicas <= maxReplicas) return [];
  return [{ field: 'spec.autoscalerRef.primaryScalerReplicas', message: serviceRules.scalerReplicasOrdered.message }];
}

function delegationProblems(canary: Canary): Problem[] {
  const service = canary.spec.service;
  if (service?.delegation !== true) return [];
  if ((service.hosts ?? []).length === 0 && (service.gateways ?? []).length === 0) return [];
  return [{ field: 'spec.service', message: serviceRules.delegationWithoutHostsOrGateways.message }];
}

function strategyProblems(analysis: CanaryAnalysis): Problem[] {
  const set = [analysis.iterations, analysis.stepWeight, analysis.stepWeights].filter((v) => v !== undefined);
  const problems: Problem[] = [];
  if (set.length !== 1) problems.push({ field: 'spec.analysis', message: analysisRules.exactlyOneStrategy.message });
  const ladder = analysis.stepWeights ?? [];
  if (ladder.some((weight, i) => i > 0 && weight <= (ladder[i - 1] ?? weight))) {
    problems.push({ field: 'spec.analysis.stepWeights', message: analysisRules.stepWeightsIncreasing.message });
  }
  return problems;
}

function sessionAffinityProblems(analysis: CanaryAnalysis): Problem[] {
  const affinity = analysis.sessionAffinity;
  if (affinity?.primaryCookieName === undefined || affinity.primaryCookieName !== affinity.cookieName) return [];
  return [{ field: 'spec.analysis.sessionAffinity.primaryCookieName', message: analysisRules.cookieNamesDiffer.message }];
}

/** The admission rules of `analysis.canaryMatch` (canary-match.ts), repeated for stored objects. */
function canaryMatchProblems(analysis: CanaryAnalysis): Problem[] {
  const match = analysis.canaryMatch;
  if (match === undefined) return [];
  const field = 'spec.analysis.canaryMatch';
  const problems: Problem[] = [];
  if ((match.header === undefined) === (match.cookie === undefined)) problems.push({ field, message: analysisRules.canaryMatchOneKind.message });
  const { exact, prefix, regex } = match.header ?? {};
  if (match.header !== undefined && [exact, prefix, regex].filter((v) => v !== undefined).length !== 1) {
    problems.push({ field: `${field}.header`, message: serviceRules.exactlyOneStringMatch.message });
  }
  if ((analysis.match ?? []).length > 0) problems.push({ field, message: analysisRules.canaryMatchWithoutAbMatch.message });
  return problems;
}

function metricProblems(metric: CanaryMetric, field: string): Problem[] {
  const problems: Problem[] = [];
  const hasSource = builtinMetrics.has(metric.name) || metric.templateRef !== undefined || metric.query !== undefined;
  if (!hasSource) problems.push({ field, message: analysisRules.metricHasSource.message });
  const { min, max } = metric.thresholdRange ?? {};
  if (min !== undefined && max !== undefined && min > max) {
    problems.push({ field: `${field}.thresholdRange`, message: analysisRules.thresholdRangeOrdered.message });
  }
  return problems;
}

function webhookProblems(webhook: CanaryWebhook, field: string): Problem[] {
  const problems: Problem[] = [];
  if (!isHttpUrl(webhook.url)) problems.push({ field: `${field}.url`, message: analysisRules.webhookUrl.message });
  const timeout = webhook.timeout ?? '';
  if (timeout.length >= 2 && parseGoDuration(timeout) === undefined) {
    problems.push({ field: `${field}.timeout`, message: `"${timeout}" is not a duration such as 10s or 1m30s` });
  }
  return problems;
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
