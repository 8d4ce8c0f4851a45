import { describe, expect, it } from 'vitest';
import type { CanaryObject } from './canaries.js';
import { renderCanaries } from './status-command.js';
import { expectedEndText, renderStatus, renderStatusTable, statusSummary } from './status-view.js';

const now = Date.parse('2026-01-01T10:05:00Z');

function canary(status: Record<string, unknown>, spec: Record<string, unknown> = {}): CanaryObject {
  return {
    apiVersion: 'flagger.app/v1beta1', kind: 'Canary', metadata: { name: 'podinfo', namespace: 'test' },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
      analysis: { interval: '1m', threshold: 5, stepWeight: 20, metrics: [{ name: 'request-success-rate', threshold: 99 }, { name: 'request-duration', threshold: 500 }] },
      ...spec,
    },
    status,
  };
}

const progressing = canary({
  phase: 'Progressing', canaryWeight: 40, failedChecks: 1, phaseStartTime: '2026-01-01T10:01:40Z', lastAppliedSpec: 'abc', lastPromotedSpec: 'old',
  lastMetricValues: { 'request-success-rate': { value: 98.5, threshold: '>= 99', verdict: 'Fail', message: 'success rate 98.50% < 99%', time: '2026-01-01T10:04:30Z' } },
  plan: { strategy: 'canary', weights: [20, 40, 60, 80, 100], ticks: 8, intervalSeconds: 60, minSeconds: 480, maxSeconds: 1800,
    startedAt: '2026-01-01T10:01:40Z', expectedEnd: '2026-01-01T10:09:40Z', latestEnd: '2026-01-01T10:31:40Z', revision: 'abc' },
  conditions: [{ type: 'Ready', status: 'Unknown', reason: 'Progressing', message: 'New revision detected' }],
});

describe('statusSummary', () => {
  it('reports the phase, weight, failed checks against the threshold, time in phase, revision and expected end', () => {
    expect(statusSummary(progressing, now)).toMatchObject({
      name: 'podinfo', namespace: 'test', phase: 'Progressing', canaryWeight: 40, failedChecks: 1, threshold: 5,
      timeInPhaseSeconds: 200, revision: 'abc', promotedRevision: 'old', waitingFor: 'the next analysis tick (every 1m)',
      plan: { expectedEnd: '2026-01-01T10:09:40Z', endsInSeconds: 280 },
    });
  });

  it('lists every check of the spec with its last value against its threshold, and the ones not run yet', () => {
    expect(statusSummary(progressing, now).checks).toEqual([
      { name: 'request-success-rate', value: 98.5, threshold: '>= 99', verdict: 'Fail', message: 'success rate 98.50% < 99%', ageSeconds: 30 },
      { name: 'request-duration' },
    ]);
  });
});

describe('renderStatus', () => {
  it('shows the run in lines a person reads, with the checks and conditions as tables', () => {
    const text = renderStatus(statusSummary(progressing, now), progressing);
    expect(text).toContain('Phase:          Progressing (for 3m20s)');
    expect(text).toContain('Weight:         canary 40%, primary 60%');
    expect(text).toContain('Failed checks:  1/5');
    expect(text).toContain('Revision:       abc (promoted: old)');
    expect(text).toContain('Expected end:   2026-01-01T10:09:40Z (in 4m40s), at the latest 2026-01-01T10:31:40Z');
    expect(text).toMatch(/request-success-rate\s+98\.5\s+>= 99\s+Fail\s+30s\s+success rate 98\.50% < 99%/);
    expect(text).toMatch(/request-duration\s+not run yet/);
  });

  it('shows the iterations of a Blue/Green or A/B run', () => {
    const blueGreen = canary({ phase: 'Progressing', iterations: 2 }, { analysis: { interval: '1m', threshold: 5, iterations: 3 } });
    expect(renderStatus(statusSummary(blueGreen, now), blueGreen)).toContain('Iterations:     2/3');
    expect(renderStatus(statusSummary(progressing, now), progressing)).not.toContain('Iterations:');
  });

  it('shows no expected end once the run is over', () => {
    const done = canary({ ...progressing.status, phase: 'Succeeded' });
    expect(expectedEndText(statusSummary(done, now))).toBe('-');
  });
});

describe('renderStatusTable', () => {
  it('prints one aligned row per Canary, with the namespace for -A and the revision and wait for wide', () => {
    const text = renderStatusTable([statusSummary(progressing, now)], { allNamespaces: true, wide: true });
    const [header, row] = text.trimEnd().split('\n');
    expect(header?.split(/\s{3,}/)).toEqual(['NAMESPACE', 'NAME', 'PHASE', 'WEIGHT', 'FAILED', 'IN PHASE', 'EXPECTED END', 'REVISION', 'WAITING FOR']);
    expect(row?.split(/\s{3,}/)).toEqual(['test', 'podinfo', 'Progressing', '40', '1/5', '3m20s', '2026-01-01T10:09:40Z (in 4m40s)', 'abc', 'the next analysis tick (every 1m)']);
  });
});

describe('renderCanaries', () => {
  it('prints one summary for a named Canary and a list of them otherwise, as JSON', () => {
    const one = JSON.parse(renderCanaries([progressing], { named: true, output: 'json', allNamespaces: false, now })) as { name: string };
    expect(one.name).toBe('podinfo');
    const many = JSON.parse(renderCanaries([progressing], { named: false, output: 'json', allNamespaces: true, now })) as { items: { phase: string }[] };
    expect(many.items.map((i) => i.phase)).toEqual(['Progressing']);
  });

  it('prints YAML with -o yaml', () => {
    expect(renderCanaries([progressing], { named: true, output: 'yaml', allNamespaces: false, now })).toContain('phase: Progressing\n');
  });
});
