import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Canary } from '../api/canary.js';
import { maxWeight, nextStepWeight } from '../api/defaults.js';
import { advanceWeight, promotionWeight } from './weights.js';

/** A Canary whose analysis has only the weight settings. */
function withAnalysis(analysis: { stepWeight?: number; stepWeights?: number[]; maxWeight?: number }): Canary {
  return { spec: { analysis } } as unknown as Canary;
}

/** The weights a canary-strategy run goes through, as the analysis advances them (weight 0 not included). */
function ladder(canary: Canary): number[] {
  const max = maxWeight(canary);
  const seen: number[] = [];
  let weight = 0;
  while (weight < max) {
    const next = advanceWeight(weight, nextStepWeight(canary, weight), max);
    if (next <= weight) throw new Error(`the run is stuck at weight ${weight}`);
    seen.push(next);
    weight = next;
    if (seen.length > 100) throw new Error('more than 100 steps');
  }
  return seen;
}

const stepWeightRun = fc.record({ stepWeight: fc.integer({ min: 1, max: 150 }), maxWeight: fc.option(fc.integer({ min: 1, max: 150 }), { nil: undefined }) });
// Ladders as the schema admits them: ascending, each rung above the one before.
const stepWeightsRun = fc.uniqueArray(fc.integer({ min: 1, max: 150 }), { minLength: 1, maxLength: 8 }).map((rungs) => ({ stepWeights: rungs.sort((a, b) => a - b) }));

describe('weight arithmetic (properties)', () => {
  it('never moves the canary weight past maxWeight or 100, and the primary keeps the rest (primary + canary = 100)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 200 }), fc.integer({ min: 1, max: 200 }), (current, step, max) => {
      const limit = Math.min(max, 100);
      fc.pre(current <= limit);
      const next = advanceWeight(current, step, max);
      expect(next).toBeLessThanOrEqual(limit);
      expect(next).toBeGreaterThanOrEqual(current);
      expect(100 - next).toBeGreaterThanOrEqual(0);
    }));
  });

  it('moves a stepWeight run up at every interval, monotonically, to exactly maxWeight', () => {
    fc.assert(fc.property(stepWeightRun, (analysis) => {
      const canary = withAnalysis(analysis);
      const weights = ladder(canary);
      expect(weights.at(-1)).toBe(maxWeight(canary));
      weights.forEach((w, i) => expect(w).toBeGreaterThan(weights[i - 1] ?? 0));
      expect(weights.length).toBe(Math.ceil(Math.min(maxWeight(canary), 100) / analysis.stepWeight));
    }));
  });

  it('follows a stepWeights ladder rung by rung, the last rung clamped to 100', () => {
    fc.assert(fc.property(stepWeightsRun, (analysis) => {
      const expected = [...new Set(analysis.stepWeights.map((rung) => Math.min(rung, 100)))];
      expect(ladder(withAnalysis(analysis))).toEqual(expected);
    }));
  });

  it('brings the primary back to 100 in ceil(canary / stepWeightPromotion) promotion steps, never overshooting', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 1, max: 100 }), (canaryWeight, step) => {
      let primary = 100 - canaryWeight;
      let steps = 0;
      while (primary < 100) {
        const next = promotionWeight(primary, step);
        expect(next).toBeGreaterThan(primary);
        expect(next).toBeLessThanOrEqual(100);
        primary = next;
        steps += 1;
      }
      expect(steps).toBe(Math.ceil(canaryWeight / step));
    }));
  });
});
