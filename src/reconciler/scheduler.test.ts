import { describe, expect, it } from 'vitest';
import { FakeClock, settle } from '../../test/fakes/fake-clock.js';
import { silentLogger } from '../ports/logger.js';
import { Scheduler, slowTickAfterMs, triggeredTickBurst, triggeredTickRefillMs } from './scheduler.js';

interface Harness {
  clock: FakeClock;
  scheduler: Scheduler;
  ticks: { key: string; at: number; scheduled: boolean }[];
  /** Makes every tick of `key` wait until the returned function is called. */
  hold(key: string): () => void;
  concurrent: () => number;
  maxConcurrent: () => number;
}

function harness(maxConcurrentTicks?: number): Harness {
  const clock = new FakeClock(0);
  const ticks: { key: string; at: number; scheduled: boolean }[] = [];
  const holds = new Map<string, Promise<void>>();
  let current = 0;
  let max = 0;
  const scheduler = new Scheduler({
    clock, logger: silentLogger, maxConcurrentTicks,
    tick: async (key, scheduled) => {
      current += 1;
      max = Math.max(max, current);
      ticks.push({ key, at: clock.now(), scheduled });
      await holds.get(key);
      current -= 1;
    },
  });
  return {
    clock, scheduler, ticks,
    hold: (key) => {
      let release = (): void => undefined;
      holds.set(key, new Promise((r) => (release = r)));
      return () => { holds.delete(key); release(); };
    },
    concurrent: () => current,
    maxConcurrent: () => max,
  };
}

describe('Scheduler', () => {
  it('ticks a new canary at once and then every interval', async () => {
    const h = harness();
    h.scheduler.ensure('podinfo.test', 10_000);
    await h.clock.advance(35_000);
    expect(h.ticks.map((t) => t.at)).toEqual([0, 10_000, 20_000, 30_000]);
  });

  it('never overlaps ticks of one canary and coalesces triggers during a tick into one follow-up', async () => {
    const h = harness();
    const release = h.hold('a');
    h.scheduler.ensure('a', 10_000);
    await settle();
    h.scheduler.trigger('a');
    h.scheduler.trigger('a');
    h.scheduler.trigger('a');
    await h.clock.advance(30_000);
    expect(h.ticks).toHaveLength(1);
    release();
    await settle();
    expect(h.ticks.map((t) => [t.at, t.scheduled])).toEqual([[0, true], [30_000, false]]);
    await h.clock.advance(10_000);
    expect(h.ticks.map((t) => [t.at, t.scheduled])).toEqual([[0, true], [30_000, false], [40_000, true]]);
    expect(h.maxConcurrent()).toBe(1);
  });

  it('runs a triggered tick immediately without moving the interval', async () => {
    const h = harness();
    h.scheduler.ensure('a', 60_000);
    await h.clock.advance(15_000);
    h.scheduler.trigger('a');
    await h.clock.advance(44_000);
    expect(h.ticks.map((t) => [t.at, t.scheduled])).toEqual([[0, true], [15_000, false]]);
    await h.clock.advance(1000);
    expect(h.ticks.map((t) => [t.at, t.scheduled])).toEqual([[0, true], [15_000, false], [60_000, true]]);
  });

  it('keeps the interval when changes keep triggering ticks', async () => {
    const h = harness();
    h.scheduler.ensure('a', 10_000);
    for (let i = 0; i < 10; i++) {
      await h.clock.advance(3000);
      h.scheduler.trigger('a');
    }
    expect(h.ticks.filter((t) => t.scheduled).map((t) => t.at)).toEqual([0, 10_000, 20_000, 30_000]);
  });

  it('runs a burst of triggered ticks at once, then at most one a second, coalescing the triggers between', async () => {
    const h = harness();
    h.scheduler.ensure('a', 60_000);
    await h.clock.advance(5_000);
    // A trigger every 10 ms for 10 s, as two canaries triggering each other with every write would send.
    for (let i = 0; i < 1_000; i++) {
      h.scheduler.trigger('a');
      await h.clock.advance(10);
    }
    const triggered = h.ticks.filter((t) => !t.scheduled).map((t) => t.at);
    expect(triggered.slice(0, triggeredTickBurst)).toEqual(Array.from({ length: triggeredTickBurst }, (_, i) => 5_000 + 10 * i));
    // The burst, then one per second of the remaining ~9.9 s.
    expect(triggered.length).toBeGreaterThanOrEqual(triggeredTickBurst + 9);
    expect(triggered.length).toBeLessThanOrEqual(triggeredTickBurst + 11);
  });

  it('gives a canary quiet for the refill time its whole burst back, so a change after it runs at once', async () => {
    const h = harness();
    h.scheduler.ensure('a', 60_000);
    for (let i = 0; i < 2 * triggeredTickBurst; i++) h.scheduler.trigger('a');
    await h.clock.advance(triggeredTickBurst * triggeredTickRefillMs + 5_000);
    const before = h.ticks.length;
    h.scheduler.trigger('a');
    await settle();
    expect(h.ticks.slice(before).map((t) => [t.at, t.scheduled])).toEqual([[h.clock.now(), false]]);
  });

  it('bounds two canaries that trigger each other on every tick to one triggered tick a second each', async () => {
    const clock = new FakeClock(0);
    const ticks: string[] = [];
    const scheduler: Scheduler = new Scheduler({
      clock, logger: silentLogger,
      tick: (key) => {
        ticks.push(key);
        // The cap ends an unbounded loop with a failure here instead of a hung test.
        if (ticks.length < 10_000) scheduler.trigger(key === 'a' ? 'b' : 'a');
        return Promise.resolve();
      },
    });
    scheduler.ensure('a', 15_000);
    scheduler.ensure('b', 15_000);
    await clock.advance(60_000);
    await scheduler.stopAll();
    // 60 s: the burst, then at most one triggered tick a second, plus the 5 scheduled ones, each.
    expect(ticks.length).toBeLessThanOrEqual(2 * (triggeredTickBurst + 61 + 5));
  });

  it('restarts the timer when the interval changes', async () => {
    const h = harness();
    h.scheduler.ensure('a', 60_000);
    await h.clock.advance(1000);
    h.scheduler.ensure('a', 10_000);
    await h.clock.advance(10_000);
    expect(h.ticks.map((t) => t.at)).toEqual([0, 11_000]);
  });

  it('stops a removed canary at once', async () => {
    const h = harness();
    h.scheduler.ensure('a', 10_000);
    await h.clock.advance(1000);
    h.scheduler.remove('a');
    h.scheduler.trigger('a');
    await h.clock.advance(60_000);
    expect(h.ticks).toHaveLength(1);
    expect(h.clock.pendingTimers()).toBe(0);
    expect(h.scheduler.has('a')).toBe(false);
  });

  it('bounds how many canaries tick at once', async () => {
    const h = harness(2);
    const releases = ['a', 'b', 'c'].map((k) => h.hold(k));
    for (const k of ['a', 'b', 'c']) h.scheduler.ensure(k, 10_000);
    await settle();
    expect(h.ticks.map((t) => t.key)).toEqual(['a', 'b']);
    releases[0]?.();
    await settle();
    expect(h.ticks.map((t) => t.key)).toEqual(['a', 'b', 'c']);
    expect(h.maxConcurrent()).toBe(2);
    releases.forEach((r) => r());
  });

  it('does not let 16 hung canaries (a metric query or webhook waiting for its timeout) delay the 17th', async () => {
    const h = harness(16);
    const hung = Array.from({ length: 16 }, (_, i) => `hung-${i}`);
    const releases = hung.map((k) => h.hold(k));
    for (const k of hung) h.scheduler.ensure(k, 10_000);
    h.scheduler.ensure('healthy', 10_000);
    await h.clock.advance(slowTickAfterMs);
    await h.clock.advance(30_000);
    expect(h.ticks.filter((t) => t.key === 'healthy').map((t) => t.at)).toEqual([slowTickAfterMs, slowTickAfterMs + 10_000, slowTickAfterMs + 20_000, slowTickAfterMs + 30_000]);
    expect(h.ticks.filter((t) => t.key.startsWith('hung-'))).toHaveLength(16);
    releases.forEach((r) => r());
    await settle();
    // Once the hung ticks end, each canary goes back to its own interval.
    await h.clock.advance(10_000);
    expect(h.ticks.filter((t) => t.key.startsWith('hung-'))).toHaveLength(32);
  });

  it('still bounds how many quick ticks run at once while slow ones wait', async () => {
    const h = harness(2);
    const releases = ['a', 'b'].map((k) => h.hold(k));
    for (const k of ['a', 'b', 'c', 'd', 'e']) h.scheduler.ensure(k, 60_000);
    await settle();
    expect(h.ticks.map((t) => t.key)).toEqual(['a', 'b']);
    await h.clock.advance(slowTickAfterMs);
    expect(h.ticks.map((t) => t.key)).toEqual(['a', 'b', 'c', 'd', 'e']);
    releases.forEach((r) => r());
    await settle();
    expect(h.clock.pendingTimers()).toBe(5);
  });

  it('delays a quick canary by at most the slot budget while 100 canaries hang on 4 slots, after their first round', async () => {
    const clock = new FakeClock(0);
    const due = new Map<string, number>();
    const late: number[] = [];
    const scheduler = new Scheduler({
      clock, logger: silentLogger, maxConcurrentTicks: 4,
      tick: (key) => {
        if (key.startsWith('slow-')) return clock.sleep(60_000);
        late.push(clock.now() - (due.get(key) ?? clock.now()));
        due.set(key, clock.now() + 10_000);
        return Promise.resolve();
      },
    });
    for (let i = 0; i < 100; i++) scheduler.ensure(`slow-${i}`, 10_000);
    scheduler.ensure('quick', 10_000);
    // In the first round the 100 queue before the quick one once (100 / 4 slots × 2 s); see the bench.
    await clock.advance(120_000);
    late.length = 0;
    await clock.advance(600_000);
    expect(late.length).toBeGreaterThanOrEqual(50);
    expect(Math.max(...late)).toBeLessThanOrEqual(slowTickAfterMs);
    const stopped = scheduler.stopAll();
    await clock.advance(60_000);
    await stopped;
  });

  it('keeps ticking after a tick throws', async () => {
    const clock = new FakeClock(0);
    let calls = 0;
    const scheduler = new Scheduler({ clock, logger: silentLogger, tick: () => { calls += 1; return Promise.reject(new Error('boom')); } });
    scheduler.ensure('a', 10_000);
    await clock.advance(20_000);
    expect(calls).toBe(3);
  });
});

describe('Scheduler retries', () => {
  it('runs a tick that asked for a retry again after the delay, as the same kind, keeping the interval', async () => {
    const clock = new FakeClock(0);
    const ticks: { at: number; scheduled: boolean }[] = [];
    let refusals = 2;
    const scheduler = new Scheduler({
      clock, logger: silentLogger,
      tick: (_key, scheduled) => {
        ticks.push({ at: clock.now(), scheduled });
        if (refusals === 0) return Promise.resolve();
        refusals -= 1;
        return Promise.resolve({ retryAfterMs: 1_000 });
      },
    });
    scheduler.ensure('ns/a', 10_000);
    await settle();
    await clock.advance(12_500);
    // The first (scheduled) tick is refused twice and retried as a scheduled tick; the interval then counts from the third.
    expect(ticks).toEqual([{ at: 0, scheduled: true }, { at: 1_000, scheduled: true }, { at: 2_000, scheduled: true }, { at: 12_000, scheduled: true }]);
    scheduler.remove('ns/a');
  });

  it('retries a refused triggered tick without moving the interval', async () => {
    const clock = new FakeClock(0);
    const ticks: { at: number; scheduled: boolean }[] = [];
    let refuseTriggered = true;
    const scheduler = new Scheduler({
      clock, logger: silentLogger,
      tick: (_key, scheduled) => {
        ticks.push({ at: clock.now(), scheduled });
        if (scheduled || !refuseTriggered) return Promise.resolve();
        refuseTriggered = false;
        return Promise.resolve({ retryAfterMs: 1_000 });
      },
    });
    scheduler.ensure('ns/a', 10_000);
    await settle();
    await clock.advance(3_000);
    scheduler.trigger('ns/a');
    await clock.advance(7_500);
    expect(ticks).toEqual([{ at: 0, scheduled: true }, { at: 3_000, scheduled: false }, { at: 4_000, scheduled: false }, { at: 10_000, scheduled: true }]);
    scheduler.remove('ns/a');
  });
});
