/** A timer that can be cancelled. */
export interface Timer {
  cancel(): void;
}

/**
 * Time as the operator sees it. Code never calls `Date.now()` or `setTimeout` directly, so that tests can
 * drive time with a fake clock.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `fn` once after `ms` milliseconds, unless cancelled first. */
  setTimer(ms: number, fn: () => void): Timer;
  /** Resolves after `ms` milliseconds. */
  sleep(ms: number): Promise<void>;
}
