/**
 * What the demo prints, as pure functions of what it observed: the live line shown while a release runs and
 * the summary table at the end. No I/O here (see screen.ts and main.ts).
 */

/** Requests one version answered during a release (a delta of the data plane's counts). */
export interface VersionTraffic {
  version: string;
  /** `primary` or `canary`: which Deployment's pods answered. */
  role: 'primary' | 'canary';
  requests: number;
  /** 5xx answers and failures (no answer, connection error, 503 for no endpoints). */
  errors: number;
}

/** One observation of a release under way. */
export interface Snapshot {
  release: string;
  phase: string;
  weight: number;
  /** Last `request-success-rate` value in the Canary's status (percent), if any. */
  successRate: number | undefined;
  /** Last `request-duration` value (milliseconds, 99th percentile), if any. */
  latencyMs: number | undefined;
  traffic: VersionTraffic[];
  elapsedMs: number;
}

/** How one release ended. */
export interface ReleaseResult {
  release: string;
  expected: 'Succeeded' | 'Failed';
  /** The terminal phase seen, or `timeout`. */
  observed: string;
  durationMs: number;
  maxWeight: number;
  /** Lowest success rate and highest latency seen in status during the release. */
  worstSuccessRate: number | undefined;
  worstLatencyMs: number | undefined;
  traffic: VersionTraffic[];
  /** Requests of the user traffic on the apex Service that got no answer, a connection error or a 503 for no endpoints. */
  userFailures: number;
}

const percent = (v: number | undefined): string => (v === undefined ? '–' : `${v.toFixed(1)}%`);
const millis = (v: number | undefined): string => (v === undefined ? '–' : `${Math.round(v)}ms`);
const seconds = (ms: number): string => `${Math.round(ms / 1000)}s`;

/** `6.0.0 primary 812 (0 err) · 6.0.1 canary 203 (41 err)`, primary first; `no requests yet` when empty. */
export function trafficText(traffic: readonly VersionTraffic[]): string {
  const shown = [...traffic].filter((t) => t.requests > 0).sort((a, b) => (a.role === b.role ? a.version.localeCompare(b.version) : a.role === 'primary' ? -1 : 1));
  if (shown.length === 0) return 'no requests yet';
  return shown.map((t) => `${t.version} ${t.role} ${t.requests} (${t.errors} err)`).join(' · ');
}

/**
 * The live line, e.g.
 * `good 6.0.1  Progressing  weight  40  success 100.0%  p99 12ms  6.0.0 primary 80 (0 err) · 6.0.1 canary 41 (0 err)  21s`.
 * Phase and weight are padded so the columns after them stay put as the release moves.
 */
export function liveLine(s: Snapshot): string {
  return [
    s.release.padEnd(16), s.phase.padEnd(16), `weight ${String(s.weight).padStart(3)}`,
    `success ${percent(s.successRate).padStart(6)}`, `p99 ${millis(s.latencyMs).padStart(6)}`,
    trafficText(s.traffic), seconds(s.elapsedMs),
  ].join('  ');
}

/** True when the release ended as expected. */
export function asExpected(r: ReleaseResult): boolean {
  return r.observed === r.expected;
}

/** The summary table: one row per release, columns aligned, then a verdict line. */
export function summaryTable(results: readonly ReleaseResult[]): string {
  const header = ['release', 'expected', 'ended', 'time', 'max weight', 'min success', 'max p99', 'failed user requests', 'requests per version', ''];
  const rows = results.map((r) => [
    r.release, r.expected, r.observed, seconds(r.durationMs), String(r.maxWeight), percent(r.worstSuccessRate),
    millis(r.worstLatencyMs), String(r.userFailures), trafficText(r.traffic), asExpected(r) ? 'ok' : 'UNEXPECTED',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  const failed = results.filter((r) => !asExpected(r)).length;
  const verdict = failed === 0
    ? `All ${results.length} releases ended as expected.`
    : `${failed} of ${results.length} releases did not end as expected.`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), '', verdict].join('\n');
}
