/**
 * Properties of the phase machine (src/core/next-step.ts and src/core/analysis.ts): from any state and any
 * facts, a tick and an analysis interval end; no step sends traffic to a canary that is not ready; a run
 * finishes only from Finalising; a resting canary stays put without a new revision; a wait past its deadline
 * ends. Facts are drawn freely (a superset of the reachable ones); effects answer at random.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { CanaryPhase } from '../../src/api/canary-status.js';
import { needsResult, nextAnalysisStep, type AnalysisFacts, type AnalysisStep } from '../../src/core/analysis.js';
import { isTerminal, nextStep, type StepKind, type TickFacts } from '../../src/core/next-step.js';
import type { Readiness } from '../../src/core/readiness.js';
import type { PropertyCheck } from './weights.js';

const phases: CanaryPhase[] = ['', 'Initializing', 'Initialized', 'Waiting', 'Progressing', 'WaitingPromotion', 'Promoting', 'Finalising', 'Succeeded', 'Failed'];
const readiness: fc.Arbitrary<Readiness> = fc.oneof(
  fc.constant({ ready: true } as const),
  fc.record({ ready: fc.constant(false as const), retriable: fc.boolean(), reason: fc.constant('rolling out') }),
);
const outcome = fc.constantFrom('ok' as const, 'failed' as const);
const routes = fc.constantFrom('applied' as const, 'pending' as const, 'overdue' as const);

const tickFacts: fc.Arbitrary<TickFacts> = fc.record({
  phase: fc.constantFrom(...phases), deleting: fc.boolean(), hasFinalizer: fc.boolean(), revertOnDeletion: fc.boolean(), suspended: fc.boolean(),
  stalled: fc.boolean(), target: fc.constantFrom('ok' as const, 'missing' as const, 'invalid' as const), primary: fc.oneof(fc.constant('missing' as const), readiness),
  targetReplicas: fc.integer({ min: 0, max: 3 }), revisionChanged: fc.boolean(), verifiesRoutes: fc.boolean(), routes: fc.constant('unverified' as const),
  scaleDownPending: fc.boolean(), postRolloutPending: fc.boolean(), initialized: fc.boolean(), phaseOverdue: fc.boolean(),
});

/** Runs the tick's decisions as the driver does (tick.ts), the provider answering `verified`; returns the steps. */
function driveTick(facts: TickFacts, verified: TickFacts['routes']): StepKind[] {
  const done = new Set<StepKind>();
  const steps: StepKind[] = [];
  let current = facts;
  for (let i = 0; i < 16; i++) {
    const step = nextStep(current, done);
    steps.push(step);
    if (isTerminal(step)) return steps;
    done.add(step);
    if (step === 'add-finalizer' || step === 'remove-finalizer') current = { ...current, hasFinalizer: step === 'add-finalizer' };
    if (step === 'verify-routes') current = { ...current, routes: verified };
  }
  throw new Error(`no terminal step after ${steps.join(', ')}`);
}

const analysisFacts: fc.Arbitrary<AnalysisFacts> = fc.record({
  phase: fc.constantFrom<CanaryPhase>('Progressing', 'WaitingPromotion', 'Promoting', 'Finalising'),
  strategy: fc.constantFrom('canary' as const, 'blue-green' as const, 'ab-testing' as const), routesTraffic: fc.boolean(), skipAnalysis: fc.boolean(),
  weight: fc.integer({ min: 0, max: 100 }), failedChecks: fc.integer({ min: 0, max: 5 }), iterations: fc.integer({ min: 0, max: 12 }),
  threshold: fc.integer({ min: 1, max: 5 }), maxWeight: fc.integer({ min: 1, max: 100 }), stepWeight: fc.integer({ min: 1, max: 100 }),
  targetIterations: fc.integer({ min: 1, max: 10 }), mirror: fc.boolean(), mirrored: fc.boolean(), primary: readiness, canary: readiness, phaseOverdue: fc.boolean(),
  promoted: fc.boolean(),
});
const answers = fc.record({
  routes, rollbackHook: fc.constantFrom('requested' as const, 'not-requested' as const), preRollout: outcome, checks: outcome,
  trafficIncrease: outcome, trafficHeldOverdue: fc.boolean(), promotion: outcome,
});
type Answers = typeof answers extends fc.Arbitrary<infer A> ? A : never;

/** Runs one interval's analysis as the driver does (analysis.ts), effects answering from `given`; returns the steps and facts. */
function driveAnalysis(start: AnalysisFacts, given: Answers): { steps: AnalysisStep[]; facts: AnalysisFacts } {
  const facts: AnalysisFacts = { ...start };
  const steps: AnalysisStep[] = [];
  for (let i = 0; i < 12; i++) {
    const step = nextAnalysisStep(facts);
    steps.push(step);
    if (!needsResult(step)) return { steps, facts };
    answer(facts, step, given);
  }
  throw new Error(`no terminal analysis step after ${steps.join(', ')}`);
}

function answer(facts: AnalysisFacts, step: AnalysisStep, given: Answers): void {
  switch (step) {
    case 'verify-routes': facts.routes = given.routes; break;
    case 'ask-rollback-hooks': facts.rollbackHook = given.rollbackHook; break;
    case 'run-pre-rollout': facts.preRollout = given.preRollout; break;
    case 'run-checks': facts.checks = given.checks; break;
    case 'ask-traffic-increase': Object.assign(facts, { trafficIncrease: given.trafficIncrease, trafficHeldOverdue: given.trafficHeldOverdue }); break;
    default: facts.promotion = given.promotion;
  }
}

/** Steps that send live traffic (or a mirror of it) to the canary. */
const TO_CANARY: ReadonlySet<AnalysisStep> = new Set<AnalysisStep>(['advance-weight', 'route-to-canary', 'advance-iteration', 'mirror', 'failed-promotion', 'promote', 'promote-skipped']);
/** Steps that change the phase or start work; a resting canary takes none of them without a new revision. */
const MOVES: ReadonlySet<StepKind> = new Set<StepKind>(['mark-initialized', 'start-run', 'restart-run', 'analyse', 'fail-initialization', 'fail-waiting']);

export const phaseMachineProperties: readonly PropertyCheck[] = [
  ['reaches a terminal step from any state and any facts', (numRuns: number): void => {
    fc.assert(fc.property(tickFacts, routes, (facts, verified) => {
      assert.ok(isTerminal(driveTick(facts, verified).at(-1) ?? 'idle'));
    }), { numRuns });
    fc.assert(fc.property(analysisFacts, answers, (facts, given) => {
      assert.ok(!needsResult(driveAnalysis(facts, given).steps.at(-1) ?? 'verify-routes'));
    }), { numRuns });
  }],
  ['never sends traffic to a canary that is not ready', (numRuns: number): void => {
    fc.assert(fc.property(analysisFacts, answers, (facts, given) => {
      fc.pre(!facts.canary.ready);
      // A run whose template copy is already on the primary (`promoted`: the copy happened, its status was lost)
      // only records that promotion again: it moves no traffic and copies nothing.
      const recorded = (s: AnalysisStep): boolean => facts.promoted && (s === 'promote' || s === 'promote-skipped');
      assert.deepEqual(driveAnalysis(facts, given).steps.filter((s) => TO_CANARY.has(s) && !recorded(s)), []);
    }), { numRuns });
  }],
  ['finishes (Succeeded) only from Finalising, promotes only an analysed run, and skips the analysis only when told to', (numRuns: number): void => {
    fc.assert(fc.property(analysisFacts, answers, (facts, given) => {
      const steps = driveAnalysis(facts, given).steps;
      if (steps.includes('finish')) assert.equal(facts.phase, 'Finalising');
      if (steps.includes('promote')) assert.ok(facts.phase === 'Progressing' || facts.phase === 'WaitingPromotion', facts.phase);
      if (steps.includes('promote-skipped')) assert.ok(facts.skipAnalysis && (facts.phase === 'Progressing' || facts.phase === 'WaitingPromotion'));
    }), { numRuns });
  }],
  ['keeps a resting canary where it is without a new revision', (numRuns: number): void => {
    fc.assert(fc.property(tickFacts, routes, fc.constantFrom<CanaryPhase>('Initialized', 'Succeeded', 'Failed'), (facts, verified, phase) => {
      const resting = { ...facts, phase, initialized: true, revisionChanged: false };
      assert.deepEqual(driveTick(resting, verified).filter((s) => MOVES.has(s)), []);
    }), { numRuns });
  }],
  ['ends every wait past its deadline: no more waiting on the primary while promoting, on a gate, or in Waiting', (numRuns: number): void => {
    fc.assert(fc.property(analysisFacts, answers, (facts, given) => {
      const { steps, facts: end } = driveAnalysis({ ...facts, phaseOverdue: true }, given);
      const last = steps.at(-1);
      const promoting = facts.phase === 'Promoting' || facts.phase === 'Finalising';
      if (promoting && !facts.skipAnalysis && !facts.primary.ready) assert.notEqual(last, 'wait');
      if (facts.phase === 'WaitingPromotion') assert.notEqual(last, 'wait-promotion');
      if (last === 'hold-traffic') assert.equal(end.trafficHeldOverdue, false);
    }), { numRuns });
    fc.assert(fc.property(tickFacts, routes, (facts, verified) => {
      assert.ok(!driveTick({ ...facts, phase: 'Waiting', phaseOverdue: true }, verified).includes('start-run'));
    }), { numRuns });
  }],
];
