import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Labels of a finished analysis, as Flagger's success/failure counters carry them. */
export interface AnalysisOutcome {
  /** Target name (Flagger's `name` label is the target, not the Canary). */
  target: string;
  namespace: string;
  strategy: 'canary' | 'blue-green' | 'ab-testing';
  status: 'completed' | 'skipped';
}

/** Buckets of a release's duration, in seconds: a minute to a day (a run waiting on a gate can take that long). */
const releaseBuckets = [60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400, 43_200, 86_400];

/** Buckets of the time in one phase, in seconds: a tick to a day. */
const phaseBuckets = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 14_400, 86_400];

/**
 * Flagger's own metrics (spec §9.3), same names and labels, plus Songbird's outcome metrics
 * (`songbird_releases_total`, `songbird_release_duration_seconds`, `songbird_phase_duration_seconds`), on an
 * injected registry so that tests and several operators in one process never share state.
 */
export class Recorder {
  private readonly info: Gauge;
  private readonly total: Gauge;
  private readonly status: Gauge;
  private readonly weight: Gauge;
  private readonly duration: Histogram;
  private readonly metricAnalysis: Gauge;
  private readonly successes: Counter;
  private readonly failures: Counter;
  private readonly releases: Counter;
  private readonly releaseDuration: Histogram;
  private readonly phaseDuration: Histogram;

  constructor(registry: Registry, meta: { version: string; meshProvider: string }) {
    const registers = [registry];
    this.info = new Gauge({ name: 'flagger_info', help: 'Flagger version and mesh provider information', labelNames: ['version', 'mesh_provider'], registers });
    this.total = new Gauge({ name: 'flagger_canary_total', help: 'Total number of canary object', labelNames: ['namespace'], registers });
    this.status = new Gauge({ name: 'flagger_canary_status', help: 'Last canary analysis result (0 progressing, 1 other, 2 failed)', labelNames: ['name', 'namespace'], registers });
    this.weight = new Gauge({ name: 'flagger_canary_weight', help: 'The virtual service destination weight current value', labelNames: ['workload', 'namespace'], registers });
    this.duration = new Histogram({ name: 'flagger_canary_duration_seconds', help: 'Seconds spent performing canary analysis.', labelNames: ['name', 'namespace'], registers });
    this.metricAnalysis = new Gauge({ name: 'flagger_canary_metric_analysis', help: 'Last canary analysis result per metric', labelNames: ['name', 'namespace', 'metric'], registers });
    const outcome = ['name', 'namespace', 'deployment_strategy', 'analysis_status'];
    this.successes = new Counter({ name: 'flagger_canary_successes_total', help: 'Total number of canary successes', labelNames: outcome, registers });
    this.failures = new Counter({ name: 'flagger_canary_failures_total', help: 'Total number of canary failures', labelNames: outcome, registers });
    this.info.set({ version: meta.version, mesh_provider: meta.meshProvider }, 1);
    this.releases = new Counter({
      name: 'songbird_releases_total', help: 'Runs that ended, by result (succeeded, failed) and the reason of the Ready condition', labelNames: ['name', 'namespace', 'result', 'reason'], registers,
    });
    this.releaseDuration = new Histogram({
      name: 'songbird_release_duration_seconds', help: 'Seconds from the start of a run to its outcome', labelNames: ['name', 'namespace', 'result'], buckets: releaseBuckets, registers,
    });
    this.phaseDuration = new Histogram({
      name: 'songbird_phase_duration_seconds', help: 'Seconds spent in a phase, observed when it is left', labelNames: ['name', 'namespace', 'phase'], buckets: phaseBuckets, registers,
    });
  }

  /** Canaries per namespace, from the scheduler's view. */
  setTotals(perNamespace: ReadonlyMap<string, number>): void {
    this.total.reset();
    for (const [namespace, count] of perNamespace) this.total.set({ namespace }, count);
  }

  /** 0 = Progressing, 2 = Failed, 1 = anything else (Flagger's encoding). */
  setStatus(target: string, namespace: string, phase: string | undefined): void {
    const value = phase === 'Progressing' ? 0 : phase === 'Failed' ? 2 : 1;
    this.status.set({ name: target, namespace }, value);
  }

  /** Two series: `<target>-primary` and `<target>`. */
  setWeight(target: string, namespace: string, weights: { primary: number; canary: number }): void {
    this.weight.set({ workload: `${target}-primary`, namespace }, weights.primary);
    this.weight.set({ workload: target, namespace }, weights.canary);
  }

  observeTickDuration(target: string, namespace: string, seconds: number): void {
    this.duration.observe({ name: target, namespace }, seconds);
  }

  setMetricValue(target: string, namespace: string, metric: string, value: number): void {
    this.metricAnalysis.set({ name: target, namespace, metric }, value);
  }

  countOutcome(outcome: AnalysisOutcome, succeeded: boolean): void {
    const labels = { name: outcome.target, namespace: outcome.namespace, deployment_strategy: outcome.strategy, analysis_status: outcome.status };
    (succeeded ? this.successes : this.failures).inc(labels);
  }

  /** A run that ended (Songbird's outcome metrics): counted by result and reason, its duration observed when known. */
  countRelease(end: { target: string; namespace: string; result: 'succeeded' | 'failed'; reason: string; seconds?: number | undefined }): void {
    const { target: name, namespace, result } = end;
    this.releases.inc({ name, namespace, result, reason: end.reason });
    if (end.seconds !== undefined) this.releaseDuration.observe({ name, namespace, result }, end.seconds);
  }

  /** The time a canary spent in `phase`, once it left it. */
  observePhase(target: string, namespace: string, phase: string, seconds: number): void {
    this.phaseDuration.observe({ name: target, namespace, phase }, seconds);
  }

  /** Drops the series of a deleted canary. */
  forget(target: string, namespace: string): void {
    this.status.remove({ name: target, namespace });
    this.weight.remove({ workload: `${target}-primary`, namespace });
    this.weight.remove({ workload: target, namespace });
  }
}
