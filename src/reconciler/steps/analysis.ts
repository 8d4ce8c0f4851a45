import { analysisThreshold } from '../../api/defaults.js';
import { needsResult, nextAnalysisStep, type AnalysisFacts, type AnalysisStep } from '../../core/analysis.js';
import { isOverdue, overdueMessage, overdueReason } from '../../core/deadlines.js';
import { failedMetricCheck, refusedWebhookCheck, thresholdFailure } from '../../core/failure-cause.js';
import type { ConditionReason } from '../../api/conditions.js';
import { hooksOfType, rollbackHookSignalling, runHooks, type GateResult } from '../../webhooks/gates.js';
import type { TickContext } from '../tick-context.js';
import { gatherAnalysisFacts } from './analysis-facts.js';
import { metricChecks } from './analysis-metrics.js';
import { verifyTraffic } from './verification.js';
import {
  advanceCanaryWeight, advanceIteration, failedPromotion, finish, mirror, promote, promoteSkipped, rollback, routeToCanary, setHeldWeight,
  shiftPromotionTraffic,
} from './analysis-effects.js';

/** Per-tick state of the analysis driver: the facts, the last gate that refused, the rollback hook that asked. */
interface Analysis {
  facts: AnalysisFacts;
  refused?: Extract<GateResult, { ok: false }> & { type: string };
  rollbackHook?: string;
}

type Runner = (ctx: TickContext, a: Analysis) => Promise<void>;

const ASK: Partial<Record<AnalysisStep, Runner>> = {
  'verify-routes': async (ctx, a) => {
    a.facts.routes = await verifyTraffic(ctx);
  },
  'ask-rollback-hooks': async (ctx, a) => {
    const hook = hooksOfType(ctx.canary, 'rollback').length === 0 ? undefined : await rollbackHookSignalling(ctx.deps.analysis.webhooks, ctx.canary, ctx.phase);
    a.facts.rollbackHook = hook === undefined ? 'not-requested' : 'requested';
    if (hook !== undefined) a.rollbackHook = hook;
  },
  'run-pre-rollout': async (ctx, a) => {
    ctx.notice('info', `Starting canary analysis for ${ctx.canary.spec.targetRef.name}.${ctx.identity.namespace}`);
    a.facts.preRollout = await gate(ctx, a, 'pre-rollout', (r) => `Halt advancement pre-rollout check ${r.hook} failed ${r.reason}`);
  },
  'run-checks': async (ctx, a) => {
    const hooks = await gate(ctx, a, 'rollout', (r) => `Halt advancement rollout check ${r.hook} failed ${r.reason}`);
    a.facts.checks = hooks === 'failed' ? 'failed' : await metricChecks(ctx);
  },
  'ask-traffic-increase': async (ctx, a) => {
    a.facts.trafficIncrease = await waitingGate(ctx, a, 'confirm-traffic-increase', `Halt ${ctx.displayName} advancement waiting for traffic increase approval`);
    a.facts.trafficHeldOverdue = trafficHeld(ctx, a.facts.trafficIncrease === 'failed');
  },
  'ask-promotion': async (ctx, a) => {
    a.facts.promotion = await waitingGate(ctx, a, 'confirm-promotion', `Halt ${ctx.displayName} advancement waiting for promotion approval`);
  },
};

const RUN: Partial<Record<AnalysisStep, Runner>> = {
  wait: (ctx, a) => {
    const why = !a.facts.canary.ready ? a.facts.canary.reason : !a.facts.primary.ready ? a.facts.primary.reason : 'waiting';
    ctx.reportProblem({ reason: 'RolloutInProgress', message: `waiting for rollout: ${why}`, severity: 'info' });
    return Promise.resolve();
  },
  'failed-promotion': (ctx, a) => {
    const why = promotionFailure(ctx, a.facts);
    return failRun(ctx, why.reason, `Promotion failed, ${why.text} ${ctx.displayName}`, () => failedPromotion(ctx, why.text));
  },
  // verifyTraffic has put the reason in the Ready condition and status.trafficPending.
  'wait-routes': () => Promise.resolve(),
  'rollback-routes': (ctx) => rollbackFor(ctx, 'TrafficNotApplied', `traffic weights not applied within the progress deadline: ${ctx.status.trafficPending?.reason ?? ''}`),
  'rollback-deadline': (ctx, a) => rollbackFor(ctx, 'ProgressDeadlineExceeded', `progress deadline exceeded: ${readinessReason(a.facts)}`),
  'rollback-threshold': (ctx) => {
    const threshold = analysisThreshold(ctx.canary);
    const why = thresholdFailure(threshold, ctx.status.lastFailedCheck);
    return rollbackFor(ctx, why.reason, `failed checks threshold reached ${threshold}`, { detail: why.text });
  },
  'rollback-manual': (ctx, a) => rollbackFor(ctx, 'RollbackRequested', 'manual webhook invoked', {
    severity: 'warn', detail: `rollback webhook ${a.rollbackHook ?? ''} asked for a rollback`,
  }),
  'rollback-approval': (ctx, a) => {
    const gate = a.facts.phase === 'WaitingPromotion' ? 'confirm-promotion' : 'confirm-traffic-increase';
    return rollbackFor(ctx, overdueReason(gate), overdueMessage(gate, ctx.deadlines));
  },
  'promote-skipped': (ctx) => promoteSkipped(ctx),
  'shift-promotion-traffic': (ctx, a) => shiftPromotionTraffic(ctx, a.facts.manual === 'promote-full'),
  'rollback-aborted': (ctx) => {
    const request = ctx.status.pendingAction;
    const reason = request?.reason === undefined || request.reason === '' ? '' : `: ${request.reason}`;
    return rollbackFor(ctx, 'Aborted', `aborted by request ${request?.id ?? ''}${reason}`, { severity: 'warn' });
  },
  'set-weight': (ctx, a) => setHeldWeight(ctx, a.facts.paused?.weight ?? 0),
  'hold-paused': (ctx) => {
    const paused = ctx.status.paused;
    ctx.report = { reason: 'Paused', message: `paused at weight ${ctx.status.canaryWeight ?? 0} since ${paused?.since ?? ''} by request ${paused?.id ?? ''}`, severity: 'info' };
    return Promise.resolve();
  },
  finish: (ctx) => finish(ctx),
  'count-failure': (ctx, a) => {
    ctx.status.failedChecks = (ctx.status.failedChecks ?? 0) + 1;
    const failed = a.refused === undefined ? failedMetricCheck(ctx.status.lastMetricValues) : refusedWebhookCheck({ name: a.refused.hook, type: a.refused.type }, a.refused.reason, ctx.timestamp);
    if (failed !== undefined) ctx.status.lastFailedCheck = failed;
    return Promise.resolve();
  },
  'hold-traffic': () => Promise.resolve(),
  'advance-weight': (ctx, a) => advanceCanaryWeight(ctx, a.facts.stepWeight, a.facts.maxWeight),
  mirror: (ctx, a) => mirror(ctx, a.facts.strategy === 'blue-green'),
  'advance-iteration': (ctx, a) => advanceIteration(ctx, a.facts.strategy === 'ab-testing'),
  'route-to-canary': (ctx) => routeToCanary(ctx),
  'wait-promotion': (ctx) => {
    if (ctx.phase !== 'WaitingPromotion') ctx.setPhase('WaitingPromotion');
    return Promise.resolve();
  },
  promote: (ctx) => promote(ctx),
};

/**
 * Ends the run in Failed through `effect` and shows why in the Ready condition. The effect's alert goes out
 * only if the effect completed: when it throws (a route write failed, say), its notices are dropped, the
 * tick reports the error and the next interval fails the run again, alerting then. One failure, one alert.
 */
async function failRun(ctx: TickContext, reason: ConditionReason, message: string, effect: () => Promise<void>): Promise<void> {
  const mark = ctx.notices.length;
  try {
    await effect();
  } catch (error) {
    ctx.notices.splice(mark);
    throw error;
  }
  ctx.report = { reason, message, severity: 'error' };
}

/**
 * Rolls back, with `why` in the event and alert (Flagger's text) and `detail`, when given, in the Ready
 * condition instead: which check, which webhook.
 * parity: Flagger's condition says only `Failed`.
 */
function rollbackFor(ctx: TickContext, reason: ConditionReason, why: string, opts: { severity?: 'warn' | 'error'; detail?: string } = {}): Promise<void> {
  return failRun(ctx, reason, `Rolling back ${ctx.displayName} ${opts.detail ?? why}`, () => rollback(ctx, why, opts.severity ?? 'error'));
}

// Why a promotion failed: the provider never applied its weights, the primary's rollout got stuck, or it
// did not finish within the progress deadline counted from the start of the promotion.
function promotionFailure(ctx: TickContext, f: AnalysisFacts): { reason: ConditionReason; text: string } {
  if (f.routes === 'overdue') return { reason: 'TrafficNotApplied', text: `weights not applied: ${ctx.status.trafficPending?.reason ?? ''}` };
  const detail = f.primary.ready ? '' : `: ${f.primary.reason}`;
  const stuck = !f.primary.ready && !f.primary.retriable;
  return { reason: 'ProgressDeadlineExceeded', text: stuck ? `primary not ready${detail}` : `${overdueMessage('promotion', ctx.deadlines)}${detail}` };
}

/**
 * Tracks how long a closed confirm-traffic-increase gate holds the weight (status.trafficHeldSince, cleared
 * when it opens); true once that is longer than the approval deadline.
 */
function trafficHeld(ctx: TickContext, held: boolean): boolean {
  if (!held) {
    delete ctx.status.trafficHeldSince;
    return false;
  }
  ctx.status.trafficHeldSince ??= ctx.timestamp;
  return isOverdue(Date.parse(ctx.status.trafficHeldSince), ctx.now, ctx.deadlines.approvalDeadlineSeconds);
}

function readinessReason(f: AnalysisFacts): string {
  if (!f.canary.ready) return f.canary.reason;
  return f.primary.ready ? '' : f.primary.reason;
}

/**
 * One interval of a run: asks the pure decision for the next step, runs the effects it needs a result from
 * (hooks, metric checks, gates) and feeds the result back, until a step that ends the tick.
 */
export async function analyse(ctx: TickContext): Promise<void> {
  const a: Analysis = { facts: await gatherAnalysisFacts(ctx) };
  for (let i = 0; i < 12; i++) {
    const step = nextAnalysisStep(a.facts);
    const runner = needsResult(step) ? ASK[step] : RUN[step];
    if (runner === undefined) throw new Error(`no effect for analysis step ${step}`);
    await runner(ctx, a);
    if (!needsResult(step)) return;
  }
  throw new Error('analysis did not reach a terminal step');
}

async function gate(ctx: TickContext, a: Analysis, type: 'pre-rollout' | 'rollout', message: (r: Extract<GateResult, { ok: false }>) => string): Promise<'ok' | 'failed'> {
  const result = await runHooks(ctx.deps.analysis.webhooks, ctx.canary, type, 'Progressing');
  if (result.ok) return 'ok';
  a.refused = { ...result, type };
  // A failing pre-rollout hook alerts once per run (on its first failure), not every interval.
  const alert = type === 'pre-rollout' && (ctx.status.failedChecks ?? 0) === 0 && !result.muteAlert;
  ctx.notice('warn', message(result), alert);
  return 'failed';
}

// A closed gate holds the run; it is reported once (and alerted unless muted), not every interval.
async function waitingGate(ctx: TickContext, a: Analysis, type: 'confirm-traffic-increase' | 'confirm-promotion', message: string): Promise<'ok' | 'failed'> {
  const result = await runHooks(ctx.deps.analysis.webhooks, ctx.canary, type, ctx.phase);
  if (result.ok) return 'ok';
  a.refused = { ...result, type };
  const text = `${message} ${result.hook}`;
  const already = ctx.canary.status?.conditions?.find((c) => c.type === 'Ready')?.message === text;
  ctx.report = { reason: 'WaitingForApproval', message: text, severity: 'warn' };
  if (!already) ctx.notice('warn', text, !result.muteAlert);
  return 'failed';
}
