import { performance } from 'node:perf_hooks';

/** Cancels a timer started with {@link Clock.setTimer}; calling it twice is harmless. */
export type CancelTimer = () => void;

/** Time as a port, so that schedules can be tested with a fake clock. */
export interface Clock {
  /** Monotonic milliseconds (fractional) since an arbitrary origin; for durations and schedules. */
  now(): number;
  /** Wall-clock time, for timestamps shown to people. */
  wallTime(): Date;
  /** Calls `fn` once after `ms` milliseconds (0 = as soon as possible). */
  setTimer(ms: number, fn: () => void): CancelTimer;
}

/** The real clock: `performance.now()` and Node timers. */
export function systemClock(): Clock {
  return {
    now: () => performance.now(),
    wallTime: () => new Date(),
    setTimer: (ms, fn) => {
      const handle = setTimeout(fn, Math.max(0, ms));
      return () => clearTimeout(handle);
    },
  };
}
