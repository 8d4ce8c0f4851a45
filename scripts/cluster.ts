// `npm run cluster:up` / `npm run cluster:down`: the embedded local cluster (etcd, kube-apiserver,
// kube-controller-manager, kube-scheduler, kwok with one fake node) built by scripts/install-toolchain.sh.
import { ensureLocalCluster, removeLocalCluster } from '../src/local-cluster/index.js';

async function main(command: string | undefined): Promise<void> {
  const progress = (message: string): void => console.error(`[cluster] ${message}`);
  switch (command) {
    case 'up': {
      const state = await ensureLocalCluster(progress);
      console.log(`export KUBECONFIG=${state.kubeconfig}`);
      return;
    }
    case 'down': {
      const stopped = await removeLocalCluster();
      progress(stopped ? 'stopped' : 'no local cluster was running');
      return;
    }
    default:
      throw new Error(`usage: cluster.ts up|down (got ${command ?? 'nothing'})`);
  }
}

main(process.argv[2]).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
