import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Labels of a finished analysis, as Flagger's success/failure counters carry them. */
export interface AnalysisOutcome {
  /** Target name (Flagger's `name` label is the target, not the Canary). */
  target: string;
  namespace: string;
  strategy: 'canary' | 'blue-green' | 'ab-testing';
  status: 'completed' | 'skipped';
}

/**
 * Flagger's own metrics (spec §9.3), same names and labels, on an injected registry so that tests and
 * several operators in one process never share state.
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

  /** Drops the series of a deleted canary. */
  forget(target: string, namespace: string): void {
    this.status.remove({ name: target, namespace });
    this.weight.remove({ workload: `${target}-primary`, namespace });
    this.weight.remove({ workload: target, namespace });
  }
}
