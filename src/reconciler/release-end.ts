import { findCondition } from '../api/conditions.js';
import type { TickContext } from './tick-context.js';

/**
 * Seconds from an RFC 3339 time to `now` (ms), as `{ seconds }`; `{}` when the time is absent or unreadable.
 * Example: since `10:00:00Z`, now 10:02:30 → `{ seconds: 150 }`.
 */
export function secondsSince(since: string | undefined, now: number): { seconds?: number } {
  const start = since === undefined ? Number.NaN : Date.parse(since);
  return Number.isNaN(start) ? {} : { seconds: Math.max(0, (now - start) / 1000) };
}

/**
 * Announces, once this tick's status is saved, that the run ends with `phase`: the reason is the one the
 * Ready condition gives (read when announcing, since the failure's reason is set after the effects), and the
 * duration runs from the start of the run. Call before the phase moves to the outcome: the run started when
 * Flagger's Promoted condition became Unknown (a new revision seen), and it still is until then.
 */
export function announceReleaseEnd(ctx: TickContext, phase: 'Succeeded' | 'Failed'): void {
  const promoted = findCondition(ctx.status.conditions, 'Promoted');
  const started = promoted?.status === 'Unknown' ? promoted.lastTransitionTime : undefined;
  const duration = secondsSince(started, ctx.now);
  ctx.afterPersist.push(() => {
    const reason = phase === 'Succeeded' ? 'Succeeded' : ctx.report?.reason ?? 'Failed';
    ctx.deps.bus.emit('releaseEnded', { canary: ctx.identity, result: phase === 'Succeeded' ? 'succeeded' : 'failed', reason, ...duration });
  });
}
