import { runHooks } from '../../webhooks/gates.js';
import type { TickContext } from '../tick-context.js';
import { scaleTarget } from './lifecycle.js';

/**
 * The work a saved outcome left (status.afterRun), done in the ticks after it. Each part is cleared from the
 * status in the patch of the tick that did it, so it runs at least once per outcome and is repeated only
 * when that patch itself fails.
 */

/** Calls the post-rollout webhooks with the outcome's phase; a failure is reported, not retried. */
export async function runPostRollout(ctx: TickContext): Promise<void> {
  const phase = ctx.status.afterRun?.postRollout;
  if (phase === undefined) return;
  const result = await runHooks(ctx.deps.analysis.webhooks, ctx.canary, 'post-rollout', phase);
  if (!result.ok) ctx.notice('warn', `Post-rollout check ${result.hook} failed: ${result.reason}`);
  clear(ctx, 'postRollout');
}

/**
 * Scales the ended run's target to zero. Where the provider applies weights later (ALB) this runs only once
 * it shows all traffic on the primary, and says so.
 */
export async function scaleDownAfterRun(ctx: TickContext, waitedForRoutes: boolean): Promise<void> {
  await scaleTarget(ctx, 0);
  clear(ctx, 'scaleDown');
  if (waitedForRoutes) ctx.notice('info', `Traffic is all on the primary: scaling down ${ctx.canary.spec.targetRef.name}.${ctx.identity.namespace}`);
}

function clear(ctx: TickContext, part: 'postRollout' | 'scaleDown'): void {
  const rest = { ...ctx.status.afterRun };
  delete rest[part];
  if (Object.keys(rest).length === 0) delete ctx.status.afterRun;
  else ctx.status.afterRun = rest;
}
