import { ApiException, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { ConfigMapClient } from './configmap-backend.js';

/**
 * {@link ConfigMapClient} over `@kubernetes/client-node`, with the in-cluster service account (or the
 * local kubeconfig). The load tester's Role needs get, create and update on this one ConfigMap.
 */
export function kubeConfigMapClient(): ConfigMapClient {
  const config = new KubeConfig();
  config.loadFromDefault();
  const api = config.makeApiClient(CoreV1Api);
  return {
    read: async (namespace, name) => {
      try {
        return (await api.readNamespacedConfigMap({ namespace, name })).data ?? {};
      } catch (error) {
        if (error instanceof ApiException && error.code === 404) return undefined;
        throw error;
      }
    },
    write: async (namespace, name, data) => {
      const body = { metadata: { name, namespace, labels: { 'app.kubernetes.io/managed-by': 'songbird-loadtester' } }, data };
      try {
        await api.replaceNamespacedConfigMap({ namespace, name, body });
      } catch (error) {
        if (!(error instanceof ApiException && error.code === 404)) throw error;
        await api.createNamespacedConfigMap({ namespace, body });
      }
    },
  };
}
