import { afterEach, describe, expect, it } from 'vitest';
import { announceReleaseEnd, secondsSince } from '../../../src/reconciler/release-end.js';
import { TickContext } from '../../../src/reconciler/tick-context.js';
import type { ReleaseEnd } from '../../../src/telemetry/domain-events.js';
import { progressing } from './steps/progressing.js';
import type { TickHarness } from './tick-harness.js';

describe('secondsSince', () => {
  it('counts the seconds from a status time to now (10:00:00 to 10:02:30 is 150 s)', () => {
    expect(secondsSince('2025-01-01T10:00:00Z', Date.parse('2025-01-01T10:02:30Z'))).toEqual({ seconds: 150 });
  });

  it('gives nothing for a missing or unreadable time', () => {
    expect(secondsSince(undefined, 0)).toEqual({});
    expect(secondsSince('yesterday', 0)).toEqual({});
  });
});

describe('the end of a release', () => {
  let h: TickHarness;
  afterEach(() => h.stop());

  it('is announced only once the status is saved, with the reason the Ready condition gives by then and the run\'s duration', async () => {
    let ctx;
    ({ h, ctx } = await progressing('istio', { stepWeight: 20 }));
    const heard: ReleaseEnd[] = [];
    h.bus.on('releaseEnded', (end) => heard.push(end));
    // The run started when this Progressing status was drafted; its outcome is decided 90 s later.
    await h.clock.advance(90_000);
    const later = new TickContext(h.deps, ctx.raw, { ...ctx.canary, status: ctx.status });
    announceReleaseEnd(later, 'Failed');
    later.report = { reason: 'CheckFailed', message: 'failed', severity: 'error' };
    expect(heard).toEqual([]);
    for (const effect of later.afterPersist) effect();
    expect(heard).toEqual([{ canary: later.identity, result: 'failed', reason: 'CheckFailed', seconds: 90 }]);
  });
});
