import { describe, expect, it } from 'vitest';
import type { CanaryPhase } from './canary-status.js';
import type { Condition } from './common.js';
import {
  findCondition, formatTime, isConditionTrue, promotedCondition, readyCondition, removeCondition, setCondition, stalledCondition,
} from './conditions.js';

const t0 = new Date('2025-01-02T03:00:00.250Z');
const t1 = new Date('2025-01-02T03:05:00.000Z');

describe('setCondition', () => {
  const promoted = (status: Condition['status'], reason: string): Condition =>
    ({ type: 'Promoted', status, reason, message: 'm', lastUpdateTime: '2025-01-01T00:00:00Z', lastTransitionTime: '2025-01-01T00:00:00Z' });

  it('adds a missing condition with both timestamps set to now, in whole seconds', () => {
    expect(setCondition(undefined, { type: 'Stalled', status: 'False', reason: 'ValidSpec' }, t0)).toEqual([
      { type: 'Stalled', status: 'False', reason: 'ValidSpec', lastUpdateTime: '2025-01-02T03:00:00Z', lastTransitionTime: '2025-01-02T03:00:00Z' },
    ]);
  });

  it('returns the same list when status, reason and message are unchanged, so no write is needed', () => {
    const list = [promoted('Unknown', 'Progressing')];
    expect(setCondition(list, { type: 'Promoted', status: 'Unknown', reason: 'Progressing', message: 'm' }, t1)).toBe(list);
  });

  it('keeps lastTransitionTime when only the reason changes, and updates lastUpdateTime', () => {
    const [next] = setCondition([promoted('Unknown', 'Progressing')], { type: 'Promoted', status: 'Unknown', reason: 'Promoting', message: 'm' }, t1);
    expect(next).toMatchObject({ reason: 'Promoting', lastTransitionTime: '2025-01-01T00:00:00Z', lastUpdateTime: '2025-01-02T03:05:00Z' });
  });

  it('keeps lastTransitionTime when only the message changes', () => {
    const [next] = setCondition([promoted('True', 'Succeeded')], { type: 'Promoted', status: 'True', reason: 'Succeeded', message: 'other' }, t1);
    expect(next).toMatchObject({ message: 'other', lastTransitionTime: '2025-01-01T00:00:00Z', lastUpdateTime: '2025-01-02T03:05:00Z' });
  });

  it('moves lastTransitionTime when the status changes', () => {
    const [next] = setCondition([promoted('Unknown', 'Finalising')], { type: 'Promoted', status: 'True', reason: 'Succeeded' }, t1);
    expect(next).toEqual({ type: 'Promoted', status: 'True', reason: 'Succeeded', lastUpdateTime: '2025-01-02T03:05:00Z', lastTransitionTime: '2025-01-02T03:05:00Z' });
  });

  it('replaces a condition in place and keeps the other types and their order', () => {
    const ready: Condition = { type: 'Ready', status: 'True', reason: 'Succeeded' };
    const list = [promoted('Unknown', 'Progressing'), ready];
    const next = setCondition(list, { type: 'Promoted', status: 'True', reason: 'Succeeded' }, t1);
    expect(next.map((c) => c.type)).toEqual(['Promoted', 'Ready']);
    expect(next[1]).toBe(ready);
    expect(list[0]?.reason).toBe('Progressing');
  });

  it('keeps Promoted lastTransitionTime through Progressing, Promoting and Finalising, and moves it at Succeeded', () => {
    const phases: CanaryPhase[] = ['Progressing', 'Promoting', 'Finalising', 'Succeeded'];
    let list: Condition[] = [];
    const transitions = phases.map((phase, minute) => {
      list = setCondition(list, promotedCondition(phase, 'Deployment'), new Date(Date.UTC(2025, 0, 1, 0, minute)));
      return findCondition(list, 'Promoted')?.lastTransitionTime;
    });
    expect(transitions).toEqual(['2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z', '2025-01-01T00:03:00Z']);
  });
});

describe('condition lookups', () => {
  const list: Condition[] = [{ type: 'Ready', status: 'True', reason: 'Succeeded' }, { type: 'Stalled', status: 'False', reason: 'ValidSpec' }];

  it('finds, tests and removes conditions by type', () => {
    expect(findCondition(list, 'Ready')?.reason).toBe('Succeeded');
    expect(findCondition(undefined, 'Ready')).toBeUndefined();
    expect([isConditionTrue(list, 'Ready'), isConditionTrue(list, 'Stalled'), isConditionTrue(list, 'Promoted')]).toEqual([true, false, false]);
    expect(removeCondition(list, 'Ready').map((c) => c.type)).toEqual(['Stalled']);
  });

  it('formats timestamps like the apiserver, without milliseconds', () => {
    expect(formatTime(t0)).toBe('2025-01-02T03:00:00Z');
  });
});

describe('promotedCondition', () => {
  it.each<[CanaryPhase, string, string]>([
    ['Initializing', 'Unknown', 'New Deployment detected, starting initialization.'],
    ['Initialized', 'True', 'Deployment initialization completed.'],
    ['Waiting', 'Unknown', 'Waiting for approval.'],
    ['WaitingPromotion', 'Unknown', 'Waiting for approval.'],
    ['Progressing', 'Unknown', 'New revision detected, progressing canary analysis.'],
    ['Promoting', 'Unknown', 'Canary analysis completed, starting primary rolling update.'],
    ['Finalising', 'Unknown', 'Canary analysis completed, routing all traffic to primary.'],
    ['Succeeded', 'True', 'Canary analysis completed successfully, promotion finished.'],
    ['Failed', 'False', 'Canary analysis failed, Deployment scaled to zero.'],
    ['Terminating', 'Unknown', 'New Deployment detected, starting initialization.'],
  ])("gives phase %s Flagger's status %s and message %j, with the phase as reason", (phase, status, message) => {
    expect(promotedCondition(phase, 'Deployment')).toEqual({ type: 'Promoted', status, reason: phase, message });
  });

  it('names the target kind and uses Unknown as the reason of a Canary not seen yet', () => {
    expect(promotedCondition('', 'DaemonSet')).toEqual({ type: 'Promoted', status: 'Unknown', reason: 'Unknown', message: 'New DaemonSet detected, starting initialization.' });
  });
});

describe('readyCondition', () => {
  it.each<[CanaryPhase, string]>([
    ['Initialized', 'True'], ['Succeeded', 'True'], ['Failed', 'False'], ['Terminating', 'False'], ['Terminated', 'False'],
    ['', 'Unknown'], ['Initializing', 'Unknown'], ['Waiting', 'Unknown'], ['Progressing', 'Unknown'], ['WaitingPromotion', 'Unknown'],
    ['Promoting', 'Unknown'], ['Finalising', 'Unknown'],
  ])('is %s → %s', (phase, status) => {
    expect(readyCondition(phase)).toMatchObject({ type: 'Ready', status });
  });
});

describe('stalledCondition', () => {
  it('is True with reason InvalidSpec and every problem in the message', () => {
    expect(stalledCondition([
      { field: 'spec.provider', message: 'provider alb is not implemented yet' },
      { field: 'spec.analysis', message: 'exactly one of iterations, stepWeight or stepWeights must be set' },
    ])).toEqual({
      type: 'Stalled', status: 'True', reason: 'InvalidSpec',
      message: 'spec.provider: provider alb is not implemented yet; spec.analysis: exactly one of iterations, stepWeight or stepWeights must be set',
    });
  });

  it('is False with reason ValidSpec when there is no problem', () => {
    expect(stalledCondition([])).toMatchObject({ type: 'Stalled', status: 'False', reason: 'ValidSpec' });
  });
});

describe('condition messages stay bounded', () => {
  const problems = Array.from({ length: 2000 }, (_, i) => ({ field: `spec.analysis.webhooks[${i}].url`, message: 'url must be an absolute http or https URL' }));

  it('keeps at most 32 KiB of a Stalled message (metav1.Condition\'s limit), ending in an ellipsis', () => {
    const message = stalledCondition(problems).message ?? '';
    expect(Buffer.byteLength(message)).toBeLessThanOrEqual(32 * 1024);
    expect(message.startsWith('spec.analysis.webhooks[0].url: url must be')).toBe(true);
    expect(message.endsWith('…')).toBe(true);
  });

  it('writes a long message once: setting the same long message again changes nothing', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const update = { type: 'Ready' as const, status: 'False' as const, reason: 'Progressing' as const, message: 'x'.repeat(40_000) };
    const first = setCondition([], update, now);
    expect(Buffer.byteLength(first[0]?.message ?? '')).toBeLessThanOrEqual(32 * 1024);
    expect(setCondition(first, update, new Date('2026-01-01T00:01:00Z'))).toBe(first);
  });
});
