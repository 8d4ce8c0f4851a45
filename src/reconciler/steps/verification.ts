import { progressDeadlineSeconds } from '../../api/defaults.js';
import type { RoutesState } from '../../core/analysis.js';
import type { TickContext } from '../tick-context.js';

/**
 * Asks the provider whether the split the router holds is in force, once per tick. While it is not, the
 * status says which split is awaited since when and what the provider shows (`status.trafficPending`), the
 * Ready condition carries the reason, and an event is emitted when the reason changes; past the progress
 * deadline the answer is `overdue`. Example: waiting since 10:00:00 with a 600 s deadline is overdue from
 * 10:10:01 on.
 */
export async function verifyTraffic(ctx: TickContext): Promise<RoutesState> {
  if (ctx.routes !== undefined) return ctx.routes;
  ctx.routes = await check(ctx);
  return ctx.routes;
}

async function check(ctx: TickContext): Promise<RoutesState> {
  if (!ctx.verifiesRoutes) {
    delete ctx.status.trafficPending;
    return 'applied';
  }
  const router = ctx.router;
  const weights = await router.getRoutes(ctx.canary);
  const result = await router.verifyRoutes?.(ctx.canary, weights) ?? { state: 'applied' as const };
  if (result.state === 'applied') {
    if (ctx.status.trafficPending !== undefined) ctx.notice('info', `${providerName(ctx)} applied the weights ${split(weights)} for ${ctx.displayName}`);
    delete ctx.status.trafficPending;
    return 'applied';
  }
  return pending(ctx, split(weights), result.reason);
}

function pending(ctx: TickContext, weights: string, reason: string): RoutesState {
  const previous = ctx.status.trafficPending;
  const since = previous?.weights === weights ? previous.since : ctx.timestamp;
  ctx.status.trafficPending = { ...previous, weights, since, reason };
  const overdue = ctx.now - Date.parse(since) > progressDeadlineSeconds(ctx.canary) * 1000;
  const message = overdue
    ? `${providerName(ctx)} did not apply the weights ${weights} within the progress deadline: ${reason}`
    : `${providerName(ctx)} has not applied the weights yet: ${reason}`;
  ctx.reportProblem({ reason: overdue ? 'TrafficNotApplied' : 'TrafficPending', message, severity: overdue ? 'warn' : 'info' });
  return overdue ? 'overdue' : 'pending';
}

const split = (w: { primary: number; canary: number }): string => `${w.primary}/${w.canary}`;
const providerName = (ctx: TickContext): string => ctx.providerInfo.label;
