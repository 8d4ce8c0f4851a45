import type { Clock, Timer } from '../ports/clock.js';

/**
 * The longest delay `setTimeout` holds: 2^31 − 1 ms ≈ 24.8 days. Node fires a longer one after 1 ms (with a
 * TimeoutOverflowWarning), which would turn a long wait into none at all.
 */
export const longestTimerMs = 2_147_483_647;

/**
 * The real clock. A timer longer than `longestSegmentMs` waits in segments of at most that length, so it
 * never fires early, however long it is. (The API bounds every interval and deadline far below 24.8 days;
 * this guards objects and code paths that escape those bounds.)
 */
export function createSystemClock(longestSegmentMs = longestTimerMs): Clock {
  const setTimer = (ms: number, fn: () => void): Timer => {
    const due = Date.now() + Math.max(0, ms);
    let handle: ReturnType<typeof setTimeout> | undefined;
    const arm = (): void => {
      const remaining = due - Date.now();
      if (remaining <= longestSegmentMs) {
        handle = setTimeout(fn, Math.max(0, remaining));
        return;
      }
      handle = setTimeout(arm, longestSegmentMs);
    };
    arm();
    return { cancel: () => clearTimeout(handle) };
  };
  return {
    now: () => Date.now(),
    setTimer,
    sleep: (ms: number) => new Promise((resolve) => setTimer(ms, () => resolve(undefined))),
  };
}

/** The real clock. */
export const systemClock: Clock = createSystemClock();
