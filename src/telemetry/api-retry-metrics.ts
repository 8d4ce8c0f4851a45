import { Counter, Histogram, type Registry } from 'prom-client';
import type { CacheRetryObserver } from '../reconciler/resource-cache.js';

/**
 * How the operator rides out API server faults, under `songbird_*` names (the `flagger_*` names stay
 * Flagger's): failed lists and watches per kind, watches opened again, the backoff delays taken (their
 * spread in the histogram shows the jitter), and unhandled promise rejections, which must stay at 0.
 */
export class ApiRetryMetrics implements CacheRetryObserver {
  private readonly listFailures: Counter;
  private readonly watchFailures: Counter;
  private readonly watchRestarts: Counter;
  private readonly backoff: Histogram;
  private readonly unhandled: Counter;

  constructor(registry: Registry) {
    const registers = [registry];
    this.listFailures = new Counter({ name: 'songbird_cache_list_failures_total', help: 'Failed lists of a watch cache, by kind', labelNames: ['kind'], registers });
    this.watchFailures = new Counter({ name: 'songbird_cache_watch_failures_total', help: 'Watches of a cache that failed or ended at once, by kind', labelNames: ['kind'], registers });
    this.watchRestarts = new Counter({ name: 'songbird_cache_watch_restarts_total', help: 'Watches opened again after the previous one ended or failed, by kind', labelNames: ['kind'], registers });
    this.backoff = new Histogram({
      name: 'songbird_cache_retry_backoff_seconds', help: 'Jittered backoff delays taken before retrying a list or watch, by kind',
      labelNames: ['kind'], buckets: [0.25, 0.5, 1, 2, 4, 8, 12, 16, 32], registers,
    });
    this.unhandled = new Counter({ name: 'songbird_unhandled_rejections_total', help: 'Promise rejections nothing handled (a bug; logged, the operator keeps running)', registers });
  }

  listFailed(kind: string): void {
    this.listFailures.inc({ kind });
  }

  watchFailed(kind: string): void {
    this.watchFailures.inc({ kind });
  }

  watchRestarted(kind: string): void {
    this.watchRestarts.inc({ kind });
  }

  backedOff(kind: string, delayMs: number): void {
    this.backoff.observe({ kind }, delayMs / 1000);
  }

  unhandledRejection(): void {
    this.unhandled.inc();
  }
}
