import type { Clock } from '../ports/clock.js';
import { isGone, isNotFound, KubeApiError, type Kube, type KubeObject, type ResourceType, type WatchEvent } from '../ports/kube.js';
import type { Logger } from '../ports/logger.js';
import { apiRetryBackoff, retryDelayMs, type BackoffPolicy } from './backoff.js';

/** What changed in a cache: the object after the change (before, for deletions). */
export type CacheChange<T extends KubeObject> = { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: T };

/** Told about every failure and retry of a cache, for metrics (e.g. `songbird_cache_*`). */
export interface CacheRetryObserver {
  listFailed(kind: string): void;
  watchFailed(kind: string): void;
  /** A watch is opened again after the previous one ended or failed. */
  watchRestarted(kind: string): void;
  /** The cache waits `delayMs` before its next try. */
  backedOff(kind: string, delayMs: number): void;
}

/** Options of a {@link ResourceCache}. */
export interface ResourceCacheOptions<T extends KubeObject> {
  kube: Kube;
  clock: Clock;
  logger: Logger;
  type: ResourceType<T>;
  /** Watch one namespace only; all namespaces when undefined. */
  namespace?: string;
  /** Full re-list period, a safety net against missed events (default 10 minutes). */
  relistIntervalMs?: number;
  /** Backoff after a failed list or watch, with jitter (default {@link apiRetryBackoff}: 1 s doubling up to 16 s). */
  backoff?: BackoffPolicy;
  /** Source of the jitter (default Math.random); tests pass a fixed sequence. */
  random?: () => number;
  observer?: CacheRetryObserver;
}

/** A watch that lasted this long was healthy: the next failure backs off from the start again. */
const stableWatchMs = 10_000;
/** A watch that ends sooner than this without a single event counts as a failure (else a server closing every watch at once would be hammered). */
const shortWatchMs = 1_000;

const key = (namespace: string | undefined, name: string): string => `${namespace ?? ''}/${name}`;

/**
 * An informer: lists once, then watches from the list's resourceVersion and keeps an in-memory copy that
 * every read uses, so steady state costs no API calls. Unlike client-node's ListWatch it never stops on an
 * error: it re-lists after 410 Gone, backs off (capped, exponential, jittered) on other failures and retries
 * forever (an API server restart, 429s or refused connections only pause it), and re-lists periodically.
 * Re-lists are diffed against the cache, so listeners see only real changes, and changes made while the
 * server was unreachable arrive with the first successful re-list.
 */
export class ResourceCache<T extends KubeObject> {
  private readonly objects = new Map<string, T>();
  private readonly listeners = new Set<(change: CacheChange<T>) => void>();
  private resourceVersion = '';
  private stopped = true;
  private stopWatch: (() => void) | undefined;
  private synced = false;
  private failures = 0;

  constructor(private readonly opts: ResourceCacheOptions<T>) {}

  /**
   * Starts the loop; resolves once the first list has filled the cache. A kind the server does not serve
   * (404: e.g. CRDs not installed) or will not show us (401, 403: RBAC) fails at once, with a clear message;
   * any other error (the API server down or restarting, 429, 5xx, a CRD just installed answering "storage is
   * (re)initializing") is logged and retried with backoff until the list succeeds, so an operator started
   * during a control-plane upgrade waits (not ready) instead of crash-looping.
   */
  async start(): Promise<void> {
    this.stopped = false;
    for (let attempt = 1; !this.stopped; attempt++) {
      try {
        await this.relist();
        break;
      } catch (error) {
        const { plural, group } = this.opts.type;
        if (isNotFound(error)) throw new Error(`cannot list ${plural}.${group || 'core'}: the server does not serve it (is the CRD installed?)`, { cause: error });
        if (error instanceof KubeApiError && (error.status === 401 || error.status === 403)) throw new Error(`cannot list ${plural}.${group || 'core'}: ${error.message}`, { cause: error });
        const delay = retryDelayMs(error, attempt, { initialMs: 250, maxMs: this.policy.maxMs }, this.random);
        this.opts.logger.warn('initial list failed, retrying', { kind: this.opts.type.kind, error: String(error), attempt, retryInMs: delay });
        this.opts.observer?.backedOff(this.opts.type.kind, delay);
        await this.opts.clock.sleep(delay);
      }
    }
    this.runLoop();
  }

  /** Stops watching; the cache keeps its last contents. */
  stop(): void {
    this.stopped = true;
    this.stopWatch?.();
  }

  /** True once the first list succeeded. */
  isSynced(): boolean {
    return this.synced;
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.objects.get(key(namespace, name));
  }

  list(namespace?: string): T[] {
    const all = [...this.objects.values()];
    return namespace === undefined ? all : all.filter((o) => o.metadata.namespace === namespace);
  }

  /** Calls `listener` after every change; returns the function that unsubscribes. */
  onChange(listener: (change: CacheChange<T>) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // The loop handles every API error itself; this net only catches a bug, which must not end the watch for good.
  private runLoop(): void {
    this.loop().catch((error: unknown) => {
      this.opts.logger.error('cache loop failed, restarting it', { kind: this.opts.type.kind, error: String(error) });
      if (!this.stopped) this.opts.clock.setTimer(this.policy.initialMs, () => this.runLoop());
    });
  }

  private async loop(): Promise<void> {
    let lastList = this.opts.clock.now();
    let first = true;
    while (!this.stopped) {
      try {
        if (this.opts.clock.now() - lastList >= this.relistIntervalMs) {
          await this.relist();
          lastList = this.opts.clock.now();
        }
        if (!first) this.opts.observer?.watchRestarted(this.opts.type.kind);
        first = false;
        await this.watchOnce(lastList);
      } catch (error) {
        if (this.stopped) return;
        await this.recover(error);
        lastList = this.opts.clock.now();
      }
    }
  }

  /** Backs off and re-lists until a list succeeds or the cache stops. Never throws. */
  private async recover(error: unknown): Promise<void> {
    const since = this.opts.clock.now();
    let cause = error;
    // 410 Gone only means the watch's resourceVersion is too old: re-list at once.
    let immediate = isGone(error);
    while (!this.stopped) {
      if (!immediate) await this.backOff(cause);
      immediate = false;
      if (this.stopped) return;
      try {
        await this.relist();
        this.opts.logger.info('watch cache re-listed', { kind: this.opts.type.kind, attempt: this.failures, outageMs: this.opts.clock.now() - since });
        return;
      } catch (listError) {
        cause = listError;
      }
    }
  }

  private async backOff(cause: unknown): Promise<void> {
    this.failures += 1;
    const delay = retryDelayMs(cause, this.failures, this.policy, this.random);
    this.opts.logger.warn('watch failed, retrying', { kind: this.opts.type.kind, error: String(cause), attempt: this.failures, retryInMs: delay });
    this.opts.observer?.backedOff(this.opts.type.kind, delay);
    await this.opts.clock.sleep(delay);
  }

  // One watch request; ends when the server closes it (timeout), when a re-list is due, or on stop. Throws when
  // it fails, or when it ends at once without an event.
  private async watchOnce(lastList: number): Promise<void> {
    const opened = this.opts.clock.now();
    let events = 0;
    const watch = this.opts.kube.watch(this.opts.type,
      { namespace: this.opts.namespace, resourceVersion: this.resourceVersion }, (e) => { events += 1; this.apply(e); });
    this.stopWatch = () => watch.stop();
    const relistDue = this.relistIntervalMs - (opened - lastList);
    const timer = this.opts.clock.setTimer(Math.max(0, relistDue), () => watch.stop());
    try {
      await watch.done;
    } catch (error) {
      this.watchEnded(opened);
      this.opts.observer?.watchFailed(this.opts.type.kind);
      throw error;
    } finally {
      timer.cancel();
    }
    const lasted = this.watchEnded(opened);
    if (this.stopped) return;
    if (lasted < shortWatchMs && events === 0 && relistDue > shortWatchMs) {
      this.opts.observer?.watchFailed(this.opts.type.kind);
      throw new Error(`the watch ended after ${lasted} ms without an event`);
    }
  }

  // A watch that stayed open for a while means the last fault is over: a new one backs off from the start.
  private watchEnded(opened: number): number {
    const lasted = this.opts.clock.now() - opened;
    if (lasted >= stableWatchMs) this.failures = 0;
    return lasted;
  }

  private async relist(): Promise<void> {
    let list;
    try {
      list = await this.opts.kube.list(this.opts.type, this.opts.namespace);
    } catch (error) {
      this.opts.observer?.listFailed(this.opts.type.kind);
      throw error;
    }
    const seen = new Set<string>();
    for (const object of list.items) {
      seen.add(key(object.metadata.namespace, object.metadata.name));
      this.upsert(object);
    }
    for (const [k, object] of [...this.objects]) {
      if (!seen.has(k)) {
        this.objects.delete(k);
        this.emit({ type: 'DELETED', object });
      }
    }
    this.resourceVersion = list.resourceVersion;
    this.synced = true;
  }

  private apply(event: WatchEvent<T>): void {
    this.resourceVersion = event.object.metadata.resourceVersion ?? this.resourceVersion;
    if (event.type === 'BOOKMARK') return;
    if (event.type === 'DELETED') {
      const k = key(event.object.metadata.namespace, event.object.metadata.name);
      if (this.objects.delete(k)) this.emit({ type: 'DELETED', object: event.object });
      return;
    }
    this.upsert(event.object);
  }

  private upsert(object: T): void {
    const k = key(object.metadata.namespace, object.metadata.name);
    const previous = this.objects.get(k);
    if (previous?.metadata.resourceVersion === object.metadata.resourceVersion) return;
    this.objects.set(k, object);
    this.emit({ type: previous === undefined ? 'ADDED' : 'MODIFIED', object });
  }

  private get policy(): BackoffPolicy {
    return this.opts.backoff ?? apiRetryBackoff;
  }

  private get random(): () => number {
    return this.opts.random ?? Math.random;
  }

  private get relistIntervalMs(): number {
    return this.opts.relistIntervalMs ?? 600_000;
  }

  private emit(change: CacheChange<T>): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (error) {
        this.opts.logger.error('cache listener failed', { kind: this.opts.type.kind, error: String(error) });
      }
    }
  }
}
