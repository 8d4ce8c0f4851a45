import { describe, expect, it } from 'vitest';
import { defaultLoadLimits, limitPlan } from './limits.js';
import { parseHeyCommand, type HeyPlan } from './plan.js';

function plan(command: string): HeyPlan {
  const parsed = parseHeyCommand(command);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.plan;
}

describe('load test limits', () => {
  it('keeps a plan within the limits as it is', () => {
    const within = plan('hey -z 1m -q 10 -c 2 http://podinfo-canary.test/');
    expect(limitPlan(within, defaultLoadLimits)).toEqual({ ok: true, plan: within });
  });

  it('runs an unthrottled plan (-q 0, hey\'s default) at the rate limit, shared by its workers', () => {
    const limited = limitPlan(plan('hey -z 1m -c 4 http://podinfo-canary.test/'), defaultLoadLimits);
    // 1000 req/s over 4 workers ⇒ 250 req/s each.
    expect(limited).toMatchObject({ ok: true, plan: { qpsPerWorker: 250 } });
  });

  it('accepts exactly the limits and refuses one more', () => {
    const limits = { maxConnections: 10, maxRate: 100, maxDurationMs: 60_000, maxRequests: 1000 };
    expect(limitPlan(plan('hey -z 1m -q 10 -c 10 http://x/'), limits).ok).toBe(true);
    expect(limitPlan(plan('hey -n 1000 -c 10 http://x/'), limits).ok).toBe(true);
    expect(limitPlan(plan('hey -z 1m -q 10 -c 11 http://x/'), limits)).toMatchObject({ ok: false, error: expect.stringContaining('(--max-connections)') as unknown });
    expect(limitPlan(plan('hey -z 1m -q 10.5 -c 10 http://x/'), limits)).toMatchObject({ ok: false, error: expect.stringContaining('(--max-rate)') as unknown });
    expect(limitPlan(plan('hey -z 61s -q 1 -c 1 http://x/'), limits)).toMatchObject({ ok: false, error: expect.stringContaining('(--max-duration)') as unknown });
    expect(limitPlan(plan('hey -n 1001 -c 1 http://x/'), limits)).toMatchObject({ ok: false, error: expect.stringContaining('(--max-requests)') as unknown });
  });

  it('ignores -n when -z bounds the run, as hey does', () => {
    expect(limitPlan(plan('hey -z 1m -n 99999999 -q 1 -c 1 http://x/'), defaultLoadLimits).ok).toBe(true);
  });

  it('shortens a per-request timeout longer than the longest load test', () => {
    expect(limitPlan(plan('hey -z 1m -q 1 -c 1 -t 100000 http://x/'), defaultLoadLimits)).toMatchObject({ ok: true, plan: { timeoutMs: 600_000 } });
    expect(limitPlan(plan('hey -z 1m -q 1 -c 1 -t 0 http://x/'), defaultLoadLimits)).toMatchObject({ ok: true, plan: { timeoutMs: 0 } });
  });
});
