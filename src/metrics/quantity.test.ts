import { describe, expect, it } from 'vitest';
import { parseQuantity } from './quantity.js';

describe('parseQuantity', () => {
  it.each<[string, number]>([
    ['42', 42], ['-3', -3], ['+1.5', 1.5], ['.5', 0.5], ['500m', 0.5], ['1500m', 1.5], ['250u', 0.00025], ['7n', 7e-9],
    ['2k', 2000], ['3M', 3e6], ['1G', 1e9], ['1T', 1e12], ['1P', 1e15], ['2E', 2e18],
    ['1Ki', 1024], ['1.5Mi', 1.5 * 2 ** 20], ['1Gi', 2 ** 30], ['1Ti', 2 ** 40], ['1Pi', 2 ** 50], ['1Ei', 2 ** 60],
    ['1e3', 1000], ['1E3', 1000], ['25e-2', 0.25],
  ])('reads %s as %d', (text, value) => {
    expect(parseQuantity(text)).toBe(value);
  });

  it.each(['', 'abc', '1x', '1KiB', 'm', '1.2.3', 'NaN'])('refuses %j', (text) => {
    expect(parseQuantity(text)).toBeUndefined();
  });
});
