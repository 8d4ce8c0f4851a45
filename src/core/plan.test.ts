import { describe, expect, it } from 'vitest';
import type { Canary } from '../api/canary.js';
import { hookSeconds, planRelease, thresholdText } from './plan.js';
import { planStatus } from './plan-status.js';

function canary(analysis: Record<string, unknown>, spec: Record<string, unknown> = {}): Canary {
  return {
    apiVersion: 'flagger.app/v1beta1', kind: 'Canary', metadata: { name: 'podinfo', namespace: 'test' },
    spec: { provider: 'istio', targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' }, ...spec, analysis: { interval: '1m', threshold: 5, ...analysis } },
  };
}

describe('planRelease', () => {
  it('walks stepWeight 20 to maxWeight 50 in three steps, clamping the last, and takes six ticks', () => {
    const plan = planRelease(canary({ stepWeight: 20, maxWeight: 50 }));
    expect(plan.weights).toEqual([20, 40, 50]);
    expect(plan.steps.map((s) => [s.tick, s.phase, s.canaryWeight, s.checks])).toEqual([
      [1, 'Progressing', 20, false], [2, 'Progressing', 40, true], [3, 'Progressing', 50, true], [4, 'Progressing', 50, true],
      [5, 'Promoting', 0, false], [6, 'Finalising', 0, false],
    ]);
    expect(plan.minSeconds).toBe(360);
  });

  it('names the failed checks of the worst case in the singular when there is one', () => {
    const what = (threshold: number): string[] => planRelease(canary({ stepWeight: 20, maxWeight: 50, threshold })).worstCase.map((d) => d.what);
    expect(what(2)).toContain('1 failed check (threshold 2 − 1), one interval');
    expect(what(3)).toContain('2 failed checks (threshold 3 − 1), one interval each');
  });

  it('adds the failed checks below the threshold, the canary and primary deadlines to the worst case', () => {
    // 4 failed checks × 60 s + 600 s (canary pods) + 600 s (primary rollout) = 1440 s over the 360 s minimum.
    const plan = planRelease(canary({ stepWeight: 20, maxWeight: 50 }));
    expect(plan.worstCase.map((d) => d.seconds)).toEqual([600, 240, 600]);
    expect(plan.maxSeconds).toBe(1800);
  });

  it('walks an explicit ladder and steps the promotion back with stepWeightPromotion', () => {
    const plan = planRelease(canary({ stepWeights: [1, 10, 50], stepWeightPromotion: 20 }));
    expect(plan.weights).toEqual([1, 10, 50]);
    expect(plan.promotionWeights).toEqual([70, 90, 100]);
    expect(plan.steps.filter((s) => s.phase === 'Promoting').map((s) => s.action)).toEqual([
      'advance primary weight to 70', 'advance primary weight to 90', 'route all traffic to the primary',
    ]);
  });

  it('puts the gates at the ticks that call them, by name', () => {
    const plan = planRelease(canary({ stepWeight: 50, webhooks: [
      { name: 'load-test', url: 'http://lt/', type: 'rollout' },
      { name: 'smoke', url: 'http://lt/', type: 'pre-rollout' },
      { name: 'more', url: 'http://lt/', type: 'confirm-traffic-increase' },
      { name: 'ship', url: 'http://lt/', type: 'confirm-promotion' },
      { name: 'notify', url: 'http://lt/', type: 'post-rollout' },
    ] }));
    expect(plan.steps.map((s) => s.gates.map((g) => `${g.type}:${g.hooks.join(',')}`))).toEqual([
      ['pre-rollout:smoke', 'confirm-traffic-increase:more'],
      ['rollout:load-test', 'confirm-traffic-increase:more'],
      ['rollout:load-test', 'confirm-promotion:ship'],
      [],
      ['post-rollout:notify'],
    ]);
    // Two traffic increases and one promotion can each be held for the approval deadline of a day.
    expect(plan.worstCase).toContainEqual({ what: '2 × confirm-traffic-increase held until approvalDeadlineSeconds', seconds: 172_800 });
    expect(plan.worstCase).toContainEqual({ what: '1 × confirm-promotion held until approvalDeadlineSeconds', seconds: 86_400 });
  });

  it('mirrors for one tick before the first weight step, which no confirm-traffic-increase gates', () => {
    const plan = planRelease(canary({ stepWeight: 50, mirror: true, webhooks: [{ name: 'more', url: 'http://lt/', type: 'confirm-traffic-increase' }] }));
    expect(plan.steps.slice(0, 3).map((s) => [s.action, s.gates.length])).toEqual([
      ['mirror traffic to the canary', 0], ['advance canary weight to 50', 0], ['advance canary weight to 100', 1],
    ]);
  });

  it('plans Blue/Green as iterations, one tick with all traffic on the canary, then the promotion', () => {
    const plan = planRelease(canary({ iterations: 3 }));
    expect(plan.strategy).toBe('blue-green');
    expect(plan.iterations).toBe(3);
    expect(plan.steps.map((s) => s.action)).toEqual([
      'iteration 1/3', 'iteration 2/3', 'iteration 3/3', 'route all traffic to the canary',
      'promote: copy the canary template to the primary', 'route all traffic to the primary', 'scale the canary down: Succeeded',
    ]);
  });

  it('plans Blue/Green on the kubernetes provider with ten iterations and no traffic switch', () => {
    const plan = planRelease(canary({}, { provider: 'kubernetes' }));
    expect(plan.iterations).toBe(10);
    expect(plan.steps).toHaveLength(13);
    expect(plan.weights).toEqual([]);
  });

  it('plans A/B testing as iterations with the matched traffic on the canary', () => {
    const plan = planRelease(canary({ iterations: 2, match: [{ headers: { user: { exact: 'x' } } }] }));
    expect(plan.strategy).toBe('ab-testing');
    expect(plan.weights).toEqual([100]);
    expect(plan.steps).toHaveLength(5);
  });

  it('plans skipAnalysis as one tick without checks, failing only on the progress deadline', () => {
    const plan = planRelease(canary({ stepWeight: 10 }, { skipAnalysis: true, progressDeadlineSeconds: 120 }));
    expect(plan.strategy).toBe('skip');
    expect(plan.steps).toHaveLength(1);
    expect(plan.minSeconds).toBe(60);
    expect(plan.maxSeconds).toBe(180);
    expect(plan.onFailure.triggers.map((t) => t.reason)).toEqual(['ProgressDeadlineExceeded']);
  });

  it('lists the checks with their threshold, query interval and template', () => {
    const plan = planRelease(canary({ stepWeight: 50, metrics: [
      { name: 'request-success-rate', threshold: 99, interval: '30s' },
      { name: 'request-duration', thresholdRange: { max: 500 } },
      { name: 'errors', templateRef: { name: 'errors' }, thresholdRange: { min: 1, max: 5 }, onNoData: 'skip' },
    ] }));
    expect(plan.checks).toEqual([
      { name: 'request-success-rate', source: 'builtin', threshold: '>= 99', interval: '30s', onNoData: 'fail' },
      { name: 'request-duration', source: 'builtin', threshold: '<= 500', interval: '1m', onNoData: 'fail' },
      { name: 'errors', source: 'template', template: 'test/errors', threshold: '[1, 5]', interval: '1m', onNoData: 'skip' },
    ]);
  });

  it('says how a run fails and what deleting the Canary does', () => {
    const plan = planRelease(canary({ stepWeight: 50, threshold: 2, interval: '30s', webhooks: [{ name: 'stop', url: 'http://lt/', type: 'rollback' }] }, { revertOnDeletion: true }));
    expect(plan.onFailure.triggers.map((t) => t.reason)).toEqual(['ProgressDeadlineExceeded', 'CheckFailed', 'RollbackRequested']);
    // Two failed checks at ticks 1 and 2, the rollback at tick 3: 90 s.
    expect(plan.onFailure.earliestRollbackSeconds).toBe(90);
    expect(plan.onFailure.revertOnDeletion).toBe(true);
    expect(plan.onFailure.rollback[0]).toBe('route all traffic to the primary (100/0)');
  });

  it('adds the wait for each weight change the load balancer applies later on ALB', () => {
    // 20, 40, 50, then 0 at the promotion: 4 changes × 600 s.
    const plan = planRelease(canary({ stepWeight: 20, maxWeight: 50 }, { provider: 'alb' }));
    expect(plan.worstCase).toContainEqual({ what: '4 weight changes applied by the load balancer at the last moment (progressDeadlineSeconds each)', seconds: 2400 });
    expect(planRelease(canary({ stepWeight: 20, maxWeight: 50 }, { provider: 'alb', verifyTrafficWeights: false })).worstCase.map((d) => d.what))
      .not.toContain('4 weight changes applied by the load balancer at the last moment (progressDeadlineSeconds each)');
  });

  it('counts a closed confirm-rollout gate as a delay before the start, not in the run', () => {
    const plan = planRelease(canary({ stepWeight: 50, webhooks: [{ name: 'go', url: 'http://lt/', type: 'confirm-rollout', timeout: '5s' }] }, { approvalDeadlineSeconds: 3600 }));
    expect(plan.startDelaySeconds).toBe(3605);
  });
});

describe('hookSeconds', () => {
  it('sums every attempt at its timeout and the doubling backoff between them', () => {
    // 3 attempts × 10 s + backoff 1 s + 2 s = 33 s.
    expect(hookSeconds(canary({ webhooks: [{ name: 'lt', url: 'http://lt/', timeout: '10s', retries: 2 }] }), 'rollout')).toBe(33);
  });
});

describe('thresholdText', () => {
  it('reads the legacy threshold as a minimum for the builtin success rate and a maximum otherwise', () => {
    expect(thresholdText({ name: 'request-success-rate', threshold: 99 }, 'builtin')).toBe('>= 99');
    expect(thresholdText({ name: 'custom', threshold: 3, query: 'q' }, 'query')).toBe('<= 3');
    expect(thresholdText({ name: 'custom', thresholdRange: {}, query: 'q' }, 'query')).toBe('any');
  });
});

describe('planStatus', () => {
  it('ends the expected run minSeconds after its start and the latest maxSeconds after', () => {
    const plan = planRelease(canary({ stepWeight: 20, maxWeight: 50 }));
    expect(planStatus(plan, Date.parse('2026-01-01T10:00:00Z'), 'abc')).toEqual({
      strategy: 'canary', weights: [20, 40, 50], ticks: 6, intervalSeconds: 60, minSeconds: 360, maxSeconds: 1800,
      startedAt: '2026-01-01T10:00:00Z', expectedEnd: '2026-01-01T10:06:00Z', latestEnd: '2026-01-01T10:30:00Z', revision: 'abc',
    });
  });
});
