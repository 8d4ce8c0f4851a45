/**
 * What `kubectl songbird status` and `watch` show of a Canary, computed from the object alone (pure: `now`
 * is passed in), so that the same view renders from a get, a list or a watch event.
 */
import type { CanaryPhase, MetricValue, PlanStatus } from '../api/canary-status.js';
import { analysisInterval, analysisThreshold } from '../api/defaults.js';
import type { CanaryObject } from './canaries.js';
import { formatDuration, formatTable } from './output.js';
import { waitingFor } from './waiting-for.js';

/** The last result of one check, against its threshold. */
export interface CheckSummary {
  name: string;
  /** Absent while the check has not run in this run, null when it returned no value. */
  value?: number | null;
  threshold?: string;
  verdict?: MetricValue['verdict'];
  message?: string;
  ageSeconds?: number;
}

/** A Canary's state, as the plugin reports it (`-o json|yaml` prints this). */
export interface StatusSummary {
  name: string;
  namespace: string;
  phase: CanaryPhase;
  canaryWeight: number;
  failedChecks: number;
  threshold: number;
  iterations: number;
  timeInPhaseSeconds?: number;
  /** The revision under analysis (status.lastAppliedSpec) and the one last promoted. */
  revision?: string;
  promotedRevision?: string;
  waitingFor: string;
  checks: CheckSummary[];
  plan?: PlanStatus & { endsInSeconds: number };
  conditions: { type: string; status: string; reason: string; message?: string }[];
}

const secondsSince = (time: string | undefined, now: number): number | undefined => {
  const at = time === undefined ? NaN : Date.parse(time);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.round((now - at) / 1000));
};

/** The summary of `canary` at `now` (ms since the epoch). */
export function statusSummary(canary: CanaryObject, now: number): StatusSummary {
  const status = canary.status ?? {};
  return {
    name: canary.metadata.name, namespace: canary.metadata.namespace ?? '',
    phase: status.phase ?? '', canaryWeight: status.canaryWeight ?? 0, failedChecks: status.failedChecks ?? 0,
    threshold: analysisThreshold(canary), iterations: status.iterations ?? 0,
    ...defined('timeInPhaseSeconds', secondsSince(status.phaseStartTime ?? status.lastTransitionTime, now)),
    ...defined('revision', status.lastAppliedSpec),
    ...defined('promotedRevision', status.lastPromotedSpec),
    waitingFor: waitingFor(canary, now),
    checks: checksOf(canary, now),
    ...defined('plan', status.plan === undefined ? undefined : { ...status.plan, endsInSeconds: Math.round((Date.parse(status.plan.expectedEnd) - now) / 1000) }),
    conditions: (status.conditions ?? []).map(({ type, status: s, reason, message }) => ({ type, status: s, reason, ...defined('message', message) })),
  };
}

// `{ key: value }`, or nothing when the value is undefined (so JSON output has no null placeholders).
function defined<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

// Every check of the spec, in spec order, with its last result when it has one; results of checks no
// longer in the spec follow.
function checksOf(canary: CanaryObject, now: number): CheckSummary[] {
  const values = canary.status?.lastMetricValues ?? {};
  const names = [...(canary.spec.analysis.metrics ?? []).map((m) => m.name), ...Object.keys(values)];
  return [...new Set(names)].map((name) => {
    const last = values[name];
    if (last === undefined) return { name };
    const age = secondsSince(last.time, now);
    return {
      name, value: last.value ?? null, threshold: last.threshold, verdict: last.verdict,
      ...(last.message === undefined ? {} : { message: last.message }), ...(age === undefined ? {} : { ageSeconds: age }),
    };
  });
}

const ACTIVE: ReadonlySet<CanaryPhase> = new Set(['Waiting', 'Progressing', 'WaitingPromotion', 'Promoting', 'Finalising']);

/** True while a run is under way (or waiting to start). */
export function isActive(phase: CanaryPhase): boolean {
  return ACTIVE.has(phase);
}

/**
 * When the run should end, for people: `10:06:00Z (in 3m20s)`, or `10:06:00Z (2m ago)` once past it. Only
 * while a run is active: after it the plan describes a finished run.
 */
export function expectedEndText(s: StatusSummary): string {
  if (s.plan === undefined || !isActive(s.phase)) return '-';
  const when = s.plan.endsInSeconds >= 0 ? `in ${formatDuration(s.plan.endsInSeconds)}` : `${formatDuration(-s.plan.endsInSeconds)} ago`;
  return `${s.plan.expectedEnd} (${when})`;
}

function valueText(c: CheckSummary): string {
  if (c.value === undefined) return 'not run yet';
  return c.value === null ? 'no value' : String(Math.round(c.value * 1000) / 1000);
}

/** The detailed view of one Canary. */
export function renderStatus(s: StatusSummary, canary: CanaryObject): string {
  const out = [headLines(s, canary).join('\n'), ''];
  if (s.checks.length > 0) {
    const rows = s.checks.map((c) => [c.name, valueText(c), c.threshold ?? '-', c.verdict ?? '-', c.ageSeconds === undefined ? '-' : formatDuration(c.ageSeconds), c.message ?? '']);
    out.push('Checks:', indent(formatTable([['NAME', 'VALUE', 'THRESHOLD', 'VERDICT', 'AGE', 'MESSAGE'], ...rows])));
  }
  if (s.conditions.length > 0) {
    const rows = s.conditions.map((c) => [c.type, c.status, c.reason, c.message ?? '']);
    out.push('Conditions:', indent(formatTable([['TYPE', 'STATUS', 'REASON', 'MESSAGE'], ...rows])));
  }
  return out.join('\n');
}

function headLines(s: StatusSummary, canary: CanaryObject): string[] {
  const iterations = canary.spec.analysis.iterations ?? 0;
  const promoted = s.promotedRevision !== undefined && s.promotedRevision !== s.revision ? ` (promoted: ${s.promotedRevision})` : '';
  const latest = s.plan !== undefined && isActive(s.phase) ? `, at the latest ${s.plan.latestEnd}` : '';
  return [
    `Canary:         ${s.namespace}/${s.name}`,
    `Phase:          ${s.phase === '' ? 'Unknown' : s.phase}${s.timeInPhaseSeconds === undefined ? '' : ` (for ${formatDuration(s.timeInPhaseSeconds)})`}`,
    `Weight:         canary ${s.canaryWeight}%, primary ${100 - s.canaryWeight}%`,
    `Failed checks:  ${s.failedChecks}/${s.threshold}`,
    ...(iterations > 0 ? [`Iterations:     ${s.iterations}/${iterations}`] : []),
    `Revision:       ${s.revision ?? '-'}${promoted}`,
    `Waiting for:    ${s.waitingFor}`,
    `Expected end:   ${expectedEndText(s)}${latest}`,
    `Interval:       ${formatDuration(analysisInterval(canary) / 1000)}`,
  ];
}

function indent(text: string): string {
  return text.split('\n').map((line) => (line === '' ? line : `  ${line}`)).join('\n');
}

/** One line per Canary, as `kubectl get`; `wide` adds the revision and what each waits for. */
export function renderStatusTable(summaries: readonly StatusSummary[], opts: { allNamespaces: boolean; wide: boolean }): string {
  const header = [...(opts.allNamespaces ? ['NAMESPACE'] : []), 'NAME', 'PHASE', 'WEIGHT', 'FAILED', 'IN PHASE', 'EXPECTED END', ...(opts.wide ? ['REVISION', 'WAITING FOR'] : [])];
  const rows = summaries.map((s) => [
    ...(opts.allNamespaces ? [s.namespace] : []), s.name, s.phase === '' ? 'Unknown' : s.phase, String(s.canaryWeight), `${s.failedChecks}/${s.threshold}`,
    s.timeInPhaseSeconds === undefined ? '-' : formatDuration(s.timeInPhaseSeconds), expectedEndText(s),
    ...(opts.wide ? [s.revision ?? '-', s.waitingFor] : []),
  ]);
  return formatTable([header, ...rows]);
}
