import type { CancelTimer, Clock as LoadTesterClock } from '../../loadtester/src/ports/clock.js';
import type { Clock, Timer } from '../../src/ports/clock.js';

/**
 * What {@link FakeClock.setTimer} returns: the operator's {@link Timer} (`timer.cancel()`) and the load
 * tester's {@link CancelTimer} (`cancel()`) in one, so that one fake serves both Clock ports.
 */
export type FakeTimer = Timer & CancelTimer;

interface PendingTimer {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/**
 * A clock that moves only when told, for the operator's Clock port and the load tester's (whose `now` is
 * monotonic from any origin, whose `wallTime` is a Date and whose timers cancel by calling them).
 * `advance(ms)` fires every timer that falls due, in time order, and lets the promise chains they start
 * settle before firing the next one, so ticks driven by timers complete; `advanceSync(ms)` fires them
 * without waiting, for code whose timer callbacks do all their work at once (the load tester's engine).
 * Example: `new FakeClock(0)` starts `now()` at 0, and `wallTime()` is then 1970-01-01T00:00:00Z.
 */
export class FakeClock implements Clock, LoadTesterClock {
  private current: number;
  private seq = 0;
  private timers: PendingTimer[] = [];

  /** Extra delay added to every timer, to imitate a loaded machine whose timers fire late. */
  lateness = 0;

  constructor(start = Date.parse('2026-01-01T00:00:00Z')) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  wallTime(): Date {
    return new Date(this.current);
  }

  setTimer(ms: number, fn: () => void): FakeTimer {
    const timer: PendingTimer = { at: this.current + Math.max(0, ms) + this.lateness, seq: this.seq++, fn, cancelled: false };
    this.timers.push(timer);
    const cancel = (): void => { timer.cancelled = true; };
    return Object.assign(cancel, { cancel });
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimer(ms, resolve));
  }

  /** Moves time forward by `ms`, firing due timers one by one and settling the work each one starts. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    await settle();
    while (this.fireNextDue(target)) await settle();
    this.current = target;
    await settle();
  }

  /** Moves time forward by `ms`, firing due timers one by one (timers they set too, if due) without settling. */
  advanceSync(ms: number): void {
    const target = this.current + ms;
    while (this.fireNextDue(target));
    this.current = target;
  }

  /** Fires the earliest timer due by `target`, moving time to it; false when none is due. */
  private fireNextDue(target: number): boolean {
    const next = this.nextDue(target);
    if (next === undefined) return false;
    this.current = next.at;
    this.timers = this.timers.filter((t) => t !== next);
    next.fn();
    return true;
  }

  /** Timers still pending (not cancelled). */
  pendingTimers(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }

  private nextDue(target: number): PendingTimer | undefined {
    this.timers = this.timers.filter((t) => !t.cancelled);
    const due = this.timers.filter((t) => t.at <= target);
    due.sort((a, b) => a.at - b.at || a.seq - b.seq);
    return due[0];
  }
}

/** Lets pending promise callbacks run (several macrotask turns, enough for chained awaits to finish). */
export async function settle(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
}
