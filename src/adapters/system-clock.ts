import type { Clock, Timer } from '../ports/clock.js';

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms: number, fn: () => void): Timer {
    const handle = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(handle) };
  },
  sleep: (ms: number) => new Promise((resolve) => setTimeout(resolve, ms)),
};
