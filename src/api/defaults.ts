/**
 * Behavioural defaults of the `flagger.app` API as plain functions (Flagger's `Get*` accessors on the Go
 * types). The CRDs carry no defaults (design C4), so an omitted field stays omitted in the stored object and
 * in `kubectl get`, and every reader applies the default through these functions.
 */
import { z } from 'zod';
import type { AlertProviderSpec } from './alert-provider.js';
import type { AlertSeverity, CanaryAlert, CanaryMetric, CanaryWebhook, OnNoData, SessionAffinity, WebhookType } from './canary-analysis.js';
import type { Canary, CanaryProvider } from './canary.js';
import type { CrossNamespaceRef } from './common.js';
import { parseGoDuration } from './duration.js';
import {
  formatBound, maxAnalysisIntervalMs, maxCookieMaxAgeSeconds, maxMetricIntervalMs, maxProgressDeadlineSeconds, maxWebhookRetries, maxWebhookTimeoutMs,
} from './limits.js';

/** Analysis interval used when `analysis.interval` is empty or not a Go duration: 60s. */
export const defaultAnalysisIntervalMs = 60_000;
/** Shortest analysis interval: shorter ones are raised to 10s. */
export const minAnalysisIntervalMs = 10_000;
/** Default `progressDeadlineSeconds`. */
export const defaultProgressDeadlineSeconds = 600;
/** Default `approvalDeadlineSeconds` (a Songbird extension): a day. */
export const defaultApprovalDeadlineSeconds = 86_400;
/** Default primary and canary ready thresholds, in percent of updated replicas. */
export const defaultReadyThresholdPercent = 100;
/** Default metric query interval. */
export const defaultMetricInterval = '1m';
/** Default webhook timeout. */
export const defaultWebhookTimeoutMs = 10_000;
/** Default Max-Age of the canary session cookie (24 hours). */
export const defaultCookieMaxAgeSeconds = 86_400;
/** Default mesh provider when the operator's `--mesh-provider` is not set. */
export const defaultMeshProvider: CanaryProvider = 'istio';
/** The total weight the two sides share. */
export const totalWeight = 100;

/**
 * Analysis tick period in milliseconds: `analysis.interval` parsed as a Go duration; 60s when empty or
 * unparsable; at least 10s and at most 24h ({@link maxAnalysisIntervalMs}, for objects stored before the
 * CRD bounded it).
 *
 * Examples: `"30s"` → 30000; `"1m30s"` → 90000; `"5s"` → 10000 (raised to the minimum); `"10sfoo"` → 60000;
 * `"35792m"` (2^31 ms, past what a timer holds) → 86400000.
 *
 * parity: Flagger pkg/apis/flagger/v1beta1/canary.go GetAnalysisInterval, same fallback and minimum (quirk
 * §12.24); Flagger has no maximum, so an interval past 24.8 days fires its ticker at once. `canaryWarnings`
 * in validate.ts reports every fallback and clamp so they are not silent.
 */
export function analysisInterval(canary: Canary): number {
  const parsed = parseGoDuration(canary.spec.analysis.interval);
  if (parsed === undefined) return defaultAnalysisIntervalMs;
  return Math.min(Math.max(parsed, minAnalysisIntervalMs), maxAnalysisIntervalMs);
}

/** Failed checks that trigger a rollback: `analysis.threshold`, or 1 when it is not positive. */
export function analysisThreshold(canary: Canary): number {
  const threshold = canary.spec.analysis.threshold;
  return threshold > 0 ? threshold : 1;
}

/**
 * Canary weight at which promotion starts: the last `stepWeights` entry when a ladder is set, else
 * `maxWeight` when positive, else 100; never above 100.
 *
 * Examples: stepWeights `[1, 2, 10, 80]` → 80; `[1, 2, 10, 200]` → 100; maxWeight 30 → 30; maxWeight 150 → 100;
 * neither → 100.
 *
 * parity: Flagger clamps only the ladder's last rung; a maxWeight above 100 (which its CRD admits) leaves the
 * weight at 100 below maxWeight, so the run never reaches promotion.
 */
export function maxWeight(canary: Canary): number {
  const { stepWeights, maxWeight: configured } = canary.spec.analysis;
  const last = stepWeights?.at(-1);
  if (last !== undefined) return Math.min(totalWeight, last);
  return configured !== undefined && configured > 0 ? Math.min(totalWeight, configured) : totalWeight;
}

/**
 * Weight added to the canary at the next step, given its current weight.
 *
 * With `stepWeight` (or no ladder) it is `stepWeight`. With `stepWeights` it is the distance to the next
 * rung, never past 100: from 0 the first rung; from a rung the gap to the following one; from a weight off
 * the ladder the rest up to 100; at 100 it is 1, so that the caller sees a step and promotes.
 *
 * Examples with stepWeights `[1, 2, 10, 80]`: 0 → 1; 1 → 1; 2 → 8; 10 → 70; 80 → 20; 50 → 50; 100 → 1.
 *
 * parity: Flagger pkg/controller/scheduler.go nextStepWeight.
 */
export function nextStepWeight(canary: Canary, canaryWeight: number): number {
  const { stepWeight = 0, stepWeights = [] } = canary.spec.analysis;
  if (stepWeight > 0 || stepWeights.length === 0) return stepWeight;
  const remaining = totalWeight - canaryWeight;
  if (remaining === 0) return 1;
  if (canaryWeight === 0) return Math.min(remaining, stepWeights[0] ?? remaining);
  const rung = stepWeights.indexOf(canaryWeight);
  const next = rung >= 0 ? stepWeights[rung + 1] : undefined;
  return next === undefined ? remaining : Math.min(remaining, next - canaryWeight);
}

/** How a run moves traffic; the values are Flagger's `deployment_strategy` metric label values. */
export const deploymentStrategySchema = z.enum(['canary', 'blue-green', 'ab-testing']);

/** How a run moves traffic. */
export type DeploymentStrategy = z.infer<typeof deploymentStrategySchema>;

/**
 * The strategy of a Canary: A/B testing when `analysis.match` is non-empty and `iterations` > 0, Blue/Green
 * when only `iterations` > 0, otherwise progressive canary.
 *
 * parity: Flagger pkg/apis/flagger/v1beta1/canary.go DeploymentStrategy.
 */
export function deploymentStrategy(canary: Canary): DeploymentStrategy {
  const { match = [], iterations = 0 } = canary.spec.analysis;
  if (iterations > 0) return match.length > 0 ? 'ab-testing' : 'blue-green';
  return 'canary';
}

/**
 * Number of checks of a Blue/Green or A/B run. The `kubernetes` provider can only do Blue/Green, so an
 * `iterations` below 1 means 10 there (Flagger warns about it on every tick; validate.ts reports it once).
 *
 * parity: Flagger pkg/controller/scheduler.go advanceCanary, kubernetes provider branch.
 */
export function analysisIterations(canary: Canary, provider: CanaryProvider): number {
  const iterations = canary.spec.analysis.iterations ?? 0;
  return provider === 'kubernetes' && iterations < 1 ? 10 : iterations;
}

/** True when runs promote without analysis (`spec.skipAnalysis`). */
export function skipAnalysis(canary: Canary): boolean {
  return canary.spec.skipAnalysis === true;
}

/** Seconds a rollout may make no progress before it fails (default 600, at most 7 days). */
export function progressDeadlineSeconds(canary: Canary): number {
  return Math.min(canary.spec.progressDeadlineSeconds ?? defaultProgressDeadlineSeconds, maxProgressDeadlineSeconds);
}

/** How long a closed gate may hold a run (`approvalDeadlineSeconds`, default a day). */
export function approvalDeadlineSeconds(canary: Canary): number {
  return canary.spec.approvalDeadlineSeconds ?? defaultApprovalDeadlineSeconds;
}

/** Percent of the primary's updated replicas that must be available for it to be ready (default 100). */
export function primaryReadyThreshold(canary: Canary): number {
  return canary.spec.analysis.primaryReadyThreshold ?? defaultReadyThresholdPercent;
}

/** Percent of the canary's updated replicas that must be available for it to be ready (default 100). */
export function canaryReadyThreshold(canary: Canary): number {
  return canary.spec.analysis.canaryReadyThreshold ?? defaultReadyThresholdPercent;
}

/** Names of the generated Services. */
export interface ServiceNames {
  readonly apex: string;
  readonly primary: string;
  readonly canary: string;
}

/**
 * Names of the three Services: apex = `service.name` or `targetRef.name`, plus `-primary` and `-canary`.
 * Example: target `podinfo`, no service name → `podinfo`, `podinfo-primary`, `podinfo-canary`.
 */
export function serviceNames(canary: Canary): ServiceNames {
  const name = canary.spec.service?.name;
  const apex = name !== undefined && name !== '' ? name : canary.spec.targetRef.name;
  return { apex, primary: `${apex}-primary`, canary: `${apex}-canary` };
}

/** Name of the main Service port (default `http`). */
export function servicePortName(canary: Canary): string {
  const name = canary.spec.service?.portName;
  return name !== undefined && name !== '' ? name : 'http';
}

/** Container port of the main Service port: `service.targetPort`, or `service.port` when unset, 0 or empty. */
export function serviceTargetPort(canary: Canary): number | string | undefined {
  const targetPort = canary.spec.service?.targetPort;
  return targetPort === undefined || targetPort === 0 || targetPort === '' ? canary.spec.service?.port : targetPort;
}

/**
 * Query interval of a metric (default `1m`, at most `24h`), as written into `{{ interval }}`.
 *
 * Examples: unset → `1m`; `30s` → `30s`; `2000m` → `24h`.
 *
 * parity: Flagger pkg/controller/scheduler_metrics.go defaults only the builtin metrics (quirk §12.8:
 * a template rendered with an empty interval is invalid PromQL); Songbird defaults every metric.
 */
export function metricInterval(metric: CanaryMetric): string {
  if (metric.interval === undefined || metric.interval === '') return defaultMetricInterval;
  const parsed = parseGoDuration(metric.interval);
  return parsed !== undefined && parsed > maxMetricIntervalMs ? formatBound(maxMetricIntervalMs) : metric.interval;
}

/** What a metric check does without data (default `fail`, Flagger's behaviour). */
export function metricOnNoData(metric: CanaryMetric): OnNoData {
  return metric.onNoData ?? 'fail';
}

/** Type of a webhook; an omitted or empty type is `rollout`. */
export function webhookType(webhook: CanaryWebhook): Exclude<WebhookType, ''> {
  const type = webhook.type ?? '';
  return type === '' ? 'rollout' : type;
}

/**
 * Per-attempt timeout of a webhook in milliseconds: `timeout` as a Go duration, 10s when shorter than two
 * characters (Flagger's rule), unparsable or not positive; at most 30m. Examples: `"5s"` → 5000; `"1m"` →
 * 60000; `"s"` → 10000; `"600m"` → 1800000.
 *
 * parity: Flagger pkg/controller/webhook.go fails the call when the timeout does not parse; validate.ts
 * rejects such a timeout instead, so the fallback here is never reached for a validated Canary.
 */
export function webhookTimeout(webhook: CanaryWebhook): number {
  const timeout = webhook.timeout ?? '';
  const parsed = timeout.length < 2 ? undefined : parseGoDuration(timeout);
  if (parsed === undefined || parsed <= 0) return defaultWebhookTimeoutMs;
  return Math.min(parsed, maxWebhookTimeoutMs);
}

/** Retries of a webhook call after the first attempt (default 0, at most 10). */
export function webhookRetries(webhook: CanaryWebhook): number {
  return Math.min(Math.max(webhook.retries ?? 0, 0), maxWebhookRetries);
}

/**
 * Severity an alert subscribes to; omitted or empty means `info` (everything).
 *
 * parity: Flagger pkg/controller/events.go compares the raw field, so an alert without severity never
 * receives anything although the documented default is info (quirk §12.10); Songbird applies the default.
 */
export function alertSeverity(alert: CanaryAlert): Exclude<AlertSeverity, ''> {
  const severity = alert.severity ?? '';
  return severity === '' ? 'info' : severity;
}

/** Namespace of a MetricTemplate or AlertProvider reference: its own, else the Canary's. */
export function refNamespace(canary: Canary, ref: CrossNamespaceRef): string {
  const namespace = ref.namespace;
  return namespace !== undefined && namespace !== '' ? namespace : canary.metadata.namespace ?? '';
}

/**
 * The traffic provider of a Canary: `spec.provider`, else the operator's `--mesh-provider` (default istio).
 * The result may name a provider the operator does not implement; validate.ts reports that.
 */
export function resolveProvider(canary: Canary, meshProvider: CanaryProvider = defaultMeshProvider): CanaryProvider {
  return canary.spec.provider ?? meshProvider;
}

/** Prometheus URL for builtin and inline-query metrics: `spec.metricsServer`, else the operator's. */
export function metricsServer(canary: Canary, operatorDefault: string): string {
  const url = canary.spec.metricsServer;
  return url !== undefined && url !== '' ? url : operatorDefault;
}

/** True when the target is a Knative Service (`serving.knative.dev/*`, kind `Service`). */
export function isKnativeTarget(canary: Canary): boolean {
  const { kind, apiVersion } = canary.spec.targetRef;
  return kind === 'Service' && apiVersion.startsWith('serving.knative.dev/');
}

/** Max-Age in seconds of the canary session cookie (default 86400, also when 0; at most 400 days). */
export function cookieMaxAge(affinity: SessionAffinity): number {
  const maxAge = affinity.maxAge ?? 0;
  return maxAge > 0 ? Math.min(maxAge, maxCookieMaxAgeSeconds) : defaultCookieMaxAgeSeconds;
}

/** Channel of an alert provider (default `general`). */
export function alertProviderChannel(spec: AlertProviderSpec): string {
  return spec.channel !== undefined && spec.channel !== '' ? spec.channel : 'general';
}

/** Bot user name of an alert provider (default `flagger`). */
export function alertProviderUsername(spec: AlertProviderSpec): string {
  return spec.username !== undefined && spec.username !== '' ? spec.username : 'flagger';
}
