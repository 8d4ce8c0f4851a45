import type { TickContext } from '../tick-context.js';
import { ensureService, servicesFor } from './workloads.js';

/**
 * The apex Service (pointed at the primary pods; a user's existing Service is taken over only now, when the
 * primary is ready, so it never loses its endpoints) and the provider's traffic objects. Runs every tick, so
 * drift is corrected; in steady state it writes nothing.
 */
export async function reconcileRouting(ctx: TickContext): Promise<void> {
  if (ctx.target === undefined) throw new Error('target not loaded');
  await ensureService(ctx, servicesFor(ctx, ctx.target).apex);
  await ctx.router.reconcile(ctx.canary);
}
