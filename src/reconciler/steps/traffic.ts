import { sessionAffinityStatus } from '../../routers/session-cookies.js';
import type { Weights } from '../../routers/router.js';
import type { TickContext } from '../tick-context.js';

/**
 * Sets the traffic split. Where the provider keeps session cookies, those for the new split are drafted into the status first (they
 * are persisted by the same tick's status patch) and handed to the router, which only reads them.
 */
export async function setRoutes(ctx: TickContext, weights: Weights): Promise<void> {
  if (ctx.providerInfo.sessionCookies) Object.assign(ctx.status, sessionAffinityStatus({ ...ctx.canary, status: ctx.status }, weights));
  await ctx.router.setRoutes({ ...ctx.canary, status: { ...ctx.status } }, weights);
  ctx.deps.recorder.setWeight(ctx.identity.target, ctx.identity.namespace, weights);
}
