/**
 * Why a run failed, as the Ready and Stalled conditions say it (kstatus reasons, CamelCase), and the last
 * check that failed in a run (`status.lastFailedCheck`), kept so that the rollback at the failed-checks
 * threshold can name it.
 *
 * parity: Flagger writes only `Failed` (pkg/canary/status.go): a tool reading the condition cannot tell a
 * failed metric from a deadline or a webhook without reading the events.
 */
import { z } from 'zod';
import { timestamp } from './common.js';

/**
 * Reasons of a failed run:
 * - `CheckFailed`: the failed checks reached the threshold, the last one a metric check;
 * - `WebhookRefused`: the same, the last one a pre-rollout or rollout webhook that did not answer 2xx;
 * - `RollbackRequested`: a rollback webhook answered 2xx;
 * - `ProgressDeadlineExceeded`: the canary, or the primary during promotion, was not ready in time;
 * - `ApprovalDeadlineExceeded`: a closed confirm-* gate held the run past `approvalDeadlineSeconds`;
 * - `TrafficNotApplied`: the provider did not apply the weights within the progress deadline;
 * - `Aborted`: a person aborted the run.
 */
export const failureReasonSchema = z.enum([
  'CheckFailed', 'WebhookRefused', 'RollbackRequested', 'ProgressDeadlineExceeded', 'ApprovalDeadlineExceeded', 'TrafficNotApplied', 'Aborted',
]);

/** Why a run failed. */
export type FailureReason = z.infer<typeof failureReasonSchema>;

/** The last check that failed in the current run: a metric check, or a webhook of the analysis. */
export const failedCheckSchema = z.object({
  kind: z.enum(['Metric', 'Webhook']).describe('Metric: a metric check; Webhook: a pre-rollout or rollout webhook'),
  name: z.string().describe('The metric or webhook name'),
  value: z.number().nullable().optional().describe('Metric: the value; absent when the query returned no data or an error'),
  threshold: z.string().optional().describe('Metric: the accepted range, e.g. ">= 99"'),
  answer: z.string().optional().describe('Webhook: its answer, e.g. "HTTP 500: boom"'),
  message: z.string().describe('What failed, e.g. "request success rate 87.50% < 99%"'),
  time: timestamp.describe('When it failed'),
});

/** The last check that failed in the current run. */
export type FailedCheck = z.infer<typeof failedCheckSchema>;
