import { z } from 'zod';
import { webhookPayloadSchema, type WebhookPayload } from '../../../src/api/webhook-payload.js';
import type { GateStore } from '../gates/gate-store.js';
import { text, type LtResponse } from '../http/types.js';

/** A payload, or the answer refusing the request. */
export type PayloadResult = { ok: true; payload: WebhookPayload } | { ok: false; response: LtResponse };

/**
 * Parses a webhook payload (400 with the reason when the body is not JSON or not a payload) and applies the
 * namespace allow-list (403), in that order, as Flagger's authorizer does after decoding.
 */
export function parsePayload(body: Buffer, namespacePattern: RegExp | undefined): PayloadResult {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch (error) {
    // Deeply nested JSON can overflow the stack: a RangeError is still just a bad body.
    return { ok: false, response: text(400, `invalid JSON body: ${(error as Error).message}`) };
  }
  const parsed = webhookPayloadSchema.safeParse(json);
  if (!parsed.success) return { ok: false, response: text(400, `invalid webhook payload: ${z.prettifyError(parsed.error)}`) };
  const { namespace } = parsed.data;
  if (namespacePattern !== undefined && !namespacePattern.test(namespace)) {
    return { ok: false, response: text(403, `namespace ${namespace} is not allowed by --namespace-regexp`) };
  }
  return { ok: true, payload: parsed.data };
}

/** Phases in which a release is over (spec §7.3: post-rollout and event hooks carry them). */
const finishedPhases = new Set(['Succeeded', 'Failed']);

/**
 * Tells the gate store when a payload says the canary's release finished, so that `--gate-auto-close`
 * closes its gates (for example when the canary's post-rollout webhook points at the load tester).
 */
export async function noteFinishedRelease(payload: WebhookPayload, gates: GateStore): Promise<void> {
  if (payload.phase === undefined || !finishedPhases.has(payload.phase)) return;
  const { name, namespace } = payload;
  await gates.releaseFinished([`${name}.${namespace}`, `rollback.${name}.${namespace}`]);
}
