import { createRouter } from '../../routers/index.js';
import type { Router, RouterDeps } from '../../routers/router.js';
import type { TickContext } from '../tick-context.js';
import { ensureService, servicesFor } from './workloads.js';

/** The router of the canary's provider (validation has already rejected unimplemented providers). */
export function routerOf(ctx: TickContext): Router {
  if (ctx.router === undefined) {
    if (ctx.provider === undefined) throw new Error('provider not resolved');
    ctx.router = createRouter(ctx.provider, routerDeps(ctx));
  }
  return ctx.router;
}

function routerDeps(ctx: TickContext): RouterDeps {
  const { kube, clock, logger, config } = ctx.deps;
  return {
    kube, clock, logger,
    reader: ctx.deps.providerObjects,
    ...(ctx.deps.elbv2 === undefined ? {} : { elbv2: ctx.deps.elbv2 }),
    settings: { ingressAnnotationsPrefix: config.ingressAnnotationsPrefix },
  };
}

/**
 * The apex Service (pointed at the primary pods; a user's existing Service is taken over only now, when the
 * primary is ready, so it never loses its endpoints) and the provider's traffic objects. Runs every tick, so
 * drift is corrected; in steady state it writes nothing.
 */
export async function reconcileRouting(ctx: TickContext): Promise<void> {
  if (ctx.target === undefined) throw new Error('target not loaded');
  await ensureService(ctx, servicesFor(ctx, ctx.target).apex);
  await routerOf(ctx).reconcile(ctx.canary);
}
