/**
 * What a manual action request does, decided from the phase of the run: pure, so that every verb × phase is a
 * unit test. The reconciler reads the request (annotation `songbird.flagger.app/action`), passes it here with
 * the facts, writes the answer in `status.lastAction` in the tick's one status patch and carries out the
 * effect (see reconciler/manual-action.ts). Verbs:
 *
 * - `promote`: the rest of the analysis (checks and weight steps) is skipped and the run goes to promotion; the
 *   promotion's own mechanics still apply (confirm-promotion gates, stepWeightPromotion traffic steps, the
 *   primary's rollout).
 * - `promote-full`: promotion at once: no confirm-promotion gate, and all traffic back to the primary in one
 *   step (also accepted while Promoting, to skip the remaining stepWeightPromotion steps).
 * - `abort`: roll back now; the reason lands in the Ready condition (reason `Aborted`) and the events.
 * - `retry`: a new run of the same revision after a Failed run.
 * - `pause` / `resume`: the run holds: no weight change, no check run or counted, no deadline expires (on
 *   resume the clocks of the waits are moved on by the time paused). A newer revision restarts the run
 *   unpaused.
 * - `set-weight N`: the canary weight moves to N (0..maxWeight, canary strategy only) and the run holds there,
 *   paused, until `resume`, which goes on stepping from N.
 *
 * parity: Flagger has no manual control; users edit the spec or gate the run with load tester webhooks.
 */
import type { CanaryPhase } from '../api/canary-status.js';
import type { DeploymentStrategy } from '../api/defaults.js';
import type { ActionRequest, ActionVerb, ParsedAction, PendingAction, Paused } from '../api/manual-action.js';

/** What the decision needs to know about the run. */
export interface ActionFacts {
  /** The annotation as read. */
  action: ParsedAction;
  /** `status.lastAction.id`: a request answered already is never applied again. */
  lastActionId: string | undefined;
  phase: CanaryPhase;
  suspended: boolean;
  /** The spec cannot be acted on (see the Stalled condition). */
  stalled: boolean;
  /** A revision was promoted once (a Canary that failed its initialization has no run to retry). */
  initialized: boolean;
  paused: Paused | undefined;
  pending: PendingAction | undefined;
  strategy: DeploymentStrategy;
  routesTraffic: boolean;
  maxWeight: number;
  weight: number;
}

/** What an accepted action changes in status; the analysis carries it out from there. */
export type ActionEffect =
  | { kind: 'pause'; weight?: number }
  | { kind: 'resume' }
  | { kind: 'pending'; pending: PendingAction };

/** The answer to a request. */
export type ActionDecision =
  | { kind: 'none' }
  | { kind: 'refused'; id: string; verb: string; message: string }
  | { kind: 'accepted'; id: string; verb: ActionVerb; message: string; effect: ActionEffect };

const ANALYSING: ReadonlySet<CanaryPhase> = new Set<CanaryPhase>(['Progressing', 'WaitingPromotion']);

/**
 * The answer to the request in `facts.action`: none when it was answered already, else accepted with its
 * effect or refused with the reason.
 *
 * Example: `promote` while Succeeded ⇒ refused "there is no run to promote: the canary is Succeeded".
 */
export function decideAction(facts: ActionFacts): ActionDecision {
  const { action } = facts;
  const id = action.ok ? action.request.id : action.id;
  if (id === facts.lastActionId) return { kind: 'none' };
  if (!action.ok) return { kind: 'refused', id, verb: action.verb, message: action.message };
  const { request } = action;
  const { verb } = request;
  const refusal = standingRefusal(facts) ?? refusalOf(facts, request);
  if (refusal !== undefined) return { kind: 'refused', id, verb, message: `${verb} refused: ${refusal}` };
  return { kind: 'accepted', id, verb, message: `${verb} accepted: ${acceptedMessage(facts, request)}`, effect: effectOf(request) };
}

type Refusal = string | undefined;

// A canary that is suspended or stalled does nothing, so it can be asked nothing.
function standingRefusal(f: ActionFacts): Refusal {
  if (f.suspended) return 'the canary is suspended (spec.suspend: true)';
  return f.stalled ? 'the spec cannot be acted on: see the Stalled condition' : undefined;
}

function refusalOf(f: ActionFacts, request: ActionRequest): Refusal {
  switch (request.verb) {
    case 'promote': return promoteRefusal(f, false);
    case 'promote-full': return promoteRefusal(f, true);
    case 'abort': return abortRefusal(f);
    case 'retry': return retryRefusal(f);
    case 'pause': return pauseRefusal(f);
    case 'resume': return f.paused === undefined ? notPaused(f.phase) : undefined;
    case 'set-weight': return setWeightRefusal(f, request.weight ?? 0);
  }
}

function noRun(what: string, phase: CanaryPhase): string {
  return `there is no run to ${what}: the canary is ${phase === '' ? 'not initialized' : phase}`;
}

function busyWith(pending: PendingAction | undefined): Refusal {
  if (pending === undefined) return undefined;
  return `${pending.verb === 'abort' ? 'an abort' : `a ${pending.verb}`} (request ${pending.id}) is being carried out`;
}

function promoteRefusal(f: ActionFacts, full: boolean): Refusal {
  if (full && f.phase === 'Promoting') return promotingFullRefusal(f.pending);
  if (f.phase === 'Promoting' || f.phase === 'Finalising') return 'the promotion is under way already';
  if (!ANALYSING.has(f.phase)) return noRun('promote', f.phase);
  // promote-full may overtake a promote still waiting for its gate; nothing overtakes an abort.
  return full && f.pending?.verb === 'promote' ? undefined : busyWith(f.pending);
}

// promote-full while Promoting skips the remaining stepWeightPromotion steps, once.
function promotingFullRefusal(pending: PendingAction | undefined): Refusal {
  return pending?.verb === 'promote-full' ? busyWith(pending) : undefined;
}

function abortRefusal(f: ActionFacts): Refusal {
  if (f.phase === 'Promoting' || f.phase === 'Finalising') return 'the promotion is under way: the primary runs the new revision already';
  if (f.phase === 'Waiting') return 'the run has not started: it waits for its confirm-rollout gate';
  if (!ANALYSING.has(f.phase)) return noRun('abort', f.phase);
  return f.pending?.verb === 'abort' ? busyWith(f.pending) : undefined;
}

function retryRefusal(f: ActionFacts): Refusal {
  if (f.phase !== 'Failed') return `retry needs a Failed run: the canary is ${f.phase === '' ? 'not initialized' : f.phase}`;
  if (!f.initialized) return 'the canary failed its initialization: there is no run to retry (fix the primary)';
  return busyWith(f.pending);
}

function pauseRefusal(f: ActionFacts): Refusal {
  if (f.phase === 'Promoting' || f.phase === 'Finalising') return 'the promotion is under way and cannot be paused';
  if (!ANALYSING.has(f.phase)) return noRun('pause', f.phase);
  if (f.paused !== undefined) return `the run is paused already (since ${f.paused.since}, request ${f.paused.id})`;
  return busyWith(f.pending);
}

function notPaused(phase: CanaryPhase): string {
  return `the run is not paused (the canary is ${phase === '' ? 'not initialized' : phase})`;
}

function setWeightRefusal(f: ActionFacts, weight: number): Refusal {
  if (f.strategy !== 'canary' || !f.routesTraffic) {
    return `set-weight applies to the canary strategy: this Canary runs ${f.routesTraffic ? f.strategy : 'blue-green without traffic routing'}, where no weights are set`;
  }
  if (f.phase !== 'Progressing') return f.phase === 'WaitingPromotion' ? 'the run waits for promotion at maxWeight' : noRun('set the weight of', f.phase);
  if (weight < 0 || weight > f.maxWeight) return `weight ${weight} is outside 0..${f.maxWeight} (analysis.maxWeight)`;
  return busyWith(f.pending);
}

function effectOf(request: ActionRequest): ActionEffect {
  const { verb, id, weight, reason } = request;
  switch (verb) {
    case 'pause': return { kind: 'pause' };
    case 'set-weight': return { kind: 'pause', weight: weight ?? 0 };
    case 'resume': return { kind: 'resume' };
    default: return { kind: 'pending', pending: { id, verb, ...(reason === undefined ? {} : { reason }) } };
  }
}

const ACCEPTED: Record<ActionVerb, (f: ActionFacts, request: ActionRequest) => string> = {
  promote: () => 'the rest of the analysis is skipped; the run goes on to promotion',
  'promote-full': () => 'the primary is promoted now and all traffic goes back to it at once',
  abort: (_, r) => `rolling back${r.reason === undefined || r.reason === '' ? '' : `: ${r.reason}`}`,
  retry: () => 'a new run of the same revision starts',
  pause: (f) => `the run holds at weight ${f.weight} until resumed`,
  resume: (f) => `the run goes on from weight ${f.weight}`,
  'set-weight': (_, r) => `the canary weight moves to ${r.weight ?? 0} and holds there until resumed`,
};

function acceptedMessage(f: ActionFacts, request: ActionRequest): string {
  return ACCEPTED[request.verb](f, request);
}

/**
 * A wait's start moved on by the time a run was paused, so that no deadline runs while paused.
 *
 * Example: a confirm-promotion wait since 10:00:00, paused from 10:05:00 to 10:35:00 ⇒ it now counts from
 * 10:30:00, and 5 minutes of its deadline have passed, as before the pause.
 */
export function resumedWaitStart(waitStart: number, pausedSince: number, now: number): number {
  if (Number.isNaN(waitStart) || Number.isNaN(pausedSince)) return waitStart;
  return waitStart + Math.max(0, now - pausedSince);
}
