import { promotionId } from '../../core/revision.js';
import type { Revision, TickContext } from '../tick-context.js';

/** The primary's flagger-id for this Canary's promotion of `revision` (see core/revision.ts promotionId). */
export function promotionIdOf(ctx: TickContext, revision: Revision): string {
  return promotionId(ctx.identity.uid ?? ctx.displayName, revision.hash, revision.checksums);
}
