/**
 * Metric providers built once and reused across ticks, until what they were built from changes.
 *
 * parity: Flagger pkg/controller/scheduler_metrics.go builds a new provider client for every metric on every
 * tick and reads the template's Secret with a direct GET each time (quirk §12.4).
 */
import type { MetricTemplate } from '../api/metric-template.js';
import type { Secret } from '../kube/resources.js';
import type { MetricsProvider } from './prometheus.js';

/** Identity of a cached provider (`id`) and the version of its inputs (`version`). */
export interface ProviderKey {
  readonly id: string;
  readonly version: string;
}

/**
 * Providers by `id`; an entry is replaced (the old provider dropped) as soon as it is asked for with another
 * `version`. A build that throws caches nothing, so a fixed Secret is picked up on the next tick.
 */
export class ProviderCache<P = MetricsProvider> {
  private readonly entries = new Map<string, { version: string; provider: P }>();

  /** The provider cached for `key`, or the one `build` returns (then cached). */
  get(key: ProviderKey, build: () => P): P {
    const cached = this.entries.get(key.id);
    if (cached?.version === key.version) return cached.provider;
    this.entries.delete(key.id);
    const provider = build();
    this.entries.set(key.id, { version: key.version, provider });
    return provider;
  }

  /** Drops the provider of `id` (e.g. when its MetricTemplate was deleted); true when there was one. */
  delete(id: string): boolean {
    return this.entries.delete(id);
  }

  /** Number of cached providers. */
  get size(): number {
    return this.entries.size;
  }
}

/**
 * Key of a MetricTemplate's provider: the template's uid (or namespace/name before it has one), versioned by
 * the template's and the Secret's resourceVersion.
 * Example: uid `a1b2`, template rv `812`, Secret rv `90` → `{id: 'template:a1b2', version: '812/90'}`.
 */
export function templateProviderKey(template: MetricTemplate, secret: Secret | undefined): ProviderKey {
  const { uid, namespace, name, resourceVersion } = template.metadata;
  const id = uid !== undefined && uid !== '' ? uid : `${namespace ?? ''}/${name}`;
  return { id: `template:${id}`, version: `${resourceVersion ?? ''}/${secret?.metadata.resourceVersion ?? '-'}` };
}

/** Key of the provider for a metrics server URL (builtin and inline `query` metrics). */
export function serverProviderKey(address: string): ProviderKey {
  return { id: `server:${address}`, version: '' };
}
