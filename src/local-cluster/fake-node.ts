import { CoreV1Api, KubeConfig, type V1Node, type V1Taint } from '@kubernetes/client-node';
import { waitUntil } from './processes.js';

/** Name of the one fake node kwok manages. */
export const FAKE_NODE_NAME = 'kwok-node-0';

/** A fake node: its name, and taints that keep Pods without a matching toleration off it. */
export interface FakeNodeOptions {
  name: string;
  taints?: V1Taint[];
}

function fakeNode({ name, taints }: FakeNodeOptions): V1Node {
  const capacity = { cpu: '640', memory: '2560Gi', pods: '5000' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'kwok.x-k8s.io/node': 'fake' },
      labels: {
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/os': 'linux',
        'kubernetes.io/hostname': name,
        type: 'kwok',
      },
    },
    ...(taints === undefined ? {} : { spec: { taints } }),
    status: { allocatable: capacity, capacity },
  };
}

/**
 * Registers the fake node and waits until kwok reports it Ready and the node-lifecycle controller has lifted
 * the not-ready taint, so that Pods schedule at once; then waits for the `default` ServiceAccount.
 */
export async function registerFakeNode(kubeconfigPath: string): Promise<void> {
  const core = await addFakeNode(kubeconfigPath, { name: FAKE_NODE_NAME });
  await waitUntil('default ServiceAccount', async () => {
    await core.readNamespacedServiceAccount({ name: 'default', namespace: 'default' });
    return true;
  }, { timeoutMs: 60_000, intervalMs: 300 });
}

/**
 * Registers one more fake node (kwok manages every node) and waits until it is Ready and the node-lifecycle
 * controller has lifted its not-ready taint; its own `taints` stay. Returns the client it used.
 */
export async function addFakeNode(kubeconfigPath: string, options: FakeNodeOptions): Promise<CoreV1Api> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNode({ body: fakeNode(options) });
  await waitUntil(`node ${options.name} Ready and untainted`, async () => {
    const node = await core.readNode({ name: options.name });
    const ready = node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
    const tainted = (node.spec?.taints ?? []).some((t) => t.key.startsWith('node.kubernetes.io/'));
    return ready && !tainted;
  }, { timeoutMs: 90_000, intervalMs: 300 });
  return core;
}
