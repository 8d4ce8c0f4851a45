import { AppsV1Api, CoreV1Api, type V1Deployment } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { testKubeConfig, useTestNamespace, waitFor } from '../support/kube.js';

function deployment(name: string, replicas: number): V1Deployment {
  const labels = { app: name };
  return {
    metadata: { name, labels },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: 'app', image: 'ghcr.io/stefanprodan/podinfo:6.0.0', ports: [{ containerPort: 9898 }] }] },
      },
    },
  };
}

describe('workloads on the full control plane (controller-manager, scheduler, kwok)', () => {
  const namespace = useTestNamespace();

  it('brings a 3-replica Deployment to readyReplicas 3', async () => {
    const apps = testKubeConfig().makeApiClient(AppsV1Api);
    await apps.createNamespacedDeployment({ namespace: namespace(), body: deployment('web', 3) });
    await waitFor('readyReplicas 3', async () => {
      const d = await apps.readNamespacedDeployment({ namespace: namespace(), name: 'web' });
      return d.status?.readyReplicas === 3;
    }, 60_000);
    const core = testKubeConfig().makeApiClient(CoreV1Api);
    const pods = await core.listNamespacedPod({ namespace: namespace(), labelSelector: 'app=web' });
    expect(pods.items).toHaveLength(3);
    expect(pods.items.every((p) => p.status?.phase === 'Running' && p.spec?.nodeName === 'kwok-node-0')).toBe(true);
  });

  it('garbage-collects the ReplicaSet and Pods of a deleted Deployment', async () => {
    const kc = testKubeConfig();
    const apps = kc.makeApiClient(AppsV1Api);
    const core = kc.makeApiClient(CoreV1Api);
    await apps.createNamespacedDeployment({ namespace: namespace(), body: deployment('gone', 2) });
    await waitFor('two pods', async () =>
      (await core.listNamespacedPod({ namespace: namespace(), labelSelector: 'app=gone' })).items.length === 2, 60_000);
    const replicaSets = await apps.listNamespacedReplicaSet({ namespace: namespace(), labelSelector: 'app=gone' });
    expect(replicaSets.items).toHaveLength(1);

    await apps.deleteNamespacedDeployment({ namespace: namespace(), name: 'gone' });
    await waitFor('ReplicaSet and Pods deleted', async () => {
      const rs = await apps.listNamespacedReplicaSet({ namespace: namespace(), labelSelector: 'app=gone' });
      const pods = await core.listNamespacedPod({ namespace: namespace(), labelSelector: 'app=gone' });
      return rs.items.length === 0 && pods.items.length === 0;
    }, 60_000);
  });
});
