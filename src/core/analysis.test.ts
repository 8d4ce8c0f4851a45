import { describe, expect, it } from 'vitest';
import { nextAnalysisStep, type AnalysisFacts, type AnalysisStep } from './analysis.js';
import { advanceWeight, promotionWeight } from './weights.js';

const ready = { ready: true } as const;
const base: AnalysisFacts = {
  phase: 'Progressing', strategy: 'canary', routesTraffic: true, skipAnalysis: false, weight: 10, failedChecks: 0, iterations: 0,
  threshold: 2, maxWeight: 50, stepWeight: 10, targetIterations: 5, mirror: false, mirrored: false, promoted: false, primary: ready, canary: ready,
  routes: 'applied', rollbackHook: 'not-requested', checks: 'ok', phaseOverdue: false,
};
const notReady = (retriable: boolean) => ({ ready: false, retriable, reason: 'x' }) as const;

describe('nextAnalysisStep', () => {
  it.each<[string, Partial<AnalysisFacts>, AnalysisStep]>([
    ['waits for a canary that is still rolling out, counting no failure', { canary: notReady(true) }, 'wait'],
    ['rolls back a canary past its progress deadline', { canary: notReady(false) }, 'rollback-deadline'],
    ['rolls back a canary past its deadline even while promoting', { phase: 'Promoting', canary: notReady(false) }, 'rollback-deadline'],
    ['waits for the primary rolling update while promoting', { phase: 'Promoting', primary: notReady(true) }, 'wait'],
    ['keeps traffic on the canary when the primary fails to roll out during promotion', { phase: 'Promoting', primary: notReady(false) }, 'failed-promotion'],
    ['promotes at once when analysis is skipped', { skipAnalysis: true }, 'promote-skipped'],
    ['asks the rollback hooks first', { rollbackHook: undefined }, 'ask-rollback-hooks'],
    ['rolls back when a rollback hook says so', { rollbackHook: 'requested' }, 'rollback-manual'],
    ['shifts traffic back to the primary while promoting', { phase: 'Promoting' }, 'shift-promotion-traffic'],
    ['finishes a finalising run', { phase: 'Finalising' }, 'finish'],
    ['goes on promoting when the primary already carries the revision (a promotion whose status was lost)',
      { primary: notReady(true), failedChecks: 2, promoted: true }, 'promote'],
    ['goes on finishing a skipped analysis whose promotion status was lost', { skipAnalysis: true, promoted: true }, 'promote-skipped'],
    ['finishes a finalising run whatever the canary readiness (all traffic is on the primary)', { phase: 'Finalising', canary: notReady(true) }, 'finish'],
    ['rolls back when failed checks reach the threshold', { failedChecks: 2 }, 'rollback-threshold'],
    ['runs the pre-rollout hooks on the first interval', { weight: 0 }, 'run-pre-rollout'],
    ['counts a failed pre-rollout hook', { weight: 0, preRollout: 'failed' }, 'count-failure'],
    ['advances after the pre-rollout hooks pass, without checks on that interval', { weight: 0, preRollout: 'ok', checks: undefined, trafficIncrease: 'ok' }, 'advance-weight'],
    ['runs the checks on later intervals', { checks: undefined }, 'run-checks'],
    ['counts a failed check', { checks: 'failed' }, 'count-failure'],
    ['asks confirm-traffic-increase before raising the weight', {}, 'ask-traffic-increase'],
    ['holds the weight while traffic increase is not confirmed', { trafficIncrease: 'failed' }, 'hold-traffic'],
    ['advances the weight', { trafficIncrease: 'ok' }, 'advance-weight'],
    ['asks confirm-promotion at max weight', { weight: 50 }, 'ask-promotion'],
    ['waits for promotion approval', { weight: 50, promotion: 'failed' }, 'wait-promotion'],
    ['promotes once approved', { weight: 50, promotion: 'ok' }, 'promote'],
    ['mirrors before the first weight step', { weight: 0, mirror: true, preRollout: 'ok' }, 'mirror'],
    ['blue/green counts iterations', { strategy: 'blue-green', iterations: 2 }, 'advance-iteration'],
    ['blue/green asks for promotion after the last iteration', { strategy: 'blue-green', iterations: 5 }, 'ask-promotion'],
    ['blue/green routes all traffic to the canary once approved', { strategy: 'blue-green', iterations: 5, promotion: 'ok' }, 'route-to-canary'],
    ['blue/green promotes after the live-traffic interval', { strategy: 'blue-green', iterations: 6, promotion: 'ok' }, 'promote'],
    ['blue/green on plain Services promotes right after the last iteration', { strategy: 'blue-green', routesTraffic: false, iterations: 5, promotion: 'ok' }, 'promote'],
    ['A/B counts iterations on the matched traffic', { strategy: 'ab-testing', iterations: 1 }, 'advance-iteration'],
    ['A/B promotes after the last iteration', { strategy: 'ab-testing', iterations: 5, promotion: 'ok' }, 'promote'],
    ['asks the provider whether the last weights are applied before anything else', { routes: undefined }, 'verify-routes'],
    ['holds the run, counting nothing, while the provider has not applied the weights', { routes: 'pending', checks: undefined }, 'wait-routes'],
    ['holds a finalising run, scaling nothing down, while the weights are pending', { phase: 'Finalising', routes: 'pending' }, 'wait-routes'],
    ['holds a skipped analysis while the weights are pending', { skipAnalysis: true, routes: 'pending' }, 'wait-routes'],
    ['rolls back when the provider never applied the weights by the deadline', { routes: 'overdue' }, 'rollback-routes'],
    ['fails a promotion whose weights were never applied, leaving the canary serving', { phase: 'Promoting', routes: 'overdue' }, 'failed-promotion'],
    ['waits for a canary still rolling out before asking the provider', { canary: notReady(true), routes: undefined }, 'wait'],
    ['fails a promotion whose primary is still rolling out past the deadline, leaving the canary serving',
      { phase: 'Promoting', primary: notReady(true), phaseOverdue: true }, 'failed-promotion'],
    ['fails a finalising run whose primary is still rolling out past the deadline', { phase: 'Finalising', primary: notReady(true), phaseOverdue: true }, 'failed-promotion'],
    ['routes back to the primary instead of to a canary that is not ready when the promotion fails',
      { phase: 'Promoting', primary: notReady(false), canary: notReady(true) }, 'rollback-deadline'],
    ['does not fail a promotion past the deadline while its primary is ready', { phase: 'Promoting', phaseOverdue: true }, 'shift-promotion-traffic'],
    ['rolls back a run held in WaitingPromotion past the approval deadline', { phase: 'WaitingPromotion', phaseOverdue: true }, 'rollback-approval'],
    ['still honours a rollback webhook first in WaitingPromotion', { phase: 'WaitingPromotion', phaseOverdue: true, rollbackHook: 'requested' }, 'rollback-manual'],
    ['rolls back a run whose weight a closed gate held past the approval deadline', { trafficIncrease: 'failed', trafficHeldOverdue: true }, 'rollback-approval'],
    ['goes on promoting from WaitingPromotion when the primary already carries the revision',
      { phase: 'WaitingPromotion', weight: 50, promotion: 'failed', promoted: true }, 'promote'],
    ['fails a finalising run whose weights were never applied, leaving the canary serving', { phase: 'Finalising', routes: 'overdue' }, 'failed-promotion'],
    ['rolls back an analysing run whose primary is past its progress deadline', { primary: notReady(false) }, 'rollback-deadline'],
    ['asks no rollback hooks while promoting', { phase: 'Promoting', rollbackHook: undefined }, 'shift-promotion-traffic'],
    ['asks the rollback hooks while waiting for promotion', { phase: 'WaitingPromotion', rollbackHook: undefined }, 'ask-rollback-hooks'],
    ['finishes a finalising run whose analysis is skipped', { skipAnalysis: true, phase: 'Finalising' }, 'finish'],
    ['shifts traffic back to the primary while promoting a skipped analysis', { skipAnalysis: true, phase: 'Promoting' }, 'shift-promotion-traffic'],
    ['runs the pre-rollout hooks before mirroring', { weight: 0, mirror: true }, 'run-pre-rollout'],
    ['runs the checks, not the pre-rollout hooks, on the mirrored interval', { weight: 0, mirror: true, mirrored: true, checks: undefined }, 'run-checks'],
    ['steps the weight after the mirrored interval without asking confirm-traffic-increase', { weight: 0, mirror: true, mirrored: true }, 'advance-weight'],
    ['mirrors only at weight 0: a mirrored run past its first step advances the weight', { mirror: true, trafficIncrease: 'ok' }, 'advance-weight'],
    ['asks no confirm-traffic-increase while waiting for promotion (maxWeight raised meanwhile)',
      { phase: 'WaitingPromotion', weight: 50, maxWeight: 80 }, 'advance-weight'],
    ['blue/green mirrors the first iteration when the provider routes traffic', { strategy: 'blue-green', mirror: true, weight: 0, preRollout: 'ok' }, 'mirror'],
    ['blue/green counts the iteration once the traffic is mirrored', { strategy: 'blue-green', mirror: true, mirrored: true, iterations: 1 }, 'advance-iteration'],
    ['blue/green on plain Services counts iterations instead of mirroring', { strategy: 'blue-green', mirror: true, routesTraffic: false, iterations: 1 }, 'advance-iteration'],
    ['blue/green waits for promotion approval before routing traffic to the canary',
      { strategy: 'blue-green', iterations: 5, promotion: 'failed' }, 'wait-promotion'],
  ])('%s', (_name, facts, expected) => {
    expect(nextAnalysisStep({ ...base, ...facts })).toBe(expected);
  });
});

describe('weights', () => {
  it.each([
    [0, 20, 50, 20], [40, 20, 50, 50], [20, 20, 50, 40], [95, 10, 100, 100], [0, 1, 100, 1],
  ])('advances %i by %i with max %i to %i, never past maxWeight', (current, step, max, expected) => {
    expect(advanceWeight(current, step, max)).toBe(expected);
  });

  it('raises the primary in promotion steps up to 100', () => {
    expect([promotionWeight(0, 50), promotionWeight(50, 50), promotionWeight(80, 50)]).toEqual([50, 100, 100]);
  });
});
