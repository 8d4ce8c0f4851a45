import { sessionAffinityStatus } from '../../routers/istio-session-affinity.js';
import type { Weights } from '../../routers/router.js';
import type { TickContext } from '../tick-context.js';
import { routerOf } from './routing.js';

/**
 * Sets the traffic split. Session-affinity cookies for the new split are drafted into the status first (they
 * are persisted by the same tick's status patch) and handed to the router, which only reads them.
 */
export async function setRoutes(ctx: TickContext, weights: Weights): Promise<void> {
  const cookies = sessionAffinityStatus({ ...ctx.canary, status: ctx.status }, weights);
  Object.assign(ctx.status, cookies);
  await routerOf(ctx).setRoutes({ ...ctx.canary, status: { ...ctx.status } }, weights);
  ctx.deps.recorder.setWeight(ctx.identity.target, ctx.identity.namespace, weights);
}
