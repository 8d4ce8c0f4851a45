/**
 * The JSON bodies Songbird POSTs to webhooks (spec §7.2): Flagger's `CanaryWebhookPayload`, checked against
 * the schema the load tester parses, so sender and receiver can never drift apart.
 *
 * Example: `{"name":"podinfo","namespace":"test","phase":"Progressing","checksum":"3f2a…","metadata":{"cmd":"hey …"}}`.
 */
import type { CanaryPhase } from '../api/canary-status.js';
import { webhookPayloadSchema, type WebhookPayload } from '../api/webhook-payload.js';
import { revisionChecksum } from '../core/revision.js';
import type { CanaryNotice } from '../telemetry/domain-events.js';

/**
 * What a payload is built from: a Canary, or just its name and namespace when the Canary is gone (a deleted
 * canary's last events). Every Canary is one.
 */
export interface PayloadSubject {
  metadata: { name: string; namespace?: string };
  status?: { phase?: CanaryPhase; trackedConfigs?: Record<string, string>; lastAppliedSpec?: string };
}

/**
 * The payload of a gate, rollout or rollback hook: name, namespace, the phase given, the revision checksum
 * (`revisionChecksum(status.trackedConfigs, status.lastAppliedSpec)`), and the hook's metadata, omitted when
 * empty. Metadata keys are sorted, as Go's `json.Marshal` sorts map keys. Throws when the canary has no
 * namespace (the schema requires one; a Canary read from the apiserver always has it).
 */
export function webhookPayload(canary: PayloadSubject, phase: CanaryPhase, metadata?: Readonly<Record<string, string>>): WebhookPayload {
  return buildPayload(canary, phase, metadata);
}

function buildPayload(canary: PayloadSubject, phase: string, metadata?: Readonly<Record<string, string>>): WebhookPayload {
  return webhookPayloadSchema.parse({
    name: canary.metadata.name,
    namespace: canary.metadata.namespace ?? '',
    phase,
    checksum: revisionChecksum(canary.status?.trackedConfigs, canary.status?.lastAppliedSpec),
    ...(metadata === undefined || Object.keys(metadata).length === 0 ? {} : { metadata: sortedKeys(metadata) }),
  });
}

/** Kubernetes Event type of a notice: `Normal` for info, `Warning` for warn and error (spec §9.1). */
export function eventType(notice: CanaryNotice): 'Normal' | 'Warning' {
  return notice.severity === 'info' ? 'Normal' : 'Warning';
}

/**
 * The payload of an `event` hook or the global event webhook: metadata `eventMessage`, `eventType`
 * (`Normal` | `Warning`) and `timestamp` (unix milliseconds as a string), plus the hook's own metadata,
 * which cannot override those three. The phase is the notice's (the phase after the tick), else the status's.
 *
 * Example: notice "Advance podinfo.test canary weight 10" at 1767225600000 with hook metadata `{ team: 'a' }`
 * → metadata `{ eventMessage: 'Advance …', eventType: 'Normal', team: 'a', timestamp: '1767225600000' }`.
 *
 * parity: Flagger pkg/controller/webhook.go CallEventWebhook, same keys and precedence.
 */
export function eventPayload(
  canary: PayloadSubject,
  notice: CanaryNotice,
  opts: { now: number; metadata?: Readonly<Record<string, string>> },
): WebhookPayload {
  return buildPayload(canary, notice.phase ?? canary.status?.phase ?? '', {
    ...opts.metadata,
    eventMessage: notice.message,
    eventType: eventType(notice),
    timestamp: String(Math.trunc(opts.now)),
  });
}

function sortedKeys(map: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
