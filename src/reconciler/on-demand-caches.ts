import { apiVersionOf, type Kube, type KubeObject, type ResourceType } from '../ports/kube.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { ObjectReader } from '../routers/router.js';
import { ResourceCache, type CacheRetryObserver } from './resource-cache.js';

/**
 * Watch caches for kinds only some canaries use (a provider's VirtualServices, Ingresses, …), started the
 * first time a router reads that kind: an operator in a cluster without Istio never lists Istio objects, and
 * one with Istio canaries reads them from memory in steady state. Until a cache has synced (or when its kind
 * cannot be listed), reads go to the API.
 */
export class OnDemandCaches {
  private readonly caches = new Map<string, ResourceCache<KubeObject>>();
  private readonly failed = new Set<string>();

  constructor(private readonly deps: { kube: Kube; clock: Clock; logger: Logger; namespace?: string; observer?: CacheRetryObserver }) {}

  /** A reader backed by these caches. */
  reader(): ObjectReader {
    return {
      get: <T extends KubeObject>(type: ResourceType<T>, namespace: string, name: string): Promise<T | undefined> => {
        const cache = this.cacheFor(type);
        if (cache?.isSynced() === true) return Promise.resolve(cache.get(namespace, name) as T | undefined);
        return this.deps.kube.get(type, namespace, name);
      },
    };
  }

  /** Stops every cache started so far. */
  stop(): void {
    for (const cache of this.caches.values()) cache.stop();
  }

  private cacheFor(type: ResourceType): ResourceCache<KubeObject> | undefined {
    const key = `${apiVersionOf(type)}/${type.plural}`;
    if (this.failed.has(key)) return undefined;
    const existing = this.caches.get(key);
    if (existing !== undefined) return existing;
    const cache = new ResourceCache<KubeObject>({ ...this.deps, type });
    this.caches.set(key, cache);
    cache.start().catch((error: unknown) => {
      this.caches.delete(key);
      this.failed.add(key);
      this.deps.logger.warn('no watch cache for this kind; reading it from the API', { kind: type.kind, error: String(error) });
    });
    return cache;
  }
}
