/**
 * What the web view shows of one Canary, read from the object as the watch cache holds it (pure). The cache
 * keeps Canaries unparsed, and the page must show every one, even one whose status a newer or older operator
 * wrote: each field is read on its own and a field of an unexpected shape is left out, never a whole row.
 */

/** The last result of one metric check. */
export interface CheckView {
  name: string;
  /** Null when the query returned no data, NaN or an error. */
  value: number | null;
  threshold: string;
  verdict: string;
  message?: string;
}

/** The run's plan (`status.plan`), as far as the page shows it. */
export interface PlanView {
  weights: number[];
  /** When the run ends if every check passes at the first try. */
  expectedEnd?: string;
  /** The latest a run that still succeeds ends. */
  latestEnd?: string;
  minSeconds?: number;
  maxSeconds?: number;
}

/** The Ready condition: why a run is where it is. */
export interface ReadyView {
  status: string;
  reason?: string;
  message?: string;
}

/** One row of the web view. */
export interface CanaryView {
  namespace: string;
  name: string;
  phase: string;
  weight?: number;
  failedChecks?: number;
  /** `spec.analysis.threshold`: the failed checks that roll the run back. */
  threshold?: number;
  /** When the current phase began (`status.phaseStartTime`, else `lastTransitionTime`). */
  phaseSince?: string;
  checks: CheckView[];
  plan?: PlanView;
  ready?: ReadyView;
  /** A manual pause (`status.paused`); `weight` when set-weight holds the canary there. */
  paused?: { weight?: number };
}

type Loose = Record<string, unknown>;

const record = (v: unknown): Loose | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? v as Loose : undefined);
const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const finite = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** A Canary as the cache holds it: metadata typed, the rest unknown. */
export interface CanaryObject {
  metadata: { name: string; namespace?: string };
  spec?: unknown;
  status?: unknown;
}

/** Every Canary's row, ordered by namespace then name. */
export function canaryViews(canaries: readonly CanaryObject[]): CanaryView[] {
  return canaries.map(canaryView).sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
}

/** One Canary's row. */
export function canaryView(canary: CanaryObject): CanaryView {
  const status = record(canary.status) ?? {};
  const analysis = record(record(canary.spec)?.analysis);
  const view: CanaryView = {
    namespace: canary.metadata.namespace ?? '', name: canary.metadata.name,
    phase: text(status.phase) ?? 'Unknown', checks: checks(status.lastMetricValues),
  };
  const optional: Partial<CanaryView> = {
    weight: finite(status.canaryWeight), failedChecks: finite(status.failedChecks), threshold: finite(analysis?.threshold),
    phaseSince: text(status.phaseStartTime) ?? text(status.lastTransitionTime), plan: plan(status.plan), ready: ready(status.conditions),
    paused: paused(status.paused),
  };
  for (const [k, v] of Object.entries(optional)) if (v !== undefined) Object.assign(view, { [k]: v });
  return view;
}

function checks(raw: unknown): CheckView[] {
  return Object.entries(record(raw) ?? {}).flatMap(([name, entry]) => {
    const r = record(entry);
    if (r === undefined) return [];
    const message = text(r.message);
    return [{
      name, value: finite(r.value) ?? null, threshold: text(r.threshold) ?? '', verdict: text(r.verdict) ?? '',
      ...(message === undefined ? {} : { message }),
    }];
  }).sort((a, b) => a.name.localeCompare(b.name));
}

function plan(raw: unknown): PlanView | undefined {
  const r = record(raw);
  if (r === undefined || !Array.isArray(r.weights)) return undefined;
  const view: PlanView = { weights: r.weights.map(finite).filter((w): w is number => w !== undefined) };
  const optional = { expectedEnd: text(r.expectedEnd), latestEnd: text(r.latestEnd), minSeconds: finite(r.minSeconds), maxSeconds: finite(r.maxSeconds) };
  for (const [k, v] of Object.entries(optional)) if (v !== undefined) Object.assign(view, { [k]: v });
  return view;
}

function paused(raw: unknown): CanaryView['paused'] {
  const r = record(raw);
  if (r === undefined) return undefined;
  const weight = finite(r.weight);
  return weight === undefined ? {} : { weight };
}

function ready(raw: unknown): ReadyView | undefined {
  if (!Array.isArray(raw)) return undefined;
  const condition = raw.map(record).find((c) => c?.type === 'Ready');
  if (condition === undefined) return undefined;
  const reason = text(condition.reason);
  const message = text(condition.message);
  return {
    status: text(condition.status) ?? 'Unknown',
    ...(reason === undefined ? {} : { reason }), ...(message === undefined ? {} : { message }),
  };
}
