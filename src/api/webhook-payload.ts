/**
 * Flagger's webhook payload (`flagger.app/v1beta1` CanaryWebhookPayload), shared by the operator, which sends
 * it, and the load tester, which receives it.
 *
 * Shape (spec §7.2): `{"name", "namespace", "phase", "checksum", "metadata": {<string map>}}`; Flagger omits
 * `metadata` when it is empty, and operators open gates by posting only `{"name", "namespace"}`.
 */
import { z } from 'zod';

/**
 * Schema of one webhook payload. `name` and `namespace` are required and non-empty (they key gates and load
 * tests); `phase` and `checksum` are optional because gate-flipping requests carry neither; every metadata
 * value is a string, as in Flagger's `map[string]string`. Unknown top-level keys are ignored, like Go's
 * `json.Unmarshal` does.
 */
export const webhookPayloadSchema = z.object({
  name: z.string().min(1, 'name must be a non-empty string'),
  namespace: z.string().min(1, 'namespace must be a non-empty string'),
  phase: z.string().optional(),
  checksum: z.string().optional(),
  metadata: z.record(z.string(), z.string()).optional(),
});

/** A parsed webhook payload. */
export type WebhookPayload = z.infer<typeof webhookPayloadSchema>;
