import { flaggerType, Resources, type ConfigMap, type DaemonSet, type Deployment, type HorizontalPodAutoscaler, type Secret, type Service } from '../kube/resources.js';
import type { Clock } from '../ports/clock.js';
import type { Kube, KubeObject } from '../ports/kube.js';
import type { Logger } from '../ports/logger.js';
import { ReferencedObjects } from './referenced-objects.js';
import { ResourceCache, type CacheChange, type CacheRetryObserver } from './resource-cache.js';

/** Resource type of Canary objects as read (unparsed: parsing happens per tick, and is never written back). */
export const CanaryResource = flaggerType<KubeObject & { spec?: unknown; status?: Record<string, unknown> }>('Canary');

/**
 * One informer per kind the operator reads: its own kinds and the workloads, Services and autoscalers that
 * canaries reference. ConfigMaps and Secrets are different: only the ones something references are read, each
 * watched by name (see ReferencedObjects). Every read of a tick comes from here.
 */
export interface ClusterCaches {
  canaries: ResourceCache<KubeObject & { spec?: unknown; status?: Record<string, unknown> }>;
  metricTemplates: ResourceCache<KubeObject>;
  alertProviders: ResourceCache<KubeObject>;
  deployments: ResourceCache<Deployment>;
  /** Started by the first read: only DaemonSet targets need it (see {@link StartedOnFirstRead}). */
  daemonSets: StartedOnFirstRead<DaemonSet>;
  services: ResourceCache<Service>;
  configMaps: ReferencedObjects<ConfigMap>;
  secrets: ReferencedObjects<Secret>;
  hpas: ResourceCache<HorizontalPodAutoscaler>;
}

/** Builds the caches (not started). `namespace` limits them to one namespace, as `--namespace` does. */
export function createClusterCaches(deps: { kube: Kube; clock: Clock; logger: Logger; namespace?: string; observer?: CacheRetryObserver }): ClusterCaches {
  const opts = { kube: deps.kube, clock: deps.clock, logger: deps.logger, namespace: deps.namespace, observer: deps.observer };
  return {
    canaries: new ResourceCache({ ...opts, type: CanaryResource }),
    metricTemplates: new ResourceCache({ ...opts, type: flaggerType('MetricTemplate') }),
    alertProviders: new ResourceCache({ ...opts, type: flaggerType('AlertProvider') }),
    deployments: new ResourceCache({ ...opts, type: Resources.deployments }),
    daemonSets: new StartedOnFirstRead(new ResourceCache({ ...opts, type: Resources.daemonSets }), deps.logger),
    services: new ResourceCache({ ...opts, type: Resources.services }),
    configMaps: new ReferencedObjects({ ...opts, type: Resources.configMaps }),
    secrets: new ReferencedObjects({ ...opts, type: Resources.secrets }),
    hpas: new ResourceCache({ ...opts, type: Resources.hpas }),
  };
}

/**
 * A watch cache that lists and watches its kind only once something reads it: an operator with no canary of
 * that kind never asks for it, which also lets it start under RBAC rules from before the kind was added.
 * Until its first list has synced, reads find nothing (the tick reports the object missing and ticks again
 * when the list brings it, as it depends on it); a list the server refuses is logged, and retried on the
 * next read.
 */
export class StartedOnFirstRead<T extends KubeObject> {
  private started = false;

  constructor(private readonly cache: ResourceCache<T>, private readonly logger: Logger) {}

  get(namespace: string | undefined, name: string): T | undefined {
    if (!this.started) this.begin();
    return this.cache.get(namespace, name);
  }

  onChange(listener: (change: CacheChange<T>) => void): () => void {
    return this.cache.onChange(listener);
  }

  /** Nothing to do at startup: the first read starts it. */
  start(): Promise<void> {
    return Promise.resolve();
  }

  stop(): void {
    this.cache.stop();
  }

  /** Never holds readiness back: only the canaries that read it wait for it. */
  isSynced(): boolean {
    return true;
  }

  private begin(): void {
    this.started = true;
    this.cache.start().catch((error: unknown) => {
      this.started = false;
      this.logger.warn('cannot watch this kind yet; retrying on the next read', { error: String(error) });
    });
  }
}

/** What starting, stopping and readiness need of every cache. */
interface StartableCache {
  start(): Promise<void>;
  stop(): void;
  isSynced(): boolean;
}

function all(caches: ClusterCaches): StartableCache[] {
  return Object.values(caches) as StartableCache[];
}

/**
 * Starts every cache and resolves when all have listed once. Fails fast when a kind cannot be listed (for
 * our own kinds that means the CRDs are not installed), as Flagger does at startup.
 */
export async function startClusterCaches(caches: ClusterCaches): Promise<void> {
  await Promise.all(all(caches).map((c) => c.start()));
}

/** Stops every cache. */
export function stopClusterCaches(caches: ClusterCaches): void {
  for (const c of all(caches)) c.stop();
}

/** True once every cache has listed once. */
export function cachesSynced(caches: ClusterCaches): boolean {
  return all(caches).every((c) => c.isSynced());
}
