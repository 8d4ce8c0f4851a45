/**
 * Properties of the weight arithmetic (src/core/weights.ts with the defaults of api/defaults.ts). Each check
 * runs `numRuns` random cases and throws with a counterexample when the property fails; the unit tests run a
 * few hundred, `npm run bench:reliability` many more.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Canary } from '../../src/api/canary.js';
import { maxWeight, nextStepWeight } from '../../src/api/defaults.js';
import { advanceWeight, promotionWeight } from '../../src/core/weights.js';

/** A named property check. */
export type PropertyCheck = readonly [name: string, check: (numRuns: number) => void];

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

export const weightProperties: readonly PropertyCheck[] = [
  ['never moves the canary weight past maxWeight or 100, nor down, and the primary keeps the rest (primary + canary = 100)', (numRuns: number): void => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 200 }), fc.integer({ min: 1, max: 200 }), (current, step, max) => {
      fc.pre(current <= Math.min(max, 100));
      const next = advanceWeight(current, step, max);
      assert.ok(next <= Math.min(max, 100) && next >= current, `advanceWeight(${current}, ${step}, ${max}) = ${next}`);
      assert.ok(100 - next >= 0);
    }), { numRuns });
  }],
  ['moves a stepWeight run up at every interval, monotonically, to exactly maxWeight', (numRuns: number): void => {
    fc.assert(fc.property(stepWeightRun, (analysis) => {
      const canary = withAnalysis(analysis);
      const weights = ladder(canary);
      assert.equal(weights.at(-1), maxWeight(canary));
      weights.forEach((w, i) => assert.ok(w > (weights[i - 1] ?? 0)));
      assert.equal(weights.length, Math.ceil(Math.min(maxWeight(canary), 100) / analysis.stepWeight));
    }), { numRuns });
  }],
  ['follows a stepWeights ladder rung by rung, the last rung clamped to 100', (numRuns: number): void => {
    fc.assert(fc.property(stepWeightsRun, (analysis) => {
      assert.deepEqual(ladder(withAnalysis(analysis)), [...new Set(analysis.stepWeights.map((rung) => Math.min(rung, 100)))]);
    }), { numRuns });
  }],
  ['brings the primary back to 100 in ceil(canary / stepWeightPromotion) promotion steps, never overshooting', (numRuns: number): void => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 1, max: 100 }), (canaryWeight, step) => {
      let primary = 100 - canaryWeight;
      let steps = 0;
      while (primary < 100) {
        const next = promotionWeight(primary, step);
        assert.ok(next > primary && next <= 100, `promotionWeight(${primary}, ${step}) = ${next}`);
        primary = next;
        steps += 1;
      }
      assert.equal(steps, Math.ceil(canaryWeight / step));
    }), { numRuns });
  }],
];
