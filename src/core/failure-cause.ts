/**
 * Why a run failed, from what the analysis saw: the check that failed last (a metric or a webhook) and the
 * reason the Ready condition gives when the failed checks reach the threshold. Pure: times are passed in.
 */
import type { MetricValue } from '../api/canary-status.js';
import type { FailedCheck, FailureReason } from '../api/failure-cause.js';

/**
 * The first failed metric check of an interval's results, in the order they were recorded; `undefined` when
 * none failed.
 *
 * Example: `{ 'request-success-rate': { value: 87.5, threshold: '>= 99', verdict: 'Fail', message: 'success
 * rate 87.50% < 99%' } }` → a Metric check named `request-success-rate` with that value, threshold and message.
 */
export function failedMetricCheck(values: Readonly<Record<string, MetricValue>> | undefined): FailedCheck | undefined {
  const failed = Object.entries(values ?? {}).find(([, v]) => v.verdict === 'Fail');
  if (failed === undefined) return undefined;
  const [name, v] = failed;
  return {
    kind: 'Metric', name, ...(v.value === undefined || v.value === null ? {} : { value: v.value }), threshold: v.threshold,
    message: v.message ?? `value outside ${v.threshold}`, time: v.time,
  };
}

/** A pre-rollout or rollout webhook that did not answer 2xx; `answer` is the gate's reason, e.g. `HTTP 500: boom`. */
export function refusedWebhookCheck(hook: { name: string; type: string }, answer: string, time: string): FailedCheck {
  return { kind: 'Webhook', name: hook.name, answer, message: `${hook.type} webhook ${hook.name} refused: ${answer}`, time };
}

/** A failed check in a sentence: `metric request-success-rate: success rate 87.50% < 99%`, or the webhook's message. */
export function describeFailedCheck(check: FailedCheck): string {
  if (check.kind === 'Webhook') return check.message;
  return check.message.startsWith(`metric ${check.name}`) ? check.message : `metric ${check.name}: ${check.message}`;
}

/**
 * The reason and text of a rollback at the failed-checks threshold, naming the check that failed last: a
 * webhook's refusal is `WebhookRefused`, anything else `CheckFailed` (also when the check is not known, as
 * for a run started before `lastFailedCheck` existed).
 *
 * Example: threshold 2, last a metric → `CheckFailed`, "failed checks threshold reached 2, last: metric
 * request-success-rate: success rate 87.50% < 99%".
 */
export function thresholdFailure(threshold: number, last: FailedCheck | undefined): { reason: FailureReason; text: string } {
  const head = `failed checks threshold reached ${threshold}`;
  if (last === undefined) return { reason: 'CheckFailed', text: head };
  return { reason: last.kind === 'Webhook' ? 'WebhookRefused' : 'CheckFailed', text: `${head}, last: ${describeFailedCheck(last)}` };
}
