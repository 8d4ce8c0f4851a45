import { CoreV1Api, KubeConfig, type V1Node } from '@kubernetes/client-node';
import { waitUntil } from './processes.js';

/** Name of the one fake node kwok manages. */
export const FAKE_NODE_NAME = 'kwok-node-0';

function fakeNode(): V1Node {
  const capacity = { cpu: '640', memory: '2560Gi', pods: '5000' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: FAKE_NODE_NAME,
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'kwok.x-k8s.io/node': 'fake' },
      labels: {
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/os': 'linux',
        'kubernetes.io/hostname': FAKE_NODE_NAME,
        type: 'kwok',
      },
    },
    status: { allocatable: capacity, capacity },
  };
}

/**
 * Registers the fake node and waits until kwok reports it Ready and the node-lifecycle controller has lifted
 * the not-ready taint, so that Pods schedule at once; then waits for the `default` ServiceAccount.
 */
export async function registerFakeNode(kubeconfigPath: string): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNode({ body: fakeNode() });
  await waitUntil(`node ${FAKE_NODE_NAME} Ready and untainted`, async () => {
    const node = await core.readNode({ name: FAKE_NODE_NAME });
    const ready = node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
    const tainted = (node.spec?.taints ?? []).some((t) => t.key.startsWith('node.kubernetes.io/'));
    return ready && !tainted;
  }, { timeoutMs: 90_000, intervalMs: 300 });
  await waitUntil('default ServiceAccount', async () => {
    await core.readNamespacedServiceAccount({ name: 'default', namespace: 'default' });
    return true;
  }, { timeoutMs: 60_000, intervalMs: 300 });
}
