import { describe, expect, it } from 'vitest';
import { liveLine, summaryTable, trafficText, type ReleaseResult, type Snapshot } from './format.js';

const snapshot: Snapshot = {
  release: 'good 6.0.1', phase: 'Progressing', weight: 40, successRate: 99.5, latencyMs: 12.4,
  traffic: [{ version: '6.0.1', role: 'canary', requests: 41, errors: 0 }, { version: '6.0.0', role: 'primary', requests: 80, errors: 1 }],
  elapsedMs: 21_400,
};

const result = (over: Partial<ReleaseResult>): ReleaseResult => ({
  release: 'good 6.0.1', expected: 'Succeeded', observed: 'Succeeded', durationMs: 56_000, maxWeight: 60,
  worstSuccessRate: 100, worstLatencyMs: 49, traffic: [{ version: '6.0.1', role: 'canary', requests: 983, errors: 0 }], userFailures: 0, ...over,
});

describe('the demo live line', () => {
  it('shows release, phase, weight, success rate, latency, requests per version (primary first) and time', () => {
    expect(liveLine(snapshot)).toBe('good 6.0.1        Progressing       weight  40  success  99.5%  p99   12ms  6.0.0 primary 80 (1 err) · 6.0.1 canary 41 (0 err)  21s');
  });

  it('keeps the columns after the phase in place while phase and weight change, and shows dashes before the first check', () => {
    const early = liveLine({ ...snapshot, phase: 'Failed', weight: 0, successRate: undefined, latencyMs: undefined, traffic: [] });
    expect(early).toBe('good 6.0.1        Failed            weight   0  success      –  p99      –  no requests yet  21s');
    expect(early.indexOf('success')).toBe(liveLine(snapshot).indexOf('success'));
  });

  it('says so when no version has answered yet', () => {
    expect(trafficText([{ version: '6.0.2', role: 'canary', requests: 0, errors: 0 }])).toBe('no requests yet');
  });
});

describe('the demo summary table', () => {
  it('aligns one row per release under the header and says when all ended as expected', () => {
    const table = summaryTable([
      result({}),
      result({ release: 'errors 6.0.2', expected: 'Failed', observed: 'Failed', durationMs: 40_000, maxWeight: 20, worstSuccessRate: 49.49, worstLatencyMs: undefined }),
    ]).split('\n');
    expect(table[0]).toBe('release       expected   ended      time  max weight  min success  max p99  failed user requests  requests per version');
    expect(table[2]).toBe('good 6.0.1    Succeeded  Succeeded  56s   60          100.0%       49ms     0                     6.0.1 canary 983 (0 err)  ok');
    expect(table[3]).toBe('errors 6.0.2  Failed     Failed     40s   20          49.5%        –        0                     6.0.1 canary 983 (0 err)  ok');
    expect(table.at(-1)).toBe('All 2 releases ended as expected.');
  });

  it('marks a release that ended otherwise and counts it in the verdict', () => {
    const table = summaryTable([result({}), result({ release: 'latency 6.0.3', expected: 'Failed', observed: 'Succeeded' })]);
    expect(table).toMatch(/latency 6\.0\.3 .* UNEXPECTED$/m);
    expect(table.split('\n').at(-1)).toBe('1 of 2 releases did not end as expected.');
  });
});
