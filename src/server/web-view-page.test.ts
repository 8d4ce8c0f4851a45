import { describe, expect, it } from 'vitest';
import type { CanaryView } from './web-view-model.js';
import { escapeHtml, formatDuration, formatUntil, renderPage, renderRows } from './web-view-page.js';

const NOW = Date.parse('2026-01-01T10:05:00Z');
const HOSTILE = `<img src=x onerror="alert('x')">&`;

const view = (over: Partial<CanaryView> = {}): CanaryView => ({
  namespace: 'apps', name: 'podinfo', phase: 'Progressing', weight: 20, failedChecks: 1, threshold: 3,
  phaseSince: '2026-01-01T10:03:45Z',
  checks: [{ name: 'request-success-rate', value: 99.25, threshold: '>= 99', verdict: 'Pass' }],
  ...over,
});

describe('the web view page', () => {
  it('escapes the five HTML metacharacters', () => {
    expect(escapeHtml(`<b a="1" c='2'>&</b>`)).toBe('&lt;b a=&quot;1&quot; c=&#39;2&#39;&gt;&amp;&lt;/b&gt;');
  });

  it.each([
    [0, '0s'], [-5_000, '0s'], [59_400, '59s'], [75_000, '1m 15s'], [3_599_000, '59m 59s'], [3_725_000, '1h 2m'],
  ])('formats %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('says how long until a time, or how long ago it passed', () => {
    expect(formatUntil(NOW + 125_000, NOW)).toBe('in 2m 5s');
    expect(formatUntil(NOW - 30_000, NOW)).toBe('30s ago');
  });

  it('renders a row with phase, weight, each check against its threshold, failed checks and time in phase', () => {
    const html = renderRows([view()], NOW);
    expect(html).toContain('<tr data-canary="apps/podinfo">');
    expect(html).toContain('<td class="weight">20%</td>');
    expect(html).toMatch(/data-check="request-success-rate".*<span class="check-value">99\.25<\/span> <span class="check-threshold">&gt;= 99<\/span> <span class="verdict">Pass<\/span>/);
    expect(html).toContain('<td class="failed">1 / 3</td>');
    expect(html).toContain('<time data-since="2026-01-01T10:03:45Z">1m 15s</time>');
  });

  it('renders the plan as the weight ladder with the current weight marked, and when it should end', () => {
    const html = renderRows([view({ plan: { weights: [10, 20, 30], expectedEnd: '2026-01-01T10:07:00Z', latestEnd: '2026-01-01T10:15:00Z' } })], NOW);
    expect(html).toContain('<div class="ladder">10 → <b>20</b> → 30</div>');
    expect(html).toMatch(/<div class="expected-end">ends <time data-until="2026-01-01T10:07:00Z"[^>]*>in 2m 0s<\/time><\/div>/);
    expect(html).toMatch(/<div class="latest-end">at the latest <time [^>]*>in 10m 0s<\/time><\/div>/);
  });

  it('marks a paused run, and the weight a set-weight holds', () => {
    expect(renderRows([view({ paused: {} })], NOW)).toContain('<span class="paused">paused</span>');
    expect(renderRows([view({ paused: { weight: 30 } })], NOW)).toContain('<span class="paused">held at 30%</span>');
    expect(renderRows([view()], NOW)).not.toContain('class="paused"');
  });

  it('says so when a check has no data, and leaves the plan cell empty without a plan', () => {
    const html = renderRows([view({ checks: [{ name: 'latency', value: null, threshold: '<= 500', verdict: 'Skip', message: 'no data' }] })], NOW);
    expect(html).toContain('<span class="check-value">no data</span>');
    expect(html).toContain('title="no data"');
    expect(html).toContain('<td class="plan"></td>');
  });

  it('says there are no canaries when there are none', () => {
    expect(renderRows([], NOW)).toContain('No canaries.');
  });

  it('escapes every value from the cluster, in text and in attributes', () => {
    const html = renderRows([view({
      namespace: HOSTILE, name: HOSTILE, phase: HOSTILE,
      checks: [{ name: HOSTILE, value: 1, threshold: HOSTILE, verdict: HOSTILE, message: HOSTILE }],
      ready: { status: 'False', reason: HOSTILE, message: HOSTILE },
      phaseSince: `2026-01-01T10:00:00Z"${HOSTILE}`, plan: { weights: [10], expectedEnd: `2026-01-01T10:00:00Z`, latestEnd: `1 Jan 2026 10:00 UTC ${HOSTILE}` },
    })], NOW);
    expect(html).not.toContain('<img');
    expect(html).not.toMatch(/[^&]'x'/);
    expect(html).toContain('&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&amp;');
  });

  it('allows its inline script and style only by the nonce it is given', () => {
    const page = renderPage([view()], NOW, 'abc123');
    expect(page).toContain('<style nonce="abc123">');
    expect(page).toContain('<script nonce="abc123">');
    expect(page.match(/<script/g)).toHaveLength(1);
    expect(page).not.toMatch(/(src|href)="http/);
  });
});
