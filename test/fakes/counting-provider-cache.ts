import type { MetricsProvider } from '../../src/metrics/prometheus.js';
import { ProviderCache, type ProviderKey } from '../../src/metrics/provider-cache.js';

/** A ProviderCache that counts provider builds, to show that providers are reused across ticks. */
export class CountingCache extends ProviderCache {
  builds = 0;

  override get(key: ProviderKey, build: () => MetricsProvider): MetricsProvider {
    return super.get(key, () => {
      this.builds += 1;
      return build();
    });
  }
}
