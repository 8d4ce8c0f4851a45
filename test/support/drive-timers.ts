/** A fake clock as {@link driveTimers} needs it (the shared test FakeClock fits). */
export interface AdvanceableClock {
  pendingTimers(): number;
  advance(ms: number): Promise<void>;
}

/**
 * Settles `work` that mixes real I/O (a local server) with waits on a fake clock: whenever a timer is
 * pending, the clock jumps `stepMs` ahead; otherwise real time passes briefly so the I/O can progress.
 */
export async function driveTimers<T>(clock: AdvanceableClock, work: Promise<T>, stepMs = 30_000): Promise<T> {
  let settled = false;
  const observed = work.finally(() => { settled = true; });
  observed.catch(() => undefined);
  while (!settled) {
    if (clock.pendingTimers() > 0) await clock.advance(stepMs);
    else await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return observed;
}
