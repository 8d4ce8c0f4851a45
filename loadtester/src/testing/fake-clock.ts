import type { CancelTimer, Clock } from '../ports/clock.js';

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
}

/** A {@link Clock} that only moves when told to; timers fire in time order during {@link FakeClock.advance}. */
export class FakeClock implements Clock {
  private current = 0;
  private seq = 0;
  private timers: Timer[] = [];

  /** Extra delay added to every timer, to imitate a loaded machine whose timers fire late. */
  lateness = 0;

  now(): number {
    return this.current;
  }

  wallTime(): Date {
    return new Date(Date.UTC(2026, 0, 1) + this.current);
  }

  setTimer(ms: number, fn: () => void): CancelTimer {
    const timer = { at: this.current + Math.max(0, ms) + this.lateness, seq: this.seq++, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  /** Moves time forward by `ms`, firing due timers in order (timers they set are fired too if due). */
  advance(ms: number): void {
    const end = this.current + ms;
    for (;;) {
      const next = this.earliest();
      if (next === undefined || next.at > end) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.current = Math.max(this.current, next.at);
      next.fn();
    }
    this.current = end;
  }

  /** Timers still waiting. */
  get pending(): number {
    return this.timers.length;
  }

  private earliest(): Timer | undefined {
    let best: Timer | undefined;
    for (const timer of this.timers) {
      if (best === undefined || timer.at < best.at || (timer.at === best.at && timer.seq < best.seq)) best = timer;
    }
    return best;
  }
}
