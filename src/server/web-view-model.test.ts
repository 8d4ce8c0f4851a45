import { describe, expect, it } from 'vitest';
import { canaryView, canaryViews } from './web-view-model.js';

const canary = (name: string, status: unknown, spec: unknown = { analysis: { threshold: 3 } }): Parameters<typeof canaryView>[0] =>
  ({ metadata: { name, namespace: 'apps' }, spec, status });

describe('the web view model of a Canary', () => {
  it('shows phase, weight, every check against its threshold, failed checks, time in phase, Ready and the plan', () => {
    const view = canaryView(canary('podinfo', {
      phase: 'Progressing', canaryWeight: 20, failedChecks: 1, phaseStartTime: '2026-01-01T10:00:00Z',
      lastTransitionTime: '2026-01-01T10:01:00Z',
      lastMetricValues: {
        'request-success-rate': { value: 99.5, threshold: '>= 99', verdict: 'Pass', time: '2026-01-01T10:01:00Z' },
        'error-budget': { value: null, threshold: '<= 1', verdict: 'Skip', message: 'no data', time: '2026-01-01T10:01:00Z' },
      },
      conditions: [{ type: 'Promoted', status: 'Unknown' }, { type: 'Ready', status: 'False', reason: 'Progressing', message: 'weight 20' }],
      plan: {
        weights: [10, 20, 30], minSeconds: 60, maxSeconds: 300, startedAt: '2026-01-01T10:00:00Z',
        expectedEnd: '2026-01-01T10:01:00Z', latestEnd: '2026-01-01T10:05:00Z',
      },
      paused: { since: '2026-01-01T10:00:30Z', id: 'r1', weight: 20 },
    }));
    expect(view).toEqual({
      namespace: 'apps', name: 'podinfo', phase: 'Progressing', weight: 20, failedChecks: 1, threshold: 3,
      phaseSince: '2026-01-01T10:00:00Z', paused: { weight: 20 },
      checks: [
        { name: 'error-budget', value: null, threshold: '<= 1', verdict: 'Skip', message: 'no data' },
        { name: 'request-success-rate', value: 99.5, threshold: '>= 99', verdict: 'Pass' },
      ],
      ready: { status: 'False', reason: 'Progressing', message: 'weight 20' },
      plan: { weights: [10, 20, 30], minSeconds: 60, maxSeconds: 300, expectedEnd: '2026-01-01T10:01:00Z', latestEnd: '2026-01-01T10:05:00Z' },
    });
  });

  it('shows a Canary the operator has not written yet as Unknown with nothing else', () => {
    expect(canaryView({ metadata: { name: 'new', namespace: 'apps' } })).toEqual({ namespace: 'apps', name: 'new', phase: 'Unknown', checks: [] });
  });

  it('leaves out each field of an unexpected shape and keeps the rest of the row', () => {
    const view = canaryView(canary('odd', {
      phase: 7, canaryWeight: '20', failedChecks: 2, phaseStartTime: 5, lastTransitionTime: '2026-01-01T10:01:00Z',
      lastMetricValues: { broken: 'x', ok: { value: Number.NaN, threshold: '>= 1', verdict: 'Fail' } },
      conditions: 'Ready', plan: { weights: 'all' },
    }, 'not an object'));
    expect(view).toEqual({
      namespace: 'apps', name: 'odd', phase: 'Unknown', failedChecks: 2, phaseSince: '2026-01-01T10:01:00Z',
      checks: [{ name: 'ok', value: null, threshold: '>= 1', verdict: 'Fail' }],
    });
  });

  it('orders the rows by namespace, then name', () => {
    const views = canaryViews([
      { metadata: { name: 'b', namespace: 'x' } }, { metadata: { name: 'a', namespace: 'y' } }, { metadata: { name: 'a', namespace: 'x' } },
    ]);
    expect(views.map((v) => `${v.namespace}/${v.name}`)).toEqual(['x/a', 'x/b', 'y/a']);
  });
});
