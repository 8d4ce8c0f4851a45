import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/fakes/fake-clock.js';
import { catchUpTimeoutMs, isOlder, OwnWrites } from './own-writes.js';

describe('isOlder', () => {
  it.each<[string | undefined, string, boolean]>([
    ['98', '102', true], ['102', '98', false], ['102', '102', false], [undefined, '5', true], ['abc', '5', false],
  ])('%s older than %s: %s', (a, b, expected) => {
    expect(isOlder(a, b)).toBe(expected);
  });
});

describe('OwnWrites', () => {
  // 'done' when the promise has settled once pending callbacks have run, else 'waiting'.
  const state = async (p: Promise<unknown>): Promise<string> => {
    let settled = false;
    void p.then(() => { settled = true; });
    await new Promise((resolve) => setImmediate(resolve));
    return settled ? 'done' : 'waiting';
  };

  it('holds the next tick until the cache shows the write', async () => {
    const writes = new OwnWrites(new FakeClock());
    writes.wrote('ns/a', '10', '9');
    const waiting = writes.caughtUp('ns/a');
    expect(await state(waiting)).toBe('waiting');
    writes.observed('ns/a', '9');
    expect(await state(waiting)).toBe('waiting');
    writes.observed('ns/a', '11');
    expect(await state(waiting)).toBe('done');
  });

  it('does not wait when the cache already shows the write, or for another canary', async () => {
    const writes = new OwnWrites(new FakeClock());
    writes.wrote('ns/a', '10', '10');
    writes.wrote('ns/b', '12', '11');
    expect(await state(writes.caughtUp('ns/a'))).toBe('done');
    writes.observed('ns/b', undefined, true);
    expect(await state(writes.caughtUp('ns/b'))).toBe('done');
  });

  it('answers false after the timeout and keeps the write pending, so no tick acts on the older status', async () => {
    const clock = new FakeClock();
    const writes = new OwnWrites(clock);
    writes.wrote('ns/a', '10', '9');
    const waiting = writes.caughtUp('ns/a');
    await clock.advance(catchUpTimeoutMs);
    expect(await waiting).toBe(false);
    const again = writes.caughtUp('ns/a');
    expect(await state(again)).toBe('waiting');
    writes.observed('ns/a', '10');
    expect(await again).toBe(true);
  });
});
