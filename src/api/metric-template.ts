/**
 * The `MetricTemplate` kind of `flagger.app/v1beta1` (spec §1.6): a query against a metrics provider,
 * rendered per check with the canary's variables (`{{ namespace }}`, `{{ target }}`, `{{ interval }}` …).
 */
import { z } from 'zod';
import { conditionsSchema, objectMetaSchema, secretRefSchema, shortString, typeMetaShape } from './common.js';
import { maxMapEntries, maxMapValueLength, maxQueryLength, maxUrlLength } from './limits.js';

/** Values of one provider header; a header repeated more often than this is a mistake. */
const maxHeaderValues = 16;

/**
 * Metrics providers. Every value is admitted; one the operator does not implement yet is reported as a
 * Stalled condition naming it (see `validate.ts`).
 *
 * parity: Flagger pkg/metrics/providers/factory.go falls back to Prometheus with a warning on an unknown
 * type; Songbird never substitutes a provider.
 */
export const metricProviderTypeSchema = z.enum([
  'prometheus', 'influxdb', 'datadog', 'externalmetrics', 'stackdriver', 'cloudwatch', 'newrelic', 'graphite',
  'dynatrace', 'keptn', 'splunk',
]);

/** A metrics provider type. */
export type MetricProviderType = z.infer<typeof metricProviderTypeSchema>;

/** `spec.provider` of a MetricTemplate. */
export const metricProviderSchema = z.object({
  type: metricProviderTypeSchema.describe('Type of this provider'),
  address: z.string().meta({ maxLength: maxUrlLength }).optional().describe('API address of this provider'),
  headers: z.record(z.string(), z.array(z.string().meta({ maxLength: maxMapValueLength })).meta({ maxItems: maxHeaderValues }))
    .meta({ maxProperties: maxMapEntries }).optional().describe('Headers added to every HTTP(S) request'),
  secretRef: secretRefSchema.optional().describe('Secret in the template namespace holding the provider credentials'),
  region: shortString.optional().describe('Region of the provider (CloudWatch)'),
  insecureSkipVerify: z.boolean().optional().describe('Disable TLS certificate verification for the provider address'),
});

/** `spec.provider` of a MetricTemplate. */
export type MetricProvider = z.infer<typeof metricProviderSchema>;

/** `spec` of a MetricTemplate. */
export const metricTemplateSpecSchema = z.object({
  provider: metricProviderSchema.describe('Provider of this metric template'),
  query: z.string().min(1).meta({ maxLength: maxQueryLength }).describe('Query template, e.g. sum(rate(x{namespace="{{ namespace }}"}[{{ interval }}]))'),
});

/** `spec` of a MetricTemplate. */
export type MetricTemplateSpec = z.infer<typeof metricTemplateSpecSchema>;

/** `status` of a MetricTemplate (present for Flagger compatibility). */
export const metricTemplateStatusSchema = z.object({
  conditions: conditionsSchema.optional().describe('Status conditions'),
});

/** A `flagger.app/v1beta1` MetricTemplate object. */
export const metricTemplateSchema = z.object({
  ...typeMetaShape,
  metadata: objectMetaSchema,
  spec: metricTemplateSpecSchema.describe('The provider and the query template'),
  status: metricTemplateStatusSchema.optional().describe('Observed state'),
}).describe('MetricTemplate is a query against a metrics provider used by canary analysis');

/** A MetricTemplate. */
export type MetricTemplate = z.infer<typeof metricTemplateSchema>;
