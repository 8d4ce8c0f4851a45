import type { Clock } from '../ports/clock.js';
import { isGone, isNotFound, type Kube, type KubeObject, type ResourceType, type WatchEvent } from '../ports/kube.js';
import type { Logger } from '../ports/logger.js';

/** What changed in a cache: the object after the change (before, for deletions). */
export type CacheChange<T extends KubeObject> = { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: T };

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
  /** Backoff after a failed list or watch: doubles from `initial` up to `max` (defaults 1 s and 30 s). */
  backoff?: { initialMs: number; maxMs: number };
}

const key = (namespace: string | undefined, name: string): string => `${namespace ?? ''}/${name}`;

/**
 * An informer: lists once, then watches from the list's resourceVersion and keeps an in-memory copy that
 * every read uses, so steady state costs no API calls. Unlike client-node's ListWatch it never stops on an
 * error: it re-lists after 410 Gone, backs off (capped, exponential) on other failures, and re-lists
 * periodically. Re-lists are diffed against the cache, so listeners see only real changes.
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
   * (404: e.g. CRDs not installed) fails at once; transient errors (a CRD just installed answers "storage is
   * (re)initializing" for a moment) are retried with backoff for up to a minute.
   */
  async start(): Promise<void> {
    this.stopped = false;
    const deadline = this.opts.clock.now() + 60_000;
    for (let delay = 250; ; delay = Math.min(delay * 2, 5000)) {
      try {
        await this.relist();
        break;
      } catch (error) {
        if (isNotFound(error)) throw new Error(`cannot list ${this.opts.type.plural}.${this.opts.type.group || 'core'}: the server does not serve it (is the CRD installed?)`);
        if (this.opts.clock.now() >= deadline) throw error;
        await this.opts.clock.sleep(delay);
      }
    }
    void this.loop();
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

  private async loop(): Promise<void> {
    let lastList = this.opts.clock.now();
    while (!this.stopped) {
      try {
        if (this.opts.clock.now() - lastList >= (this.opts.relistIntervalMs ?? 600_000)) {
          await this.relist();
          lastList = this.opts.clock.now();
        }
        await this.watchOnce(lastList);
        this.failures = 0;
      } catch (error) {
        if (this.stopped) return;
        await this.recover(error);
        lastList = this.opts.clock.now();
      }
    }
  }

  private async recover(error: unknown): Promise<void> {
    if (!isGone(error)) {
      this.failures += 1;
      const { initialMs, maxMs } = this.opts.backoff ?? { initialMs: 1000, maxMs: 30_000 };
      const delay = Math.min(maxMs, initialMs * 2 ** (this.failures - 1));
      this.opts.logger.warn('watch failed, retrying', { kind: this.opts.type.kind, error: String(error), retryInMs: delay });
      await this.opts.clock.sleep(delay);
    }
    if (!this.stopped) await this.relist();
  }

  // One watch request; ends when the server closes it (timeout), when a re-list is due, or on stop.
  private async watchOnce(lastList: number): Promise<void> {
    const watch = this.opts.kube.watch(this.opts.type,
      { namespace: this.opts.namespace, resourceVersion: this.resourceVersion }, (e) => this.apply(e));
    this.stopWatch = () => watch.stop();
    const relistDue = (this.opts.relistIntervalMs ?? 600_000) - (this.opts.clock.now() - lastList);
    const timer = this.opts.clock.setTimer(Math.max(0, relistDue), () => watch.stop());
    try {
      await watch.done;
    } finally {
      timer.cancel();
    }
  }

  private async relist(): Promise<void> {
    const list = await this.opts.kube.list(this.opts.type, this.opts.namespace);
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
