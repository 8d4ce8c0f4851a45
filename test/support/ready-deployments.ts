import { Resources, type Deployment } from '../../src/kube/resources.js';
import type { Kube } from '../../src/ports/kube.js';

/**
 * Plays the deployment controller and the kubelet on an API server without them (the integration tier): every
 * Deployment of `namespace` whose status lags its spec is marked rolled out (all replicas updated, ready and
 * available), every `everyMs`. Returns a function that stops it.
 */
export function keepDeploymentsReady(kube: Kube, namespace: string, everyMs = 250): () => Promise<void> {
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const { items } = await kube.list(Resources.deployments, namespace).catch(() => ({ items: [] as Deployment[] }));
      for (const d of items) await markReady(kube, d).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return async () => {
    stopped = true;
    await loop;
  };
}

async function markReady(kube: Kube, d: Deployment): Promise<void> {
  const replicas = d.spec?.replicas ?? 1;
  const status = d.status ?? {};
  if (status.observedGeneration === d.metadata.generation && status.readyReplicas === replicas && status.updatedReplicas === replicas) return;
  await kube.patch(Resources.deployments, { namespace: d.metadata.namespace, name: d.metadata.name }, {
    status: { observedGeneration: d.metadata.generation, replicas, updatedReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas },
  }, { subresource: 'status' });
}
