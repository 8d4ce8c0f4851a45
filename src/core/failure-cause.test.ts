import { describe, expect, it } from 'vitest';
import type { FailedCheck } from '../api/failure-cause.js';
import { describeFailedCheck, failedMetricCheck, refusedWebhookCheck, thresholdFailure } from './failure-cause.js';

const time = '2025-01-02T03:04:05Z';

describe('the last failed check', () => {
  it('is the first metric whose verdict is Fail, with its value, threshold and message', () => {
    expect(failedMetricCheck({
      'request-duration': { value: 120, threshold: '<= 500', verdict: 'Pass', time },
      'request-success-rate': { value: 87.5, threshold: '>= 99', verdict: 'Fail', message: 'success rate 87.50% < 99%', time },
    })).toEqual({ kind: 'Metric', name: 'request-success-rate', value: 87.5, threshold: '>= 99', message: 'success rate 87.50% < 99%', time });
  });

  it('has no value when the query gave none', () => {
    const check = failedMetricCheck({ errors: { value: null, threshold: '<= 1', verdict: 'Fail', message: 'metric errors: no values found', time } });
    expect(check).not.toHaveProperty('value');
    expect(describeFailedCheck(check as FailedCheck)).toBe('metric errors: no values found');
  });

  it('is none when every metric passed or was skipped', () => {
    expect(failedMetricCheck({ a: { value: 1, threshold: '>= 1', verdict: 'Pass', time }, b: { threshold: '>= 1', verdict: 'Skip', time } })).toBeUndefined();
    expect(failedMetricCheck(undefined)).toBeUndefined();
  });

  it('is a webhook with its answer when a rollout webhook refused', () => {
    expect(refusedWebhookCheck({ name: 'smoke', type: 'rollout' }, 'HTTP 500: boom', time))
      .toEqual({ kind: 'Webhook', name: 'smoke', answer: 'HTTP 500: boom', message: 'rollout webhook smoke refused: HTTP 500: boom', time });
  });
});

describe('a rollback at the failed-checks threshold', () => {
  it('is CheckFailed naming the metric and its value against the threshold', () => {
    const last = failedMetricCheck({ 'request-success-rate': { value: 87.5, threshold: '>= 99', verdict: 'Fail', message: 'success rate 87.50% < 99%', time } });
    expect(thresholdFailure(5, last)).toEqual({ reason: 'CheckFailed', text: 'failed checks threshold reached 5, last: metric request-success-rate: success rate 87.50% < 99%' });
  });

  it('is WebhookRefused naming the webhook and its answer', () => {
    expect(thresholdFailure(2, refusedWebhookCheck({ name: 'smoke', type: 'pre-rollout' }, 'HTTP 403: closed', time)))
      .toEqual({ reason: 'WebhookRefused', text: 'failed checks threshold reached 2, last: pre-rollout webhook smoke refused: HTTP 403: closed' });
  });

  it('is CheckFailed without a name when the failed check is not known', () => {
    expect(thresholdFailure(3, undefined)).toEqual({ reason: 'CheckFailed', text: 'failed checks threshold reached 3' });
  });
});
