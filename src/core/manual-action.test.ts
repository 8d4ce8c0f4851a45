import { describe, expect, it } from 'vitest';
import type { CanaryPhase } from '../api/canary-status.js';
import { parseActionAnnotation, type ActionVerb } from '../api/manual-action.js';
import { nextAnalysisStep, type AnalysisFacts, type AnalysisStep } from './analysis.js';
import { decideAction, resumedWaitStart, type ActionFacts } from './manual-action.js';
import { nextStep, type TickFacts } from './next-step.js';

const request = (verb: ActionVerb, extra: object = {}) => parseActionAnnotation(JSON.stringify({ id: 'r1', verb, ...extra }));
const facts = (verb: ActionVerb, over: Partial<ActionFacts> = {}, extra: object = {}): ActionFacts => ({
  action: request(verb, extra), lastActionId: undefined, phase: 'Progressing', suspended: false, stalled: false, initialized: true, paused: undefined,
  pending: undefined, strategy: 'canary', routesTraffic: true, maxWeight: 50, weight: 20, ...over,
});
const outcome = (f: ActionFacts): string => {
  const d = decideAction(f);
  return d.kind === 'none' ? 'none' : d.kind;
};
const paused = { since: '2026-01-01T10:00:00Z', id: 'p0' };

describe('decideAction: which verb is accepted in which phase', () => {
  const phases: CanaryPhase[] = ['', 'Initializing', 'Initialized', 'Waiting', 'Progressing', 'WaitingPromotion', 'Promoting', 'Finalising', 'Succeeded', 'Failed'];
  const accepted: Record<Exclude<ActionVerb, 'resume'>, CanaryPhase[]> = {
    promote: ['Progressing', 'WaitingPromotion'],
    'promote-full': ['Progressing', 'WaitingPromotion', 'Promoting'],
    abort: ['Progressing', 'WaitingPromotion'],
    retry: ['Failed'],
    pause: ['Progressing', 'WaitingPromotion'],
    'set-weight': ['Progressing'],
  };
  for (const [verb, where] of Object.entries(accepted) as [Exclude<ActionVerb, 'resume'>, CanaryPhase[]][]) {
    it.each(phases)(`${verb} in phase "%s" is accepted only in ${where.join(', ')}`, (phase) => {
      expect(outcome(facts(verb, { phase }, { weight: 30 }))).toBe(where.includes(phase) ? 'accepted' : 'refused');
    });
  }
  it.each(phases)('resume in phase "%s" is accepted only while paused', (phase) => {
    expect(outcome(facts('resume', { phase }))).toBe('refused');
    expect(outcome(facts('resume', { phase, paused }))).toBe('accepted');
  });
});

describe('decideAction: refusals say why', () => {
  it.each<[string, ActionFacts, string]>([
    ['promote while Succeeded', facts('promote', { phase: 'Succeeded' }), 'promote refused: there is no run to promote: the canary is Succeeded'],
    ['promote while Promoting', facts('promote', { phase: 'Promoting' }), 'promote refused: the promotion is under way already'],
    ['retry while Progressing', facts('retry'), 'retry refused: retry needs a Failed run: the canary is Progressing'],
    ['retry after a failed initialization', facts('retry', { phase: 'Failed', initialized: false }), 'retry refused: the canary failed its initialization: there is no run to retry (fix the primary)'],
    ['set-weight above maxWeight', facts('set-weight', {}, { weight: 60 }), 'set-weight refused: weight 60 is outside 0..50 (analysis.maxWeight)'],
    ['set-weight below 0', facts('set-weight', {}, { weight: -1 }), 'set-weight refused: weight -1 is outside 0..50 (analysis.maxWeight)'],
    ['set-weight on blue/green', facts('set-weight', { strategy: 'blue-green' }, { weight: 10 }),
      'set-weight refused: set-weight applies to the canary strategy: this Canary runs blue-green, where no weights are set'],
    ['set-weight on A/B testing', facts('set-weight', { strategy: 'ab-testing' }, { weight: 10 }),
      'set-weight refused: set-weight applies to the canary strategy: this Canary runs ab-testing, where no weights are set'],
    ['set-weight without traffic routing', facts('set-weight', { routesTraffic: false }, { weight: 10 }),
      'set-weight refused: set-weight applies to the canary strategy: this Canary runs blue-green without traffic routing, where no weights are set'],
    ['set-weight while waiting for promotion', facts('set-weight', { phase: 'WaitingPromotion' }, { weight: 10 }), 'set-weight refused: the run waits for promotion at maxWeight'],
    ['abort while Promoting', facts('abort', { phase: 'Promoting' }), 'abort refused: the promotion is under way: the primary runs the new revision already'],
    ['abort while Waiting', facts('abort', { phase: 'Waiting' }), 'abort refused: the run has not started: it waits for its confirm-rollout gate'],
    ['pause twice', facts('pause', { paused }), 'pause refused: the run is paused already (since 2026-01-01T10:00:00Z, request p0)'],
    ['pause while Promoting', facts('pause', { phase: 'Promoting' }), 'pause refused: the promotion is under way and cannot be paused'],
    ['resume when not paused', facts('resume'), 'resume refused: the run is not paused (the canary is Progressing)'],
    ['anything on a suspended canary', facts('promote', { suspended: true }), 'promote refused: the canary is suspended (spec.suspend: true)'],
    ['anything on a canary whose spec cannot be acted on', facts('abort', { stalled: true }), 'abort refused: the spec cannot be acted on: see the Stalled condition'],
    ['promote while an abort is carried out', facts('promote', { pending: { id: 'a1', verb: 'abort' } }), 'promote refused: an abort (request a1) is being carried out'],
    ['abort twice', facts('abort', { pending: { id: 'a1', verb: 'abort' } }), 'abort refused: an abort (request a1) is being carried out'],
    ['pause while a promote is carried out', facts('pause', { pending: { id: 'p1', verb: 'promote' } }), 'pause refused: a promote (request p1) is being carried out'],
    ['promote-full twice while Promoting', facts('promote-full', { phase: 'Promoting', pending: { id: 'f1', verb: 'promote-full' } }),
      'promote-full refused: a promote-full (request f1) is being carried out'],
  ])('refuses %s', (_, f, message) => {
    expect(decideAction(f)).toEqual({ kind: 'refused', id: 'r1', verb: f.action.ok ? f.action.request.verb : '', message });
  });

  it('refuses an annotation that is not JSON with the parser message, under an id derived from the value', () => {
    const decision = decideAction({ ...facts('promote'), action: parseActionAnnotation('promote please') });
    expect(decision).toMatchObject({ kind: 'refused', verb: '', id: expect.stringMatching(/^invalid-[0-9a-f]{8}$/) });
    expect(decision.kind === 'refused' && decision.message).toMatch(/^the songbird\.flagger\.app\/action annotation is not JSON: /);
  });
});

describe('decideAction: what is accepted and what it does', () => {
  it('answers a request id only once (the id in status.lastAction is never applied again)', () => {
    expect(decideAction(facts('abort', { lastActionId: 'r1' }))).toEqual({ kind: 'none' });
    expect(decideAction({ ...facts('abort', { lastActionId: 'r1' }), action: parseActionAnnotation(JSON.stringify({ id: 'r1', verb: 'zap' })) })).toEqual({ kind: 'none' });
  });

  it.each<[string, ActionFacts, unknown, string]>([
    ['promote', facts('promote'), { kind: 'pending', pending: { id: 'r1', verb: 'promote' } }, 'promote accepted: the rest of the analysis is skipped; the run goes on to promotion'],
    ['promote-full over a pending promote', facts('promote-full', { pending: { id: 'p', verb: 'promote' } }), { kind: 'pending', pending: { id: 'r1', verb: 'promote-full' } },
      'promote-full accepted: the primary is promoted now and all traffic goes back to it at once'],
    ['abort with a reason', facts('abort', {}, { reason: 'p99 spikes' }), { kind: 'pending', pending: { id: 'r1', verb: 'abort', reason: 'p99 spikes' } }, 'abort accepted: rolling back: p99 spikes'],
    ['abort of a paused run', facts('abort', { paused }), { kind: 'pending', pending: { id: 'r1', verb: 'abort' } }, 'abort accepted: rolling back'],
    ['retry', facts('retry', { phase: 'Failed' }), { kind: 'pending', pending: { id: 'r1', verb: 'retry' } }, 'retry accepted: a new run of the same revision starts'],
    ['pause', facts('pause'), { kind: 'pause' }, 'pause accepted: the run holds at weight 20 until resumed'],
    ['resume', facts('resume', { paused }), { kind: 'resume' }, 'resume accepted: the run goes on from weight 20'],
    ['set-weight 0', facts('set-weight', {}, { weight: 0 }), { kind: 'pause', weight: 0 }, 'set-weight accepted: the canary weight moves to 0 and holds there until resumed'],
    ['set-weight at maxWeight while paused', facts('set-weight', { paused }, { weight: 50 }), { kind: 'pause', weight: 50 }, 'set-weight accepted: the canary weight moves to 50 and holds there until resumed'],
  ])('accepts %s', (_, f, effect, message) => {
    expect(decideAction(f)).toMatchObject({ kind: 'accepted', id: 'r1', effect, message });
  });
});

describe('the analysis of a run with a manual action', () => {
  const base: AnalysisFacts = {
    phase: 'Progressing', strategy: 'canary', routesTraffic: true, skipAnalysis: false, weight: 20, failedChecks: 0, iterations: 0,
    threshold: 2, maxWeight: 50, stepWeight: 10, targetIterations: 5, mirror: false, mirrored: false, promoted: false,
    primary: { ready: true }, canary: { ready: true }, routes: 'applied', rollbackHook: 'not-requested', checks: 'ok', phaseOverdue: false,
  };
  const notReady = { ready: false, retriable: false, reason: 'x' } as const;
  it.each<[string, Partial<AnalysisFacts>, AnalysisStep]>([
    ['an abort rolls back even a canary that is not ready', { manual: 'abort', canary: notReady }, 'rollback-aborted'],
    ['an abort rolls back a paused run', { manual: 'abort', paused: {} }, 'rollback-aborted'],
    ['a paused run holds, whatever its failed checks', { paused: {}, failedChecks: 5 }, 'hold-paused'],
    ['a paused run waiting for promotion holds past the approval deadline', { phase: 'WaitingPromotion', paused: {}, phaseOverdue: true }, 'hold-paused'],
    ['set-weight moves the weight first', { paused: { weight: 40 } }, 'set-weight'],
    ['set-weight then holds at its weight', { paused: { weight: 20 } }, 'hold-paused'],
    ['promote skips the checks and asks the promotion gate', { manual: 'promote', checks: undefined, failedChecks: 1 }, 'ask-promotion'],
    ['promote waits while the gate is closed', { manual: 'promote', promotion: 'failed' }, 'wait-promotion'],
    ['promote promotes once the gate opens', { manual: 'promote', promotion: 'ok' }, 'promote'],
    ['promote behind a gate closed past the approval deadline rolls back', { manual: 'promote', phase: 'WaitingPromotion', phaseOverdue: true }, 'rollback-approval'],
    ['promote-full promotes without asking the gate', { manual: 'promote-full', promotion: undefined, checks: undefined }, 'promote'],
    ['promote still waits for a primary that is not ready', { manual: 'promote-full', primary: { ready: false, retriable: true, reason: 'x' } }, 'wait'],
    ['a promotion in progress shifts traffic as before after promote-full', { manual: 'promote-full', phase: 'Promoting' }, 'shift-promotion-traffic'],
  ])('%s', (_, over, step) => {
    expect(nextAnalysisStep({ ...base, ...over })).toBe(step);
  });

  it('starts a new run of the same revision after a retry of a Failed run', () => {
    const tick: TickFacts = {
      phase: 'Failed', deleting: false, hasFinalizer: false, revertOnDeletion: false, suspended: false, stalled: false, target: 'ok',
      primary: { ready: true }, targetReplicas: 0, revisionChanged: false, verifiesRoutes: false, routes: 'unverified', scaleDownPending: false,
      initialized: true, phaseOverdue: false, postRolloutPending: false,
    };
    const done = new Set(['reconcile-workloads', 'reconcile-routing'] as const);
    expect(nextStep(tick, done)).toBe('idle');
    expect(nextStep({ ...tick, retryRequested: true }, done)).toBe('start-run');
  });
});

describe('resumedWaitStart', () => {
  it('moves a wait on by the time paused: 10:00 wait, paused 10:05 to 10:35, counts from 10:30', () => {
    const at = (hhmm: string) => Date.parse(`2026-01-01T${hhmm}:00Z`);
    expect(resumedWaitStart(at('10:00'), at('10:05'), at('10:35'))).toBe(at('10:30'));
  });
  it('leaves a wait without a pause start as it was', () => {
    expect(resumedWaitStart(1000, Number.NaN, 5000)).toBe(1000);
  });
});
