import type { CanaryStatus } from '../../src/api/canary-status.js';
import { Resources } from '../../src/kube/resources.js';
import { CanaryResource } from '../../src/reconciler/cluster-caches.js';
import { testKube } from './kube.js';

/** What e2e tests read of one Canary `name` in `namespace`, from the real API server. */
export interface CanaryProbe {
  status(): Promise<CanaryStatus | undefined>;
  phase(): Promise<string | undefined>;
  primaryImage(): Promise<string | undefined>;
  metricValues(): Promise<CanaryStatus['lastMetricValues']>;
  /** Gives the target Deployment a new image (a strategic merge patch, as `kubectl set image`). */
  setImage(image: string): Promise<void>;
}

/** Reads of the Canary `name` in `namespace` (its target and primary Deployments named after it). */
export function canaryProbe(namespace: string, name: string): CanaryProbe {
  const status = async (): Promise<CanaryStatus | undefined> => (await testKube().get(CanaryResource, namespace, name))?.status;
  return {
    status,
    phase: async () => (await status())?.phase,
    primaryImage: async () => (await testKube().get(Resources.deployments, namespace, `${name}-primary`))?.spec?.template.spec?.containers[0]?.image,
    metricValues: async () => (await status())?.lastMetricValues,
    setImage: async (image) => {
      await testKube().patch(Resources.deployments, { namespace, name },
        { spec: { template: { spec: { containers: [{ name: 'podinfod', image }] } } } }, { kind: 'strategic' });
    },
  };
}
