/**
 * Properties of the release preview (src/core/plan.ts): the plan agrees with the analysis decision
 * (src/core/analysis.ts) run tick by tick with every check passing and every gate open, and its durations
 * hold together.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Canary, CanaryProvider } from '../../src/api/canary.js';
import {
  analysisInterval, analysisIterations, analysisThreshold, deploymentStrategy, maxWeight, nextStepWeight,
} from '../../src/api/defaults.js';
import { needsResult, nextAnalysisStep, type AnalysisFacts, type AnalysisStep } from '../../src/core/analysis.js';
import { planRelease } from '../../src/core/plan.js';
import { advanceWeight, promotionWeight } from '../../src/core/weights.js';
import type { PropertyCheck } from './weights.js';

const ladder = fc.uniqueArray(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 8 }).map((w) => [...w].sort((a, b) => a - b));
const strategy = fc.oneof(
  fc.record({ stepWeight: fc.integer({ min: 1, max: 100 }), maxWeight: fc.option(fc.integer({ min: 1, max: 100 }), { nil: undefined }) }),
  fc.record({ stepWeights: ladder }),
  fc.record({ iterations: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ iterations: fc.integer({ min: 1, max: 12 }), match: fc.constant([{ headers: { user: { exact: 'x' } } }]) }),
);

/** A random Canary with only what the plan reads. */
export const canaryArbitrary = fc.record({
  strategy,
  interval: fc.constantFrom('10s', '30s', '1m', '90s'),
  threshold: fc.integer({ min: 1, max: 10 }),
  mirror: fc.boolean(),
  stepWeightPromotion: fc.option(fc.integer({ min: 1, max: 100 }), { nil: undefined }),
  provider: fc.constantFrom<CanaryProvider>('istio', 'kubernetes', 'nginx'),
}).map(({ strategy: s, provider, ...rest }) => ({
  apiVersion: 'flagger.app/v1beta1', kind: 'Canary', metadata: { name: 'podinfo', namespace: 'test' },
  spec: {
    provider, targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
    analysis: { ...s, ...rest },
  },
}) as Canary);

interface Walk { ticks: number; weights: number[] }

type Run = { phase: AnalysisFacts['phase']; weight: number; iterations: number; mirrored: boolean };

function factsOf(canary: Canary, run: Run): AnalysisFacts {
  const provider = canary.spec.provider ?? 'istio';
  return {
    phase: run.phase, strategy: provider === 'kubernetes' ? 'blue-green' : deploymentStrategy(canary), routesTraffic: provider !== 'kubernetes',
    skipAnalysis: false, weight: run.weight, failedChecks: 0, iterations: run.iterations, threshold: analysisThreshold(canary),
    maxWeight: maxWeight(canary), stepWeight: nextStepWeight(canary, run.weight), targetIterations: analysisIterations(canary, provider),
    mirror: canary.spec.analysis.mirror === true, mirrored: run.mirrored, promoted: false, primary: { ready: true }, canary: { ready: true },
    phaseOverdue: false, routes: 'applied', rollbackHook: 'not-requested',
  };
}

const answers: Partial<Record<AnalysisStep, (f: AnalysisFacts) => void>> = {
  'run-pre-rollout': (f) => { f.preRollout = 'ok'; },
  'run-checks': (f) => { f.checks = 'ok'; },
  'ask-traffic-increase': (f) => { f.trafficIncrease = 'ok'; },
  'ask-promotion': (f) => { f.promotion = 'ok'; },
};

/** The analysis decision run with every answer positive, until Succeeded: the ticks it takes and the weights it sets. */
function walk(canary: Canary): Walk {
  const run: Run = { phase: 'Progressing', weight: 0, iterations: 0, mirrored: false };
  const weights: number[] = [];
  for (let tick = 1; tick <= 400; tick += 1) {
    const f = factsOf(canary, run);
    let step = nextAnalysisStep(f);
    for (; needsResult(step); step = nextAnalysisStep(f)) {
      const answer = answers[step];
      if (answer === undefined) throw new Error(`unexpected ask ${step}`);
      answer(f);
    }
    if (step === 'finish') return { ticks: tick, weights };
    apply(canary, run, step, f);
    if (run.phase === 'Progressing' && run.weight > 0 && weights.at(-1) !== run.weight) weights.push(run.weight);
  }
  throw new Error('the run does not end');
}

// The promotion's traffic step, as steps/analysis-effects.ts shiftPromotionTraffic.
function shiftPromotion(canary: Canary, run: Run, f: AnalysisFacts): void {
  const s = canary.spec.analysis.stepWeightPromotion ?? 0;
  if (f.routesTraffic && s > 0 && run.weight > 0) {
    run.weight = 100 - promotionWeight(100 - run.weight, s);
    if (run.weight > 0) return;
  }
  run.weight = 0;
  run.phase = 'Finalising';
}

// The effects of the steps that end a tick, as steps/analysis-effects.ts does them to the status.
function apply(canary: Canary, run: Run, step: AnalysisStep, f: AnalysisFacts): void {
  const effects: Partial<Record<AnalysisStep, () => void>> = {
    'advance-weight': () => { run.weight = advanceWeight(run.weight, f.stepWeight, f.maxWeight); run.mirrored = false; },
    mirror: () => { run.mirrored = true; if (f.strategy === 'blue-green') run.iterations += 1; },
    'advance-iteration': () => { run.iterations += 1; },
    'route-to-canary': () => { run.iterations += 1; },
    promote: () => { run.phase = 'Promoting'; },
    'shift-promotion-traffic': () => shiftPromotion(canary, run, f),
  };
  const effect = effects[step];
  if (effect === undefined) throw new Error(`unexpected step ${step}`);
  effect();
}

/** The properties, each a named check over `numRuns` random Canaries. */
export const planProperties: readonly PropertyCheck[] = [
  ['the plan has as many ticks as the analysis decision takes to Succeeded when every check passes', (numRuns: number): void => {
    fc.assert(fc.property(canaryArbitrary, (canary) => {
      assert.equal(planRelease(canary).steps.length, walk(canary).ticks);
    }), { numRuns });
  }],
  ['a canary-strategy plan walks the weights the analysis decision sets', (numRuns: number): void => {
    fc.assert(fc.property(canaryArbitrary.filter((c) => c.spec.provider !== 'kubernetes' && deploymentStrategy(c) === 'canary'), (canary) => {
      assert.deepEqual(planRelease(canary).weights, walk(canary).weights);
    }), { numRuns });
  }],
  ['the minimum is one interval per tick and the worst case is never shorter', (numRuns: number): void => {
    fc.assert(fc.property(canaryArbitrary, (canary) => {
      const plan = planRelease(canary);
      assert.equal(plan.minSeconds, plan.steps.length * (analysisInterval(canary) / 1000));
      assert.ok(plan.maxSeconds >= plan.minSeconds + (analysisThreshold(canary) - 1) * plan.intervalSeconds);
    }), { numRuns });
  }],
  ['ticks are numbered 1..n and the run ends in Finalising at weight 0', (numRuns: number): void => {
    fc.assert(fc.property(canaryArbitrary, (canary) => {
      const { steps } = planRelease(canary);
      assert.deepEqual(steps.map((s) => s.tick), steps.map((_, i) => i + 1));
      assert.equal(steps.at(-1)?.phase, 'Finalising');
      assert.equal(steps.at(-1)?.canaryWeight, 0);
    }), { numRuns });
  }],
];
