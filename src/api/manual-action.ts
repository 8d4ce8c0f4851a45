/**
 * Manual control of a run: the request a user writes in the Canary annotation `songbird.flagger.app/action`
 * (JSON) and the acknowledgement the operator writes in `status.lastAction`. The annotation is the request and
 * the status is the answer: the operator never edits or removes the annotation, so a GitOps tool that applies
 * the user's manifest (which does not carry it) sees no difference to undo.
 * parity: Flagger has no manual promote or abort; users edit the spec or gate the run with load tester webhooks.
 */
import { z } from 'zod';
import { timestamp } from './common.js';

/** The annotation that carries a manual action request. */
export const ACTION_ANNOTATION = 'songbird.flagger.app/action';

/** The verbs of a manual action. */
export const actionVerbSchema = z.enum(['promote', 'promote-full', 'abort', 'retry', 'pause', 'resume', 'set-weight']);

/** A verb of a manual action. */
export type ActionVerb = z.infer<typeof actionVerbSchema>;

/** Longest request id and reason kept (they land in status, conditions and events). */
const maxIdLength = 128;
const maxReasonLength = 512;

/** The JSON value of the annotation, e.g. `{"id":"a1b2","verb":"set-weight","weight":20}`. */
export const actionRequestSchema = z.object({
  id: z.string().min(1).max(maxIdLength).describe('A unique id of the request; a request whose id was answered already is not applied again'),
  verb: actionVerbSchema,
  weight: z.int().optional().describe('set-weight: the canary weight to move to and hold'),
  reason: z.string().max(maxReasonLength).optional().describe('abort: why, shown in the Ready condition and the events'),
}).refine((r) => r.verb !== 'set-weight' || r.weight !== undefined, { message: 'set-weight needs a weight', path: ['weight'] });

/** A manual action request. */
export type ActionRequest = z.infer<typeof actionRequestSchema>;

/** The annotation as read: a request, or why it is not one (with an id so that it is answered once). */
export type ParsedAction = { ok: true; request: ActionRequest } | { ok: false; id: string; verb: string; message: string };

/**
 * Reads the annotation's value. A value that is not a valid request is answered with a refusal that names the
 * field; its id is the request's own when it has one, else a hash of the value, so the same bad value is
 * refused once and a corrected one is answered anew.
 *
 * Example: `{"id":"r1","verb":"jump"}` ⇒ `{ ok: false, id: 'r1', message: 'verb: expected one of "promote"|…' }`.
 */
export function parseActionAnnotation(value: string): ParsedAction {
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch (error) {
    return invalid(value, json, `the ${ACTION_ANNOTATION} annotation is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = actionRequestSchema.safeParse(json);
  if (parsed.success) return { ok: true, request: parsed.data };
  const problems = parsed.error.issues.map((i) => `${i.path.length === 0 ? '(value)' : i.path.join('.')}: ${i.message}`);
  return invalid(value, json, `the ${ACTION_ANNOTATION} annotation is not a valid action: ${problems.join('; ')}`);
}

function invalid(value: string, json: unknown, message: string): ParsedAction {
  const fields = typeof json === 'object' && json !== null ? json as Record<string, unknown> : {};
  const ownId = typeof fields.id === 'string' && fields.id !== '' && fields.id.length <= maxIdLength ? fields.id : undefined;
  const verb = typeof fields.verb === 'string' ? fields.verb.slice(0, 32) : '';
  return { ok: false, id: ownId ?? `invalid-${fnv1a(value)}`, verb, message };
}

// FNV-1a, 32 bits, as 8 hex digits: a short stable name for a value without an id (not a security hash).
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/** Whether the operator carried out a request. */
export const actionOutcomeSchema = z.enum(['Accepted', 'Refused']);

/** `status.lastAction`: the answer to the last request seen. */
export const lastActionSchema = z.object({
  id: z.string().describe('The request id answered'),
  verb: z.string().describe('The verb requested'),
  outcome: actionOutcomeSchema.describe('Accepted or Refused'),
  message: z.string().describe('What the operator does, or why it refused'),
  time: timestamp.describe('When the request was answered'),
});

/** `status.lastAction`. */
export type LastAction = z.infer<typeof lastActionSchema>;

/** `status.paused`: a run held by `pause` or `set-weight` until `resume`. */
export const pausedSchema = z.object({
  since: timestamp.describe('When the run was paused'),
  id: z.string().describe('The request that paused it'),
  weight: z.int().optional().describe('set-weight: the canary weight held'),
});

/** `status.paused`. */
export type Paused = z.infer<typeof pausedSchema>;

/** `status.pendingAction`: an accepted promote, promote-full, abort or retry not yet carried out to its end. */
export const pendingActionSchema = z.object({
  id: z.string().describe('The request being carried out'),
  verb: z.enum(['promote', 'promote-full', 'abort', 'retry']),
  reason: z.string().optional().describe('abort: the reason given'),
});

/** `status.pendingAction`. */
export type PendingAction = z.infer<typeof pendingActionSchema>;
