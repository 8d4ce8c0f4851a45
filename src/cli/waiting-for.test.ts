import { describe, expect, it } from 'vitest';
import type { CanaryObject } from './canaries.js';
import { waitingFor } from './waiting-for.js';

const now = Date.parse('2026-01-01T10:20:00Z');

function canary(status: Record<string, unknown>, spec: Record<string, unknown> = {}): CanaryObject {
  return {
    metadata: { name: 'podinfo', namespace: 'test' },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' }, approvalDeadlineSeconds: 3600,
      analysis: { interval: '30s', threshold: 5, stepWeight: 20, webhooks: [{ name: 'approve', url: 'http://lt/gate/check', type: 'confirm-rollout' }] },
      ...spec,
    },
    status,
  };
}

describe('waitingFor', () => {
  it('names the closed confirm-rollout gate and the time left before its deadline', () => {
    expect(waitingFor(canary({ phase: 'Waiting', phaseStartTime: '2026-01-01T10:00:00Z' }), now)).toBe('confirm-rollout approval (gate: approve), 40m left');
  });

  it('names a held confirm-traffic-increase gate while Progressing', () => {
    expect(waitingFor(canary({ phase: 'Progressing', trafficHeldSince: '2026-01-01T10:19:00Z' }), now)).toBe('confirm-traffic-increase approval, 59m left');
  });

  it('names the weights the provider has not applied yet', () => {
    expect(waitingFor(canary({ phase: 'Progressing', trafficPending: { weights: '80/20', since: '2026-01-01T10:19:00Z', reason: 'target group weights 100/0' } }), now))
      .toBe('the provider to apply 80/20 (primary/canary): target group weights 100/0');
  });

  it('prefers the problem of the Ready condition to the phase', () => {
    const status = { phase: 'Progressing', conditions: [{ type: 'Ready', status: 'False', reason: 'RolloutInProgress', message: 'waiting for rollout: 1 of 2 updated replicas are available' }] };
    expect(waitingFor(canary(status), now)).toBe('RolloutInProgress: waiting for rollout: 1 of 2 updated replicas are available');
  });

  it('says a suspended or paused Canary waits to be resumed', () => {
    expect(waitingFor(canary({ phase: 'Progressing' }, { suspend: true }), now)).toBe('resume: spec.suspend is true');
    expect(waitingFor(canary({ phase: 'Progressing', paused: { reason: 'investigating' } }), now)).toBe('resume: paused (investigating)');
  });

  it('says why the last run failed', () => {
    const status = { phase: 'Failed', conditions: [{ type: 'Ready', status: 'False', reason: 'CheckFailed', message: 'failed checks threshold reached 2' }] };
    expect(waitingFor(canary(status), now)).toBe('a new revision of the target or a retry (the run failed: CheckFailed, failed checks threshold reached 2)');
  });

  it('says what each phase waits for on its own', () => {
    expect(waitingFor(canary({ phase: 'Progressing' }), now)).toBe('the next analysis tick (every 30s)');
    expect(waitingFor(canary({ phase: 'Promoting' }), now)).toBe('the primary to roll out the promoted revision');
    expect(waitingFor(canary({ phase: 'Succeeded' }), now)).toBe('nothing: a new revision of the target starts a run');
    expect(waitingFor(canary({}), now)).toBe('the primary to become ready (progressDeadlineSeconds 600s)');
  });
});
