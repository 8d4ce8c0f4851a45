import { describe, expect, it } from 'vitest';
import { createSystemClock, longestTimerMs, systemClock } from './system-clock.js';

describe('systemClock', () => {
  it('never fires a timer longer than setTimeout can hold early (Node fires those after 1 ms)', async () => {
    let fired = false;
    const timer = systemClock.setTimer(2 ** 31, () => { fired = true; });
    await new Promise((resolve) => setTimeout(resolve, 50));
    timer.cancel();
    expect(fired).toBe(false);
  });

  it('fires a long timer once, after re-arming as many times as its length needs', async () => {
    const fired: number[] = [];
    const started = Date.now();
    createSystemClock(10).setTimer(30, () => fired.push(Date.now() - started));
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(fired).toHaveLength(1);
    expect(fired[0]).toBeGreaterThanOrEqual(29);
  });

  it('cancels a long timer between two of its segments', async () => {
    let fired = false;
    const timer = createSystemClock(10).setTimer(40, () => { fired = true; });
    await new Promise((resolve) => setTimeout(resolve, 15));
    timer.cancel();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fired).toBe(false);
    expect(longestTimerMs).toBe(2_147_483_647);
  });
});
