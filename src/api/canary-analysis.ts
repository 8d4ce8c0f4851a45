/**
 * `spec.analysis` of a Canary (spec §1.3): schedule, strategy (iterations, stepWeight or stepWeights),
 * metric checks, webhooks and alerts. Songbird's extensions are optional, so Flagger manifests stay valid:
 * `metrics[].onNoData`, `webhooks[].headersSecretRef` and `canaryMatch` (canary-match.ts).
 */
import { z } from 'zod';
import { boundedStringMap, celRules, crossNamespaceRefSchema, durationString, secretRefSchema } from './common.js';
import { canaryMatchSchema } from './canary-match.js';
import { abMatchListSchema } from './istio-types.js';
import {
  durationAtMost, formatBound, maxAnalysisIntervalMs, maxChecks, maxCookieMaxAgeSeconds, maxMetricIntervalMs, maxNameLength, maxQueryLength,
  maxShortStringLength, maxWebhookRetries, maxWebhookTimeoutMs,
} from './limits.js';
import { analysisRules } from './rules.js';

/**
 * Upper bound on list lengths; keeps the CEL cost of per-item rules within the apiserver's budget.
 *
 * parity: Flagger artifacts/flagger/crd.yaml has no list limits; the apiserver estimates a rule's cost from
 * them, and no real Canary comes near 100 metrics, webhooks, alerts or steps.
 */
const maxListItems = 100;

/** The accepted range of a metric value; both ends inclusive. */
export const thresholdRangeSchema = z.object({
  min: z.number().optional().describe('Min value accepted for this metric'),
  max: z.number().optional().describe('Max value accepted for this metric'),
}).meta(celRules(analysisRules.thresholdRangeOrdered));

/** What a metric check does when its query returns no data (empty result or NaN). */
export const onNoDataSchema = z.enum(['fail', 'skip']);

/** What a metric check does when its query returns no data. */
export type OnNoData = z.infer<typeof onNoDataSchema>;

/** One metric check (`spec.analysis.metrics[]`). */
export const canaryMetricSchema = z.object({
  name: z.string().min(1).max(maxNameLength).describe('Name of the metric; request-success-rate and request-duration are built in'),
  interval: durationString.meta(celRules(durationAtMost('interval', formatBound(maxMetricIntervalMs)))).optional()
    .describe(`Interval of the query (default 1m, at most ${formatBound(maxMetricIntervalMs)})`),
  threshold: z.number().optional().describe('Deprecated: min for request-success-rate, max for the others'),
  thresholdRange: thresholdRangeSchema.optional().describe('Range accepted for this metric'),
  query: z.string().meta({ maxLength: maxQueryLength }).optional().describe('Deprecated: inline Prometheus query'),
  templateRef: crossNamespaceRefSchema.optional().describe('MetricTemplate reference'),
  templateVariables: boundedStringMap.optional().describe('Variables for the template query ({{ variables.<key> }})'),
  onNoData: onNoDataSchema.optional()
    .describe('Songbird extension. fail (default): no data or NaN fails the check; skip: the check neither passes nor fails for this tick'),
}).meta(celRules(analysisRules.metricHasSource));

/** One metric check. */
export type CanaryMetric = z.infer<typeof canaryMetricSchema>;

/** Webhook types; the empty string means `rollout`. */
export const webhookTypeSchema = z.enum([
  '', 'confirm-rollout', 'pre-rollout', 'rollout', 'confirm-promotion', 'post-rollout', 'event', 'rollback',
  'confirm-traffic-increase',
]);

/** Webhook type. */
export type WebhookType = z.infer<typeof webhookTypeSchema>;

/** One webhook (`spec.analysis.webhooks[]`), see spec §7. */
export const canaryWebhookSchema = z.object({
  name: z.string().min(1).meta({ maxLength: maxNameLength }).describe('Name of the webhook'),
  type: webhookTypeSchema.optional().describe('When the webhook is called (default rollout)'),
  url: z.string().min(1).max(2048).describe('URL the payload is POSTed to'),
  muteAlert: z.boolean().optional().describe('Mute the alerts of this webhook'),
  timeout: durationString.meta(celRules(durationAtMost('timeout', formatBound(maxWebhookTimeoutMs)))).optional()
    .describe(`Request timeout (default 10s, at most ${formatBound(maxWebhookTimeoutMs)})`),
  retries: z.int().min(0).meta({ maximum: maxWebhookRetries }).optional().describe(`Number of retries (default 0, at most ${maxWebhookRetries})`),
  disableTLS: z.boolean().optional().describe('Disable TLS certificate verification'),
  metadata: boundedStringMap.optional().describe('Metadata sent in the payload'),
  headersSecretRef: secretRefSchema.optional()
    .describe('Songbird extension. Secret in the Canary namespace whose keys and values are sent as request headers, e.g. Authorization'),
}).meta(celRules(analysisRules.webhookUrl));

/** One webhook. */
export type CanaryWebhook = z.infer<typeof canaryWebhookSchema>;

/** Alert severities; the empty string means `info`. */
export const alertSeveritySchema = z.enum(['', 'info', 'warn', 'error']);

/** Alert severity. */
export type AlertSeverity = z.infer<typeof alertSeveritySchema>;

/** One alert (`spec.analysis.alerts[]`), see spec §9.2. */
export const canaryAlertSchema = z.object({
  name: z.string().min(1).meta({ maxLength: maxNameLength }).describe('Name of this alert'),
  severity: alertSeveritySchema.optional().describe('info (default) receives everything, warn receives warn and error, error only error'),
  providerRef: crossNamespaceRefSchema.describe('AlertProvider reference'),
});

/** One alert. */
export type CanaryAlert = z.infer<typeof canaryAlertSchema>;

/** Sticky canary sessions (Istio and Gateway API). */
export const sessionAffinitySchema = z.object({
  cookieName: z.string().min(1).max(256).describe('Name of the cookie that pins a session to the canary'),
  primaryCookieName: z.string().min(1).max(256).optional().describe('Name of the cookie that pins a session to the primary'),
  domain: z.string().meta({ maxLength: maxShortStringLength }).optional().describe('Domain attribute of the cookie'),
  httpOnly: z.boolean().optional().describe('HttpOnly attribute of the cookie'),
  maxAge: z.int().min(0).meta({ maximum: maxCookieMaxAgeSeconds }).optional()
    .describe(`Max-Age of the canary cookie in seconds (default 86400, at most ${maxCookieMaxAgeSeconds})`),
  partitioned: z.boolean().optional().describe('Partitioned attribute of the cookie'),
  path: z.string().meta({ maxLength: maxShortStringLength }).optional().describe('Path attribute of the cookie'),
  sameSite: z.enum(['Strict', 'Lax', 'None']).optional().describe('SameSite attribute of the cookie'),
  secure: z.boolean().optional().describe('Secure attribute of the cookie'),
}).meta(celRules(analysisRules.cookieNamesDiffer));

/** Session affinity settings. */
export type SessionAffinity = z.infer<typeof sessionAffinitySchema>;

/**
 * parity: Flagger artifacts/flagger/crd.yaml types counts, weights and percentages as unbounded numbers; a
 * negative value or a percentage above 100 can never work, so admission rejects it here.
 */
const percent = z.int().min(0).max(100);

/**
 * A weight in percent, bounded at admission only: Flagger admits weights above 100 and caps them at 100,
 * which Songbird does too for stored objects (with a warning, validate-warnings.ts).
 */
const weight = z.int().min(0).meta({ maximum: 100 });

/** A number of checks, bounded at admission only (see limits.ts). */
const checks = z.int().min(0).meta({ maximum: maxChecks });

/**
 * `spec.analysis`. Exactly one of `iterations` (Blue/Green, or A/B with `match`), `stepWeight` or
 * `stepWeights` (progressive canary) must be set, as in Flagger's CRD.
 */
export const canaryAnalysisSchema = z.object({
  interval: durationString.meta(celRules(durationAtMost('interval', formatBound(maxAnalysisIntervalMs))))
    .describe(`Schedule interval of the analysis, e.g. 30s or 1m (minimum 10s, at most ${formatBound(maxAnalysisIntervalMs)})`),
  threshold: checks.describe(`Failed checks before rollback (values below 1 mean 1; at most ${maxChecks})`),
  iterations: checks.optional().describe(`Number of checks for A/B testing and Blue/Green (at most ${maxChecks})`),
  maxWeight: weight.optional().describe('Canary weight at which promotion starts (default 100)'),
  stepWeight: weight.optional().describe('Canary weight increment per successful check'),
  stepWeights: z.array(weight).max(maxListItems).optional()
    .meta(celRules(analysisRules.stepWeightsIncreasing)).describe('Explicit canary weight ladder'),
  stepWeightPromotion: weight.optional().describe('Primary weight increment during promotion (default: one step)'),
  mirror: z.boolean().optional().describe('Mirror traffic to the canary before shifting it'),
  mirrorWeight: percent.optional().describe('Percentage of traffic mirrored'),
  primaryReadyThreshold: percent.optional().describe('Percentage of primary pods that must be available (default 100)'),
  canaryReadyThreshold: percent.optional().describe('Percentage of canary pods that must be available (default 100)'),
  match: abMatchListSchema.optional().describe('A/B testing conditions'),
  canaryMatch: canaryMatchSchema.optional().describe(
    'Songbird extension. A header or cookie that always sends a request to the canary while the canary weight is above 0, '
    + 'and never while it is 0 (nor in Blue/Green before the switch); not with match',
  ),
  sessionAffinity: sessionAffinitySchema.optional().describe('Sticky canary sessions'),
  metrics: z.array(canaryMetricSchema).max(maxListItems).optional().describe('Metric checks'),
  webhooks: z.array(canaryWebhookSchema).max(maxListItems).optional().describe('Webhooks'),
  alerts: z.array(canaryAlertSchema).max(maxListItems).optional().describe('Alerts'),
}).meta(celRules(analysisRules.exactlyOneStrategy, analysisRules.canaryMatchWithoutAbMatch));

/** `spec.analysis` of a Canary. */
export type CanaryAnalysis = z.infer<typeof canaryAnalysisSchema>;
