import { describe, expect, it } from 'vitest';
import { parseGoDuration } from './go-duration.js';

describe('Go durations', () => {
  it.each([
    ['0', 0],
    ['1s', 1000],
    ['1m', 60_000],
    ['1h', 3_600_000],
    ['1m30s', 90_000],
    ['1.5h', 5_400_000],
    ['250ms', 250],
    ['500us', 0.5],
    ['2h45m', 9_900_000],
  ])('reads %s as %d ms', (text, ms) => {
    expect(parseGoDuration(text)).toBeCloseTo(ms, 6);
  });

  it.each(['', '1', '10', 'm', '1d', '-1s', '1s ', 'one minute'])('refuses %j', (text) => {
    expect(parseGoDuration(text)).toBeUndefined();
  });
});
