/**
 * Gate endpoints (spec §8): `/gate/*` use the key `<name>.<namespace>`, `/rollback/*` the key
 * `rollback.<name>.<namespace>`. Checks answer 200 "Approved" or 403 "Forbidden"; open and close answer 202.
 * A gate store that cannot write answers 503 and changes nothing; opening past `--max-gates` answers 400.
 */
import type { WebhookPayload } from '../../../src/api/webhook-payload.js';
import { GateLimitError, maxReleaseLength } from '../gates/gate-records.js';
import { GateStoreError } from '../gates/gate-store.js';
import { text, type LtRequest, type LtResponse } from '../http/types.js';
import type { HandlerDeps } from './deps.js';
import { noteFinishedRelease, parsePayload } from './payload.js';

/** Which family of gates an endpoint works on. */
export type GateKind = 'gate' | 'rollback';

/** A request handler. */
export type Handler = (request: LtRequest, deps: HandlerDeps) => Promise<LtResponse>;

function gateKey(kind: GateKind, name: string, namespace: string): string {
  return kind === 'gate' ? `${name}.${namespace}` : `rollback.${name}.${namespace}`;
}

/**
 * Kubernetes' own limits on the names that make a gate key (a name is a DNS subdomain of at most 253
 * characters, a namespace a DNS label of at most 63), and {@link maxReleaseLength} on the checksum: they keep
 * every gate small, so `--max-gates` bounds the store's size.
 */
function oversizedField(payload: WebhookPayload): string | undefined {
  const limits: [string, string | undefined, number][] = [
    ['name', payload.name, 253],
    ['namespace', payload.namespace, 63],
    ['checksum', payload.checksum, maxReleaseLength],
  ];
  const over = limits.find(([, value, max]) => value !== undefined && value.length > max);
  return over === undefined ? undefined : `${over[0]} is longer than ${over[2]} characters`;
}

/** The answer to a gate store failure: 400 for the gate limit, 503 when the store failed; others rethrown. */
export function gateFailure(error: unknown): LtResponse {
  if (error instanceof GateLimitError) return text(400, error.message);
  if (error instanceof GateStoreError) return { ...text(503, error.message), headers: { 'Retry-After': '5' } };
  throw error;
}

function gateHandler(work: (payload: WebhookPayload, deps: HandlerDeps) => Promise<LtResponse>): Handler {
  return async (request, deps) => {
    const parsed = parsePayload(request.body, deps.namespacePattern);
    if (!parsed.ok) return parsed.response;
    const oversized = oversizedField(parsed.payload);
    if (oversized !== undefined) return text(400, `invalid webhook payload: ${oversized}`);
    return work(parsed.payload, deps).catch(gateFailure);
  };
}

/** `/gate/check`, `/rollback/check`. */
export function checkGate(kind: GateKind): Handler {
  return gateHandler(async (payload, deps) => {
    const { name, namespace, checksum } = payload;
    await noteFinishedRelease(payload, deps.gates);
    const key = gateKey(kind, name, namespace);
    const approved = await deps.gates.isOpen(key, checksum);
    deps.metrics.gateChecked(kind, approved);
    deps.logger.info({ gate: key, approved }, `${kind} check`);
    return approved ? text(200, 'Approved') : text(403, 'Forbidden');
  });
}

/** `/gate/open`, `/gate/close`, `/rollback/open`, `/rollback/close`. */
export function setGate(kind: GateKind, open: boolean): Handler {
  return gateHandler(async (payload, deps) => {
    const key = gateKey(kind, payload.name, payload.namespace);
    if (open) await deps.gates.open(key);
    else await deps.gates.close(key);
    const verb = open ? 'opened' : 'closed';
    deps.logger.info({ gate: key }, `${kind} ${verb}`);
    return text(202, `${kind} ${key} ${verb}`);
  });
}

/** `/gate/approve`: always approves. */
export const approve: Handler = () => Promise.resolve(text(200, 'OK'));

/** `/gate/halt`: always refuses. */
export const halt: Handler = () => Promise.resolve(text(403, 'Forbidden'));
