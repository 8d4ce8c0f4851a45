import { describe, expect, it } from 'vitest';
import { deadlineSeconds, isOverdue, isPhaseOverdue, overdueMessage, overdueReason, waitOfPhase, waitStart } from './deadlines.js';

const limits = { progressDeadlineSeconds: 120, approvalDeadlineSeconds: 86_400 };
const t0 = Date.parse('2026-01-01T10:00:00Z');

describe('deadlines of the phases that wait', () => {
  it('bounds the waits on the cluster by progressDeadlineSeconds and the gates by approvalDeadlineSeconds', () => {
    expect(['Initializing', 'Waiting', 'WaitingPromotion', 'Promoting', 'Finalising'].map((p) => deadlineSeconds(waitOfPhase(p as never) ?? 'promotion', limits)))
      .toEqual([120, 86_400, 86_400, 120, 120]);
  });

  it('has no deadline for the phases that move on their own or rest', () => {
    expect(['', 'Initialized', 'Progressing', 'Succeeded', 'Failed'].map((p) => waitOfPhase(p as never))).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });

  it('is overdue only once the wait lasted longer than the deadline (60 s from 10:00:00: not at 10:01:00, at 10:01:00.001)', () => {
    expect([isOverdue(t0, t0 + 60_000, 60), isOverdue(t0, t0 + 60_001, 60)]).toEqual([false, true]);
  });

  it('never judges a wait whose start is unknown overdue', () => {
    expect([isOverdue(undefined, t0, 0), isOverdue(Number.NaN, t0, 0)]).toEqual([false, false]);
  });

  it('judges the phase with its own deadline: Promoting after 121 s, WaitingPromotion not before a day', () => {
    expect(isPhaseOverdue('Promoting', t0, t0 + 121_000, limits)).toBe(true);
    expect(isPhaseOverdue('WaitingPromotion', t0, t0 + 121_000, limits)).toBe(false);
    expect(isPhaseOverdue('Progressing', t0, t0 + 10 * 86_400_000, limits)).toBe(false);
  });

  it('judges a promotion from its last progress and a gate or the initialization from the start of the phase', () => {
    const times = { phaseStart: t0, lastProgress: t0 + 60_000 };
    expect([waitStart('Promoting', times), waitStart('Finalising', times)]).toEqual([t0 + 60_000, t0 + 60_000]);
    expect([waitStart('WaitingPromotion', times), waitStart('Initializing', times), waitStart('Promoting', { phaseStart: t0 })]).toEqual([t0, t0, t0]);
  });

  it('names the primary readiness and progressDeadlineSeconds when an initialization is overdue', () => {
    const wait = waitOfPhase('Initializing');
    expect(wait === undefined ? undefined : [overdueMessage(wait, limits), overdueReason(wait)])
      .toEqual(['primary not ready within progressDeadlineSeconds (120s)', 'ProgressDeadlineExceeded']);
  });

  it('names the deadline in the message and the reason', () => {
    expect(overdueMessage('promotion', limits)).toBe('primary not rolled out within progressDeadlineSeconds (120s)');
    expect(overdueMessage('confirm-rollout', limits)).toBe('confirm-rollout approval not given within approvalDeadlineSeconds (86400s)');
    expect([overdueReason('initialization'), overdueReason('confirm-traffic-increase')]).toEqual(['ProgressDeadlineExceeded', 'ApprovalDeadlineExceeded']);
  });
});
