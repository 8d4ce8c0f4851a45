/**
 * Gate endpoints (spec §8): `/gate/*` use the key `<name>.<namespace>`, `/rollback/*` the key
 * `rollback.<name>.<namespace>`. Checks answer 200 "Approved" or 403 "Forbidden"; open and close answer 202.
 */
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

/** `/gate/check`, `/rollback/check`. */
export function checkGate(kind: GateKind): Handler {
  return async (request, deps) => {
    const parsed = parsePayload(request.body, deps.namespacePattern);
    if (!parsed.ok) return parsed.response;
    const { name, namespace, checksum } = parsed.payload;
    await noteFinishedRelease(parsed.payload, deps.gates);
    const key = gateKey(kind, name, namespace);
    const approved = await deps.gates.isOpen(key, checksum);
    deps.metrics.gateChecked(kind, approved);
    deps.logger.info({ gate: key, approved }, `${kind} check`);
    return approved ? text(200, 'Approved') : text(403, 'Forbidden');
  };
}

/** `/gate/open`, `/gate/close`, `/rollback/open`, `/rollback/close`. */
export function setGate(kind: GateKind, open: boolean): Handler {
  return async (request, deps) => {
    const parsed = parsePayload(request.body, deps.namespacePattern);
    if (!parsed.ok) return parsed.response;
    const key = gateKey(kind, parsed.payload.name, parsed.payload.namespace);
    if (open) await deps.gates.open(key);
    else await deps.gates.close(key);
    const verb = open ? 'opened' : 'closed';
    deps.logger.info({ gate: key }, `${kind} ${verb}`);
    return text(202, `${kind} ${key} ${verb}`);
  };
}

/** `/gate/approve`: always approves. */
export const approve: Handler = () => Promise.resolve(text(200, 'OK'));

/** `/gate/halt`: always refuses. */
export const halt: Handler = () => Promise.resolve(text(403, 'Forbidden'));
