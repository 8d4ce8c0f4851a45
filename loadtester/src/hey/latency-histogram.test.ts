import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from './latency-histogram.js';

describe('latency histogram', () => {
  it('answers percentiles of a uniform spread within 2 %', () => {
    const histogram = new LatencyHistogram();
    for (let ms = 1; ms <= 10_000; ms++) histogram.record(ms);
    expect(histogram.count).toBe(10_000);
    for (const [p, expected] of [[50, 5000], [90, 9000], [99, 9900]] as const) {
      expect(Math.abs(histogram.percentileMs(p) - expected) / expected).toBeLessThan(0.02);
    }
    expect(histogram.maxMs()).toBe(10_000);
    expect(histogram.meanMs()).toBeCloseTo(5000.5, 1);
  });

  it('keeps sub-millisecond latencies to the microsecond', () => {
    const histogram = new LatencyHistogram();
    [0.05, 0.06, 0.07].forEach((ms) => histogram.record(ms));
    expect(histogram.percentileMs(50)).toBeCloseTo(0.06, 6);
  });

  it('clamps absurd latencies instead of growing', () => {
    const histogram = new LatencyHistogram();
    histogram.record(10 * 3_600_000);
    histogram.record(1);
    expect(histogram.count).toBe(2);
    expect(histogram.percentileMs(100)).toBe(10 * 3_600_000);
  });

  it('answers 0 when nothing was recorded', () => {
    expect(new LatencyHistogram().percentileMs(99)).toBe(0);
  });
});
