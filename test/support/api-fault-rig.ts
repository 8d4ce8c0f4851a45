import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpsKube } from '../../src/adapters/kube-https.js';
import type { CanaryStatus } from '../../src/api/canary-status.js';
import { podTemplateHash } from '../../src/core/revision.js';
import { installCrds } from '../../src/install-crds.js';
import { loadKubeConfig } from '../../src/kube/load-kubeconfig.js';
import { Resources } from '../../src/kube/resources.js';
import { startControlPlane, stopControlPlane, type ClusterState } from '../../src/local-cluster/index.js';
import type { Kube } from '../../src/ports/kube.js';
import { CanaryResource } from '../../src/reconciler/cluster-caches.js';
import { aCanary, aDeployment } from '../fixtures/objects.js';
import { startFaultProxy, type FaultProxy } from './api-fault-proxy.js';
import { startOperatorProcess, type OperatorProcess } from './operator-process.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A control plane of its own (its kube-apiserver and etcd get restarted, which must not disturb other tests),
 * the fault proxy in front of it, and a client that talks to the apiserver directly.
 */
export interface ApiFaultRig {
  cluster: ClusterState;
  kube: Kube;
  proxy: FaultProxy;
  /** A kubeconfig pointing at the proxy. */
  proxyKubeconfig: string;
  /** Starts an operator process watching `namespace` (created here), directly or through the proxy. */
  operator(namespace: string, via: 'direct' | 'proxy'): Promise<OperatorProcess>;
  stop(): Promise<void>;
}

/** Brings the rig up: a full control plane (kwok pods become Ready), the CRDs and the proxy. */
export async function startApiFaultRig(progress: (m: string) => void = () => undefined): Promise<ApiFaultRig> {
  const runDir = mkdtempSync(join(tmpdir(), 'songbird-api-faults-'));
  const cluster = await startControlPlane({ runDir, tier: 'full', progress });
  const kube = new HttpsKube(loadKubeConfig({ kind: 'kubeconfig', path: cluster.kubeconfig }));
  await installCrds(kube, join(import.meta.dirname, '..', '..', 'crds'), sleep);
  const proxy = await startFaultProxy(cluster.server, cluster.pki);
  const proxyKubeconfig = join(runDir, 'proxy.kubeconfig');
  proxy.writeKubeconfig(proxyKubeconfig);
  const operators: OperatorProcess[] = [];
  return {
    cluster, kube, proxy, proxyKubeconfig,
    operator: async (namespace, via) => {
      await kube.create(Resources.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
      const operator = await startOperatorProcess({ kubeconfig: via === 'direct' ? cluster.kubeconfig : proxyKubeconfig, namespace });
      operators.push(operator);
      await operator.waitReady(60_000);
      return operator;
    },
    stop: async () => {
      await Promise.all(operators.map((o) => o.stop()));
      await proxy.close();
      await stopControlPlane(cluster);
      rmSync(runDir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` every 100 ms until it holds; throws with `description` after `timeoutMs`. */
export async function pollUntil(description: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (error) {
      last = error;
    }
    await sleep(100);
  }
  const cause = last instanceof Error ? ` (last error: ${last.message})` : '';
  throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${description}${cause}`);
}

/** The Canary `name`'s status, read from the API server. */
export async function canaryStatus(kube: Kube, namespace: string, name: string): Promise<CanaryStatus | undefined> {
  return (await kube.get(CanaryResource, namespace, name))?.status;
}

/**
 * A Blue/Green release in progress: a Deployment and its Canary (10 s interval, so many iterations that it stays
 * Progressing through every fault), initialized, then given a first new image.
 */
export async function startRelease(kube: Kube, namespace: string, name: string): Promise<void> {
  await kube.create(Resources.deployments, aDeployment({ name, namespace, replicas: 1 }));
  const canary = aCanary({ name, namespace, target: name });
  (canary.spec as Record<string, unknown>).analysis = { interval: '10s', threshold: 5, iterations: 1000 };
  await kube.create(CanaryResource, canary);
  await pollUntil(`${name} Initialized`, async () => (await canaryStatus(kube, namespace, name))?.phase === 'Initialized', 90_000);
  const hash = await newRevision(kube, namespace, name, 'ghcr.io/stefanprodan/podinfo:6.0.1');
  await waitForRun(kube, { namespace, name }, hash, 30_000);
}

/** Gives the target a new image (as `kubectl set image`); returns the revision hash the run for it will record. */
export async function newRevision(kube: Kube, namespace: string, name: string, image: string): Promise<string> {
  const updated = await kube.patch(Resources.deployments, { namespace, name },
    { spec: { template: { spec: { containers: [{ name: 'podinfod', image }] } } } }, { kind: 'strategic' });
  return podTemplateHash(updated.spec?.template);
}

/** Waits until the Canary runs revision `hash` (Progressing, `lastAppliedSpec` = hash); returns when that was seen. */
export async function waitForRun(kube: Kube, canary: { namespace: string; name: string }, hash: string, timeoutMs: number): Promise<number> {
  const { namespace, name } = canary;
  await pollUntil(`the run for revision ${hash} of ${name}`, async () => {
    const status = await canaryStatus(kube, namespace, name);
    return status?.phase === 'Progressing' && status.lastAppliedSpec === hash;
  }, timeoutMs);
  return Date.now();
}
