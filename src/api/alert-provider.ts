/**
 * The `AlertProvider` kind of `flagger.app/v1beta1` (spec §1.7): a chat service that receives canary alerts.
 */
import { z } from 'zod';
import { celRules, conditionsSchema, objectMetaSchema, secretRefSchema, shortString, typeMetaShape } from './common.js';
import { maxUrlLength } from './limits.js';

/** A URL, bounded at admission. */
const url = z.string().meta({ maxLength: maxUrlLength });
import { alertProviderRules } from './rules.js';

/**
 * Alert provider types. Every value is admitted; one the operator does not implement yet is reported as a
 * Stalled condition naming it (see `validate.ts`).
 */
export const alertProviderTypeSchema = z.enum(['slack', 'msteams', 'discord', 'rocket', 'gchat']);

/** An alert provider type. */
export type AlertProviderType = z.infer<typeof alertProviderTypeSchema>;

/**
 * `spec` of an AlertProvider. The hook URL comes from `address` or from the `address` key of `secretRef`
 * (which wins when both are set).
 *
 * parity: Flagger artifacts/flagger/crd.yaml uses `oneOf` (type+address | type+secretRef), which rejects a
 * spec that sets both although Flagger's code handles that case (the Secret wins); Songbird requires at
 * least one of them.
 */
export const alertProviderSpecSchema = z.object({
  type: alertProviderTypeSchema.describe('Type of this provider'),
  channel: shortString.optional().describe('Alert channel (default general)'),
  username: shortString.optional().describe('Bot user name (default flagger)'),
  address: url.optional().describe('Hook URL of this provider'),
  proxy: url.optional().describe('HTTP(S) proxy for this provider'),
  secretRef: secretRefSchema.optional().describe('Secret with the keys address (hook URL) and optional token'),
}).meta(celRules(alertProviderRules.addressOrSecret));

/** `spec` of an AlertProvider. */
export type AlertProviderSpec = z.infer<typeof alertProviderSpecSchema>;

/** `status` of an AlertProvider (present for Flagger compatibility). */
export const alertProviderStatusSchema = z.object({
  conditions: conditionsSchema.optional().describe('Status conditions'),
});

/** A `flagger.app/v1beta1` AlertProvider object. */
export const alertProviderSchema = z.object({
  ...typeMetaShape,
  metadata: objectMetaSchema,
  spec: alertProviderSpecSchema.describe('The chat service and where to post'),
  status: alertProviderStatusSchema.optional().describe('Observed state'),
}).describe('AlertProvider is a chat service that receives canary alerts');

/** An AlertProvider. */
export type AlertProvider = z.infer<typeof alertProviderSchema>;
