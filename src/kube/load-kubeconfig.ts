import { existsSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';

/** Where the cluster connection comes from. */
export type ClusterSource = { kind: 'kubeconfig'; path: string } | { kind: 'in-cluster' } | { kind: 'none' };

/**
 * `--kubeconfig`, else `KUBECONFIG`, else in-cluster credentials, else `~/.kube/config` when it exists, else
 * none (then `npm start` runs the embedded local cluster).
 */
export function clusterSource(flag: string | undefined, env: NodeJS.ProcessEnv, homeConfig: string): ClusterSource {
  if (flag !== undefined) return { kind: 'kubeconfig', path: flag };
  const fromEnv = env.KUBECONFIG;
  if (fromEnv !== undefined && fromEnv !== '') return { kind: 'kubeconfig', path: fromEnv };
  if (env.KUBERNETES_SERVICE_HOST !== undefined && env.KUBERNETES_SERVICE_HOST !== '') return { kind: 'in-cluster' };
  if (existsSync(homeConfig)) return { kind: 'kubeconfig', path: homeConfig };
  return { kind: 'none' };
}

/** A KubeConfig for a source that names a cluster. */
export function loadKubeConfig(source: Exclude<ClusterSource, { kind: 'none' }>): KubeConfig {
  const kc = new KubeConfig();
  if (source.kind === 'in-cluster') kc.loadFromCluster();
  else kc.loadFromFile(source.path);
  return kc;
}
