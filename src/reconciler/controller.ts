import { analysisInterval, defaultAnalysisIntervalMs } from '../api/defaults.js';
import { parseCanary } from '../api/validate.js';
import type { KubeObject } from '../ports/kube.js';
import { scaleFromZeroReplicas } from '../workloads/primary-deployment.js';
import { primaryName } from '../workloads/labels.js';
import type { CacheChange } from './resource-cache.js';
import { OwnWrites } from './own-writes.js';
import { ACTION_ANNOTATION } from '../api/manual-action.js';
import { targetOwner } from './target-ownership.js';
import { targetKindOf } from './target-kinds.js';
import { Scheduler, type TickOutcome } from './scheduler.js';
import { dependencyKey, type TickDeps } from './tick-context.js';
import { runTick, type TickResult } from './tick.js';

/** A tick that found the cache behind its own last write tries again after this long. */
const staleRetryMs = 1_000;
/** A tick whose status patch conflicted is decided again after this long (a small pause, so that a writer fighting over the status cannot make it spin). */
const conflictRetryMs = 200;

/**
 * Keeps one scheduler job per Canary in step with the Canary cache, and turns changes of the objects a canary
 * depends on (target, primary, Services, configs) into an immediate tick, so a `kubectl set image` starts a
 * run within a second instead of at the next interval.
 */
export class Controller {
  readonly scheduler: Scheduler;
  private readonly dependents = new Map<string, Set<string>>();
  private readonly dependencies = new Map<string, ReadonlySet<string>>();
  private readonly generations = new Map<string, string>();
  private readonly unsubscribe: (() => void)[] = [];
  private readonly deps: TickDeps;
  private readonly ownWrites: OwnWrites;
  private started = false;

  constructor(deps: TickDeps, opts: { maxConcurrentTicks?: number } = {}) {
    this.deps = { ...deps, onDependency: (canary, dependency) => this.addDependent(dependency, canary) };
    this.ownWrites = new OwnWrites(deps.clock);
    this.scheduler = new Scheduler({ clock: deps.clock, logger: deps.logger, maxConcurrentTicks: opts.maxConcurrentTicks, tick: (key, scheduled) => this.tick(key, scheduled) });
  }

  /**
   * Starts ticking: one job per canary in the cache. Call once every cache has synced, so that no tick
   * reads a half-filled cache (and reports a target "not found" that exists).
   */
  start(): void {
    this.started = true;
    for (const canary of this.deps.caches.canaries.list()) this.onCanary({ type: 'ADDED', object: canary });
  }

  /** Subscribes to the caches (jobs start with {@link start}). */
  attach(): void {
    const { caches } = this.deps;
    this.unsubscribe.push(caches.canaries.onChange((change) => this.onCanary(change)));
    for (const [kind, cache] of [['Deployment', caches.deployments], ['DaemonSet', caches.daemonSets], ['Service', caches.services], ['ConfigMap', caches.configMaps],
      ['Secret', caches.secrets], ['HorizontalPodAutoscaler', caches.hpas]] as const) {
      this.unsubscribe.push((cache as { onChange(l: (c: CacheChange<KubeObject>) => void): () => void }).onChange((change) => this.onDependency(kind, change.object)));
    }
    // A ConfigMap or Secret stays watched while some canary's last tick read it (see ReferencedObjects).
    caches.configMaps.keepWhile((namespace, name) => this.isDependedOn(dependencyKey('ConfigMap', namespace, name)));
    caches.secrets.keepWhile((namespace, name) => this.isDependedOn(dependencyKey('Secret', namespace, name)));
  }

  /** Stops every job and waits for ticks in flight. */
  async stop(): Promise<void> {
    for (const u of this.unsubscribe.splice(0)) u();
    await this.scheduler.stopAll();
  }

  private onCanary(change: CacheChange<KubeObject & { spec?: unknown }>): void {
    if (!this.started) return;
    const { namespace, name } = change.object.metadata;
    const key = `${namespace ?? ''}/${name}`;
    this.ownWrites.observed(key, change.object.metadata.resourceVersion, change.type === 'DELETED');
    if (change.type === 'DELETED') {
      this.forget(key);
      // A Canary standing aside for this one (same target) takes the target over now.
      this.onDependency('Canary', change.object);
      void this.restoreTargetAfterDeletion(change.object).catch((error: unknown) => this.deps.logger.warn('could not restore the target', { canary: key, error: String(error) }));
      return;
    }
    const parsed = parseCanary(change.object);
    this.scheduler.ensure(key, parsed.ok ? analysisInterval(parsed.value) : defaultAnalysisIntervalMs);
    // Our own status patches also arrive here; only a spec or lifecycle change needs an immediate tick.
    const generation = changeKey(change.object.metadata);
    if (this.generations.get(key) !== generation) {
      this.generations.set(key, generation);
      this.scheduler.trigger(key);
    }
  }

  private onDependency(kind: string, object: KubeObject): void {
    const keys = this.dependents.get(dependencyKey(kind, object.metadata.namespace, object.metadata.name));
    for (const key of keys ?? []) this.scheduler.trigger(key);
  }

  /**
   * One tick of `key`, never on a status older than the last one this operator saved or saw the server
   * hold: if the cache does not show it within the catch-up timeout the tick does nothing and runs again
   * shortly; if the status patch meets a newer Canary (409) the tick is decided again once the cache shows it.
   */
  private async tick(key: string, scheduled: boolean): Promise<TickOutcome | undefined> {
    const [namespace = '', name = ''] = key.split('/');
    if (!(await this.ownWrites.caughtUp(key))) {
      this.deps.logger.warn('the canary cache does not show the last status yet: not acting on an older one', { canary: key });
      return { retryAfterMs: staleRetryMs };
    }
    const started = this.deps.clock.now();
    const result = await runTick(this.deps, { namespace, name }, scheduled);
    if (result.gone) {
      this.forget(key);
      return undefined;
    }
    this.index(key, result.dependencies);
    const target = this.deps.caches.canaries.get(namespace, name);
    const targetName = (target?.spec as { targetRef?: { name?: string } } | undefined)?.targetRef?.name ?? name;
    this.deps.recorder.observeTickDuration(targetName, namespace, (this.deps.clock.now() - started) / 1000);
    return this.followTick(key, result, target?.metadata.resourceVersion);
  }

  // What a tick's save asks for next: wait for it in the cache, tick again at once, or decide it again.
  private followTick(key: string, result: TickResult, cachedResourceVersion: string | undefined): TickOutcome | undefined {
    if (result.written !== undefined) this.ownWrites.wrote(key, result.written, cachedResourceVersion);
    if (result.followUp === true) this.scheduler.trigger(key);
    if (result.redecideAt === undefined) return undefined;
    this.ownWrites.wrote(key, result.redecideAt, cachedResourceVersion);
    return { retryAfterMs: conflictRetryMs };
  }

  private index(key: string, dependencies: ReadonlySet<string>): void {
    for (const dep of this.dependencies.get(key) ?? []) {
      if (!dependencies.has(dep)) this.dependents.get(dep)?.delete(key);
    }
    for (const dep of dependencies) this.addDependent(dep, key);
    this.dependencies.set(key, dependencies);
  }

  private isDependedOn(dependency: string): boolean {
    return (this.dependents.get(dependency)?.size ?? 0) > 0;
  }

  private addDependent(dependency: string, canaryKey: string): void {
    const set = this.dependents.get(dependency) ?? new Set<string>();
    set.add(canaryKey);
    this.dependents.set(dependency, set);
  }

  private forget(key: string): void {
    this.scheduler.remove(key);
    this.index(key, new Set());
    this.dependencies.delete(key);
    this.generations.delete(key);
  }

  /**
   * A Canary deleted without revertOnDeletion leaves no finalizer to act on, and the garbage collector then
   * removes the primary. So that the workload keeps running, the target is scaled back to the primary's size
   * as soon as the deletion is seen (best effort, from the caches).
   * parity: Flagger leaves the target at 0 replicas (spec §12.21).
   */
  private async restoreTargetAfterDeletion(object: KubeObject & { spec?: unknown }): Promise<void> {
    const parsed = parseCanary(object);
    const kind = parsed.ok ? targetKindOf(parsed.value.spec.targetRef.kind) : undefined;
    if (!parsed.ok || kind === undefined) return;
    // The target was never this Canary's to change: an older one manages it.
    if (targetOwner(object, this.deps.caches.canaries.list()) !== undefined) return;
    const namespace = object.metadata.namespace ?? '';
    const target = kind.cache(this.deps.caches).get(namespace, parsed.value.spec.targetRef.name);
    if (target === undefined || kind.replicas(target) > 0) return;
    const primary = kind.cache(this.deps.caches).get(namespace, primaryName(target.metadata.name));
    const replicas = scaleFromZeroReplicas({ target, primary, hasAutoscaler: false });
    await this.deps.kube.patch(kind.type, { namespace, name: target.metadata.name }, kind.scalePatch(replicas));
    this.deps.logger.info('canary deleted: target scaled back up', { canary: `${object.metadata.name}.${namespace}`, replicas });
  }
}

/**
 * What of a Canary's metadata calls for an immediate tick: its spec (generation), its lifecycle, and a new
 * manual action request (annotation), which is answered at once rather than at the next interval.
 */
function changeKey(metadata: KubeObject['metadata']): string {
  const lifecycle = `${metadata.deletionTimestamp ?? ''}/${(metadata.finalizers ?? []).join(',')}`;
  return `${metadata.generation ?? ''}/${lifecycle}/${metadata.annotations?.[ACTION_ANNOTATION] ?? ''}`;
}
