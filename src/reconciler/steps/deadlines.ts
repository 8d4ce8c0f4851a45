import { overdueMessage, overdueReason, type Wait } from '../../core/deadlines.js';
import type { Readiness } from '../../core/readiness.js';
import type { TickContext } from '../tick-context.js';

/**
 * A wait that never started a run ended on its deadline: Failed, with the reason in the Ready condition,
 * one event and one alert. Nothing in the cluster changes: no traffic moved and no run scaled anything up.
 */
function failWait(ctx: TickContext, wait: Wait, message: string): void {
  ctx.setPhase('Failed');
  ctx.report = { reason: overdueReason(wait), message, severity: 'error' };
  ctx.notice('error', message, true);
}

/**
 * The primary did not become ready within the progress deadline of the initialization. The target keeps
 * all its replicas and the apex Service is not created yet, so clients keep their endpoints; the canary goes
 * on waiting for the primary and is initialized as soon as it is ready (see next-step.ts).
 */
export function failInitialization(ctx: TickContext, primary: Readiness | 'missing'): Promise<void> {
  const why = primary === 'missing' ? 'it was not created' : primary.ready ? 'it became ready too late' : primary.reason;
  const target = `${ctx.canary.spec.targetRef.name}.${ctx.identity.namespace}`;
  failWait(ctx, 'initialization', `Initialization of ${ctx.displayName} failed, ${overdueMessage('initialization', ctx.deadlines)}: ${why}; ${target} keeps serving`);
  return Promise.resolve();
}

/**
 * The confirm-rollout gate stayed closed past the approval deadline. The revision is recorded as seen (in
 * the same patch that writes Failed), so it does not wait again; a newer revision asks the gate again.
 */
export function failWaiting(ctx: TickContext): Promise<void> {
  const revision = ctx.revision;
  if (revision === undefined) throw new Error('revision not loaded');
  Object.assign(ctx.status, { lastAppliedSpec: revision.hash, trackedConfigs: revision.checksums });
  failWait(ctx, 'confirm-rollout', `Canary ${ctx.displayName} failed, ${overdueMessage('confirm-rollout', ctx.deadlines)}; the new revision was not started`);
  return Promise.resolve();
}
