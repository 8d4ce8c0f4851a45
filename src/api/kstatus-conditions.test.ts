import { describe, expect, it } from 'vitest';
import type { CanaryPhase } from './canary-status.js';
import type { Condition } from './common.js';
import { readyCondition } from './conditions.js';
import { isFailureReason, reconcilingCondition, runStalledCondition, withObservedGeneration } from './kstatus-conditions.js';

describe('the Reconciling condition', () => {
  it.each<[CanaryPhase, 'True' | 'False']>([
    ['', 'True'], ['Initializing', 'True'], ['Waiting', 'True'], ['Progressing', 'True'], ['WaitingPromotion', 'True'], ['Promoting', 'True'],
    ['Finalising', 'True'], ['Terminating', 'True'], ['Initialized', 'False'], ['Succeeded', 'False'], ['Failed', 'False'], ['Terminated', 'False'],
  ])('is %s → %s: True only while the operator will change the Canary again by itself', (phase, status) => {
    expect(reconcilingCondition({ phase })).toMatchObject({ type: 'Reconciling', status, reason: phase === '' ? 'Unknown' : phase });
  });

  it('names the revision under analysis and the progress of the run', () => {
    expect(reconcilingCondition({ phase: 'Progressing', revision: '5d8f7c9b', progress: 'canary weight 20, failed checks 1/5' }))
      .toEqual({ type: 'Reconciling', status: 'True', reason: 'Progressing', message: 'analysing revision 5d8f7c9b: canary weight 20, failed checks 1/5' });
  });

  it('says which approval a waiting revision needs', () => {
    expect(reconcilingCondition({ phase: 'Waiting', revision: 'abc' }).message).toBe('revision abc waits for the confirm-rollout approval');
    expect(reconcilingCondition({ phase: 'WaitingPromotion', revision: 'abc' }).message).toBe('revision abc waits for the confirm-promotion approval');
  });

  it('is False with reason Suspended while spec.suspend holds a run', () => {
    expect(reconcilingCondition({ phase: 'Progressing', suspended: true })).toMatchObject({ status: 'False', reason: 'Suspended' });
  });
});

describe('the Stalled condition of a valid spec', () => {
  it('is False while the Canary is not Failed', () => {
    expect(runStalledCondition('Succeeded', { reason: 'Succeeded' })).toMatchObject({ status: 'False', reason: 'ValidSpec' });
  });

  it('is True with the failure reason and message of the Ready condition while the Canary rests in Failed', () => {
    expect(runStalledCondition('Failed', { reason: 'CheckFailed', message: 'Rolling back x failed checks threshold reached 2' }))
      .toEqual({ type: 'Stalled', status: 'True', reason: 'CheckFailed', message: 'Rolling back x failed checks threshold reached 2' });
  });

  it('is True with reason Failed when the Ready condition does not say why', () => {
    expect(runStalledCondition('Failed', { reason: 'TargetNotFound', message: 'gone' })).toMatchObject({ status: 'True', reason: 'Failed' });
  });
});

describe('failure reasons', () => {
  it('are the reasons that say why a run failed, not the phase or a passing problem', () => {
    expect(['CheckFailed', 'WebhookRefused', 'ProgressDeadlineExceeded', 'Aborted'].every(isFailureReason)).toBe(true);
    expect(['Failed', 'Succeeded', 'PrimaryNotReady', 'FailedChecksThreshold'].some(isFailureReason)).toBe(false);
  });
});

describe('the Ready condition at rest', () => {
  it('names the promoted revision, so a reader knows which rollout it speaks of', () => {
    expect(readyCondition('Succeeded', '5d8f7c9b')).toEqual({ type: 'Ready', status: 'True', reason: 'Succeeded', message: 'promotion finished (revision 5d8f7c9b)' });
  });
});

describe('withObservedGeneration', () => {
  const ready: Condition = { type: 'Ready', status: 'True', reason: 'Succeeded' };
  const foreign: Condition = { type: 'Healthy', status: 'True', reason: 'Fine' };

  it('marks the conditions Songbird writes with the generation, and leaves other types alone', () => {
    expect(withObservedGeneration([ready, foreign], 3)).toEqual([{ ...ready, observedGeneration: 3 }, foreign]);
  });

  it('returns the same list when every condition already carries the generation, so no write is needed', () => {
    const list = [{ ...ready, observedGeneration: 3 }, foreign];
    expect(withObservedGeneration(list, 3)).toBe(list);
  });
});
