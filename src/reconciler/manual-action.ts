import { maxWeight } from '../api/defaults.js';
import { ACTION_ANNOTATION, parseActionAnnotation } from '../api/manual-action.js';
import { decideAction, resumedWaitStart, type ActionDecision, type ActionEffect } from '../core/manual-action.js';
import { formatTime } from '../api/conditions.js';
import { runStrategy } from './steps/analysis-facts.js';
import type { TickContext } from './tick-context.js';

/**
 * Answers the manual action request in the Canary's `songbird.flagger.app/action` annotation, once per request
 * id: the answer goes into the draft status (`status.lastAction`, saved with the tick's one status patch) and
 * into an event (`ActionAccepted`, or `ActionRefused` as a Warning) sent only once the patch is saved. The
 * annotation itself is never touched: it is the user's request, and a GitOps tool applying the user's
 * manifest then has nothing of ours to revert. What the action does is decided by `decideAction` (pure).
 */
export function answerManualAction(ctx: TickContext, stalled: boolean): void {
  const value = ctx.raw.metadata.annotations?.[ACTION_ANNOTATION];
  if (value === undefined || ctx.raw.metadata.deletionTimestamp !== undefined) return;
  const decision = decideAction({
    action: parseActionAnnotation(value),
    lastActionId: ctx.status.lastAction?.id,
    phase: ctx.phase,
    suspended: ctx.canary.spec.suspend === true,
    stalled,
    initialized: ctx.status.lastPromotedSpec !== undefined,
    paused: ctx.status.paused,
    pending: ctx.status.pendingAction,
    // A stalled canary may name a provider that is not implemented: its table entry is not read.
    strategy: stalled ? 'canary' : runStrategy(ctx),
    routesTraffic: !stalled && ctx.providerInfo.routesTraffic,
    maxWeight: maxWeight(ctx.canary),
    weight: ctx.status.canaryWeight ?? 0,
  });
  if (decision.kind === 'none') return;
  acknowledge(ctx, decision);
  if (decision.kind === 'accepted') carryOut(ctx, decision.id, decision.effect);
}

function acknowledge(ctx: TickContext, decision: Exclude<ActionDecision, { kind: 'none' }>): void {
  const accepted = decision.kind === 'accepted';
  ctx.status.lastAction = { id: decision.id, verb: decision.verb, outcome: accepted ? 'Accepted' : 'Refused', message: decision.message, time: ctx.timestamp };
  ctx.notices.push({
    canary: ctx.identity, severity: accepted ? 'info' : 'warn', phase: ctx.phase,
    message: `${ctx.displayName} ${decision.message} (request ${decision.id})`, reason: accepted ? 'ActionAccepted' : 'ActionRefused',
  });
}

// The effect is recorded in status, where the decisions of this tick and the next ones find it.
function carryOut(ctx: TickContext, id: string, effect: ActionEffect): void {
  switch (effect.kind) {
    case 'pause':
      ctx.status.paused = { since: ctx.status.paused?.since ?? ctx.timestamp, id, ...(effect.weight === undefined ? {} : { weight: effect.weight }) };
      ctx.actNow = effect.weight !== undefined;
      return;
    case 'resume':
      resume(ctx);
      return;
    case 'pending':
      ctx.status.pendingAction = effect.pending;
      // promote and abort end a pause; retry is the tick's (next-step.ts) and needs no analysis.
      if (effect.pending.verb !== 'retry') delete ctx.status.paused;
      ctx.actNow = effect.pending.verb !== 'retry';
  }
}

// The waits' clocks move on by the time paused: no deadline ran while the run was held.
function resume(ctx: TickContext): void {
  const since = Date.parse(ctx.status.paused?.since ?? '');
  delete ctx.status.paused;
  const moved = (time: string | undefined): string | undefined =>
    time === undefined ? undefined : formatTime(new Date(resumedWaitStart(Date.parse(time), since, ctx.now)));
  const phaseStartTime = moved(ctx.status.phaseStartTime);
  const trafficHeldSince = moved(ctx.status.trafficHeldSince);
  if (phaseStartTime !== undefined) ctx.status.phaseStartTime = phaseStartTime;
  if (trafficHeldSince !== undefined) ctx.status.trafficHeldSince = trafficHeldSince;
}
