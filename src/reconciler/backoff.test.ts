import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KubeApiError } from '../ports/kube.js';
import { apiRetryBackoff, jitteredBackoffMs, retryDelayMs } from './backoff.js';

const random = fc.double({ min: 0, max: 1, noNaN: true });

describe('jittered API retry backoff', () => {
  it('stays within the upper half of the capped exponential ceiling, for any attempt and random value', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 5000 }), random, (attempt, r) => {
      const ceiling = Math.min(16_000, 1000 * 2 ** (attempt - 1));
      const delay = jitteredBackoffMs(attempt, apiRetryBackoff, () => r);
      return delay >= ceiling / 2 && delay <= ceiling;
    }));
  });

  it('grows with the attempt number until the cap (random fixed)', () => {
    expect([1, 2, 3, 4, 5, 6, 50].map((a) => jitteredBackoffMs(a, apiRetryBackoff, () => 0.5))).toEqual([750, 1500, 3000, 6000, 12_000, 12_000, 12_000]);
  });

  it('waits at least Retry-After (up to the cap), spread over 1 to 1.5 times it', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 0, max: 120_000 }), random, (attempt, asked, r) => {
      const delay = retryDelayMs(new KubeApiError(429, 'TooManyRequests', 'slow down', asked), attempt, apiRetryBackoff, () => r);
      const floor = Math.min(asked, 16_000);
      return delay >= floor && delay <= Math.max(16_000, floor) && delay <= Math.max(jitteredBackoffMs(attempt, apiRetryBackoff, () => r), asked * 1.5 + 1);
    }));
  });

  it('ignores errors without Retry-After', () => {
    expect(retryDelayMs(new Error('connect ECONNREFUSED'), 3, apiRetryBackoff, () => 0)).toBe(2000);
  });
});
