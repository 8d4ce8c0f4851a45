/**
 * `status` of a Canary: Flagger's fields (spec §1.4) plus Songbird's extensions `observedGeneration`,
 * `lastMetricValues` and conditions beyond Flagger's `Promoted` (see `conditions.ts`).
 */
import { z } from 'zod';
import { conditionsSchema, stringMap, timestamp } from './common.js';
import { lastActionSchema, pausedSchema, pendingActionSchema } from './manual-action.js';
import { failedCheckSchema } from './failure-cause.js';

/** Phases of a canary run (Flagger's CanaryPhase; the empty string is a Canary not seen yet). */
export const canaryPhaseSchema = z.enum([
  '', 'Initializing', 'Initialized', 'Waiting', 'Progressing', 'WaitingPromotion', 'Promoting', 'Finalising',
  'Succeeded', 'Failed', 'Terminating', 'Terminated',
]);

/** Phase of a canary run. */
export type CanaryPhase = z.infer<typeof canaryPhaseSchema>;

/** Effect of one metric check on the analysis. */
export const metricVerdictSchema = z.enum(['Pass', 'Fail', 'Skip']);

/** Effect of one metric check on the analysis. */
export type MetricVerdict = z.infer<typeof metricVerdictSchema>;

/** The last result of one metric check, so that every check's value is visible in status. */
export const metricValueSchema = z.object({
  value: z.number().nullable().optional().describe('Last value; absent (or null) when the query returned no data, NaN or an error'),
  threshold: z.string().describe('The accepted range, e.g. ">= 99" or "<= 500" or "[1, 5]"'),
  verdict: metricVerdictSchema.describe('Pass, Fail, or Skip (no data with onNoData: skip)'),
  message: z.string().optional().describe('Why the check failed or was skipped, e.g. the query error'),
  query: z.string().optional().describe('The rendered query'),
  time: timestamp.describe('When the check ran'),
});

/** The last result of one metric check. */
export type MetricValue = z.infer<typeof metricValueSchema>;

/**
 * The release preview of the current run (core/plan.ts), written when the run starts. Compact on purpose:
 * the full plan (steps, checks, gates) is `kubectl songbird plan`; this keeps what tools and `-o wide` show.
 */
export const planStatusSchema = z.object({
  strategy: z.enum(['canary', 'blue-green', 'ab-testing', 'skip']).describe('How the run moves traffic'),
  weights: z.array(z.int().min(0).max(100)).max(101).describe('Canary weights the run walks, in order'),
  ticks: z.int().min(0).describe('Analysis ticks of the run when every check passes at the first try'),
  intervalSeconds: z.number().describe('Seconds between analysis ticks'),
  minSeconds: z.number().describe('Duration when every check passes at the first try and every gate is open'),
  maxSeconds: z.number().describe('Longest duration of a run that still succeeds: failed checks up to the threshold, gates and rollouts to their deadlines'),
  startedAt: timestamp.describe('When the run started (entered Progressing)'),
  expectedEnd: timestamp.describe('startedAt + minSeconds'),
  latestEnd: timestamp.describe('startedAt + maxSeconds'),
  revision: z.string().optional().describe('The revision under analysis (lastAppliedSpec) this plan is for'),
});

/** The release preview of the current run, as kept in status. */
export type PlanStatus = z.infer<typeof planStatusSchema>;

/** `status` of a Canary. Written only by the operator, through the status subresource. */
export const canaryStatusSchema = z.object({
  phase: canaryPhaseSchema.optional().describe('Analysis phase of this canary'),
  failedChecks: z.int().optional().describe('Failed checks of the current canary analysis'),
  canaryWeight: z.int().optional().describe('Traffic weight routed to the canary'),
  iterations: z.int().optional().describe('Completed iterations of the current analysis'),
  trackedConfigs: stringMap.optional().describe('Checksums of the tracked ConfigMaps and Secrets (configmap/<name>, secret/<name>)'),
  lastAppliedSpec: z.string().optional().describe('Hash of the target spec at the last sync'),
  lastPromotedSpec: z.string().optional().describe('Hash of the last promoted target spec'),
  lastTransitionTime: timestamp.optional().describe('Time of the last status change'),
  phaseStartTime: timestamp.optional().describe('Songbird extension. When the current phase began; the deadline of a waiting phase runs from it'),
  trafficHeldSince: timestamp.optional().describe('Songbird extension. When a closed confirm-traffic-increase gate began to hold the weight'),
  sessionAffinityCookie: z.string().optional().describe('Session affinity cookie of the current canary run'),
  primarySessionAffinityCookie: z.string().optional().describe('Primary session affinity cookie of the current canary run'),
  previousSessionAffinityCookie: z.string().optional().describe('Session affinity cookie of the previous canary run'),
  conditions: conditionsSchema.optional().describe('Status conditions: Promoted (as Flagger), and the kstatus conditions Ready, Reconciling and Stalled'),
  observedGeneration: z.int().optional().describe('Songbird extension. The spec generation this status describes'),
  trafficPending: z.object({
    weights: z.string().describe('The split waited for, primary/canary, e.g. "90/10"'),
    since: timestamp.describe('When the wait for this split began'),
    reason: z.string().describe('What the provider shows instead'),
    scaleDown: z.boolean().optional().describe('The target is scaled down once the split is applied (after a rollback)'),
  }).optional().describe('Songbird extension. Weights set but not yet applied by the provider (ALB); nothing advances or scales down meanwhile'),
  afterRun: z.object({
    scaleDown: z.boolean().optional().describe('The target is still to be scaled to zero'),
    postRollout: z.enum(['Succeeded', 'Failed']).optional().describe('The post-rollout webhooks are still to be called, with this phase'),
  }).optional().describe('Songbird extension. Work left when a run ended, saved with its outcome and done by the next tick, so that a crash cannot lose or repeat it'),
  lastMetricValues: z.record(z.string(), metricValueSchema).optional()
    .describe('Songbird extension. The last result of each metric check, by metric name'),
  plan: planStatusSchema.optional().describe('Songbird extension. The release preview of the current run, written when it starts'),
  lastAction: lastActionSchema.optional()
    .describe('Songbird extension. The answer to the last manual action request (annotation songbird.flagger.app/action)'),
  paused: pausedSchema.optional().describe('Songbird extension. The run is held by a manual pause or set-weight until resumed'),
  pendingAction: pendingActionSchema.optional()
    .describe('Songbird extension. An accepted manual promote, promote-full, abort or retry still being carried out'),
  lastFailedCheck: failedCheckSchema.optional()
    .describe('Songbird extension. The last check that failed in the current run; named by the Ready reason when the failed checks reach the threshold'),
});

/** `status` of a Canary. */
export type CanaryStatus = z.infer<typeof canaryStatusSchema>;
