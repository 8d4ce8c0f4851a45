import type { Clock, Timer } from '../ports/clock.js';
import { KubeDecorator } from '../kube/kube-decorator.js';
import type { Kube, KubeObject, ObjectList, ObjectPage, OpenWatch, PageRequest, ResourceType, Selectors, WatchEvent, WatchOptions } from '../ports/kube.js';
import type { Logger } from '../ports/logger.js';
import { ResourceCache, type CacheChange } from './resource-cache.js';

/**
 * How long the server keeps one watch of a referenced object open before the cache renews it. The server
 * sends a bookmark every minute, so the renewal resumes from a fresh resourceVersion without a list.
 */
export const REFERENCED_WATCH_SECONDS = 2 * 60 * 60;
/** The cache's safety-net re-list of a referenced object (it needs none to stay correct; see ResourceCache). */
export const REFERENCED_RELIST_MS = 12 * 60 * 60 * 1000;
/** An object no canary depends on is dropped once nothing has read it for this long. */
export const RELEASE_AFTER_MS = 15 * 60 * 1000;

/** Options of {@link ReferencedObjects}. */
export interface ReferencedObjectsOptions<T extends KubeObject> {
  kube: Kube;
  clock: Clock;
  logger: Logger;
  type: ResourceType<T>;
  /** With `--namespace`, objects elsewhere are never read (they read as missing, as before). */
  namespace?: string;
  releaseAfterMs?: number;
}

interface Entry<T extends KubeObject> {
  cache: ResourceCache<T>;
  ready: Promise<void>;
  synced: boolean;
  lastRead: number;
}

/**
 * The ConfigMaps or Secrets that something references (a canary target's pod template, its `-primary`
 * copies, a MetricTemplate's or AlertProvider's `secretRef`, a webhook's `headersSecretRef`), each read by
 * name and then watched by name: a list and a watch with `fieldSelector=metadata.name=<name>` in its
 * namespace, started the first time it is read. Nothing else of the kind is ever listed, watched or held.
 *
 * Why this design: a cluster-wide (or namespace-wide) informer holds every Secret, including thousands of
 * unrelated 50 KB Helm releases, and needs the right to read them all. Reading on demand without a watch
 * (Flagger's way) costs a GET per canary per interval and notices a config change only at the next interval.
 * A watch per referenced object (what the kubelet does for the Secrets its pods mount) keeps both guarantees:
 * a change still triggers a tick within a second, and steady state costs one watch renewal per object every
 * {@link REFERENCED_WATCH_SECONDS} plus a safety-net list every 12 hours. Example: a canary whose target
 * mounts one ConfigMap holds two objects (it and its `-primary` copy): 2 × (1/120 + 1/720) ≈ 0.019 requests
 * per minute, under the 0.05 per idle canary that the operator benchmark allows.
 *
 * An object stays watched while a canary depends on it ({@link keepWhile}) or while it was read in the last
 * 15 minutes (a run's metric and webhook Secrets); then its watch stops and its copy is dropped.
 */
export class ReferencedObjects<T extends KubeObject> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly listeners = new Set<(change: CacheChange<T>) => void>();
  private held: (namespace: string, name: string) => boolean = () => false;
  private sweepTimer: Timer | undefined;
  private stopped = false;

  constructor(private readonly opts: ReferencedObjectsOptions<T>) {}

  /** Starts the periodic release of objects no longer referenced; nothing is read until asked for. */
  start(): Promise<void> {
    this.stopped = false;
    this.scheduleSweep();
    return Promise.resolve();
  }

  /** Always true: there is no initial list to wait for. */
  isSynced(): boolean {
    return true;
  }

  /** Stops every watch and the sweep. */
  stop(): void {
    this.stopped = true;
    this.sweepTimer?.cancel();
    for (const entry of this.entries.values()) entry.cache.stop();
    this.entries.clear();
  }

  /** Objects for which `held` answers true are never released (the controller: "some canary depends on it"). */
  keepWhile(held: (namespace: string, name: string) => boolean): void {
    this.held = held;
  }

  /** Calls `listener` after every change of a watched object (not for its first read). */
  onChange(listener: (change: CacheChange<T>) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The object, from its watch; the first read of a name lists it and starts the watch. `undefined` when it
   * does not exist (or lies outside `--namespace`). Rejects when it cannot be read (the next read retries).
   */
  async read(namespace: string, name: string): Promise<T | undefined> {
    if (this.opts.namespace !== undefined && namespace !== this.opts.namespace) return undefined;
    const entry = this.entries.get(entryKey(namespace, name)) ?? this.track(namespace, name);
    entry.lastRead = this.opts.clock.now();
    await entry.ready;
    return entry.cache.get(namespace, name);
  }

  /** The object if it is watched already, without starting anything. */
  peek(namespace: string, name: string): T | undefined {
    const entry = this.entries.get(entryKey(namespace, name));
    return entry?.synced === true ? entry.cache.get(namespace, name) : undefined;
  }

  /** `namespace/name` of every watched object. */
  watched(): string[] {
    return [...this.entries.keys()];
  }

  private track(namespace: string, name: string): Entry<T> {
    const k = entryKey(namespace, name);
    const { kube, clock, logger, type } = this.opts;
    const cache = new ResourceCache<T>({ kube: new NameScopedKube(kube, name), clock, logger, type, namespace, relistIntervalMs: REFERENCED_RELIST_MS });
    const entry: Entry<T> = { cache, ready: Promise.resolve(), synced: false, lastRead: clock.now() };
    cache.onChange((change) => {
      if (entry.synced) this.emit(change);
    });
    entry.ready = cache.start().then(() => {
      entry.synced = true;
    }, (error: unknown) => {
      cache.stop();
      if (this.entries.get(k) === entry) this.entries.delete(k);
      throw error;
    });
    entry.ready.catch(() => undefined);
    this.entries.set(k, entry);
    return entry;
  }

  private scheduleSweep(): void {
    const releaseAfterMs = this.opts.releaseAfterMs ?? RELEASE_AFTER_MS;
    this.sweepTimer = this.opts.clock.setTimer(releaseAfterMs, () => {
      if (this.stopped) return;
      this.sweep(releaseAfterMs);
      this.scheduleSweep();
    });
  }

  private sweep(releaseAfterMs: number): void {
    const now = this.opts.clock.now();
    for (const [k, entry] of [...this.entries]) {
      const [namespace = '', name = ''] = k.split('/');
      if (!entry.synced || this.held(namespace, name) || now - entry.lastRead < releaseAfterMs) continue;
      entry.cache.stop();
      this.entries.delete(k);
    }
  }

  private emit(change: CacheChange<T>): void {
    for (const listener of this.listeners) listener(change);
  }
}

const entryKey = (namespace: string, name: string): string => `${namespace}/${name}`;

/**
 * The Kube port with every list and watch narrowed to one object by name. A list or watch by
 * `metadata.name` is authorised like a request for that name, so RBAC `resourceNames` rules apply to it.
 */
class NameScopedKube extends KubeDecorator {
  private readonly fieldSelector: string;

  constructor(kube: Kube, name: string) {
    super(kube);
    this.fieldSelector = `metadata.name=${name}`;
  }

  override list<U extends KubeObject>(type: ResourceType<U>, namespace?: string, selectors?: string | Selectors): Promise<ObjectList<U>> {
    const labelSelector = typeof selectors === 'string' ? selectors : selectors?.labelSelector;
    return this.inner.list(type, namespace, { ...(labelSelector === undefined ? {} : { labelSelector }), fieldSelector: this.fieldSelector });
  }

  override listPage<U extends KubeObject>(type: ResourceType<U>, request: PageRequest): Promise<ObjectPage<U>> {
    return this.inner.listPage(type, { ...request, fieldSelector: this.fieldSelector });
  }

  override watch<U extends KubeObject>(type: ResourceType<U>, opts: WatchOptions, onEvent: (event: WatchEvent<U>) => void): OpenWatch {
    return this.inner.watch(type, { timeoutSeconds: REFERENCED_WATCH_SECONDS, ...opts, fieldSelector: this.fieldSelector }, onEvent);
  }
}
