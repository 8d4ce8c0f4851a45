import { ApiException, CoreV1Api, KubeConfig, type V1ConfigMap } from '@kubernetes/client-node';
import type { ConfigMapClient, WriteOutcome } from './configmap-backend.js';

const labels = { 'app.kubernetes.io/managed-by': 'songbird-loadtester' };

/** 409 (changed or already exists) and 404 (deleted since it was read) both mean: read again and retry. */
async function guarded(write: () => Promise<V1ConfigMap>): Promise<WriteOutcome> {
  try {
    await write();
    return 'written';
  } catch (error) {
    if (error instanceof ApiException && (error.code === 409 || error.code === 404)) return 'conflict';
    throw error;
  }
}

/**
 * {@link ConfigMapClient} over `@kubernetes/client-node`, with the in-cluster service account (or the
 * local kubeconfig). The load tester's Role needs get, create and update on this one ConfigMap. Replaces
 * carry the resourceVersion that was read, so the API server refuses (409) a write based on stale data.
 */
export function kubeConfigMapClient(): ConfigMapClient {
  const config = new KubeConfig();
  config.loadFromDefault();
  const api = config.makeApiClient(CoreV1Api);
  return {
    read: async (namespace, name) => {
      try {
        const map = await api.readNamespacedConfigMap({ namespace, name });
        return { data: map.data ?? {}, resourceVersion: map.metadata?.resourceVersion ?? '' };
      } catch (error) {
        if (error instanceof ApiException && error.code === 404) return undefined;
        throw error;
      }
    },
    create: (namespace, name, data) => guarded(() => api.createNamespacedConfigMap({ namespace, body: { metadata: { name, namespace, labels }, data } })),
    replace: (namespace, name, data, resourceVersion) =>
      guarded(() => api.replaceNamespacedConfigMap({ namespace, name, body: { metadata: { name, namespace, labels, resourceVersion }, data } })),
  };
}
