// The long form of the credential tests: requests from several workers run without a pause while the token
// file is rotated again and again and each previous token is revoked; not one request may fail. Also measures
// what the adapter's keep-alive connections save against a peer that opens a new TLS connection per request
// (client-node's generated API client, as the adapter itself did before).
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { HttpsKube } from '../../../src/adapters/kube-https.js';
import { loadKubeConfig } from '../../../src/kube/load-kubeconfig.js';
import { Resources } from '../../../src/kube/resources.js';
import { ensureToolchain, startControlPlane, stopControlPlane } from '../../../src/local-cluster/index.js';
import type { Kube } from '../../../src/ports/kube.js';
import { revokeServiceAccount, serviceAccountWithToken, testCluster, writeKubeconfig } from '../../support/kubeconfig-forms.js';

export const name = 'credential-rotation';

const ROTATIONS = Number(process.env.BENCH_ROTATIONS ?? 6);
const WORKERS = 4;
const SEQUENTIAL_GETS = Number(process.env.BENCH_SEQUENTIAL_GETS ?? 300);
const NS = 'rotation';

export async function run(): Promise<Record<string, unknown>> {
  await ensureToolchain();
  const runDir = mkdtempSync(join(tmpdir(), 'songbird-bench-rotation-'));
  const cluster = await startControlPlane({ runDir, tier: 'apiserver' });
  process.env.KUBECONFIG = cluster.kubeconfig;
  try {
    const admin = new HttpsKube(loadKubeConfig({ kind: 'kubeconfig', path: cluster.kubeconfig }));
    await admin.create(Resources.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    await admin.create(Resources.configMaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'probe', namespace: NS } });
    return { ...(await connectionReuse(admin, cluster.kubeconfig)), ...(await rotationSoak(runDir)) };
  } finally {
    await stopControlPlane(cluster);
    rmSync(runDir, { recursive: true, force: true });
  }
}

async function timePerRequest(get: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < SEQUENTIAL_GETS; i++) await get();
  return (performance.now() - started) / SEQUENTIAL_GETS;
}

async function connectionReuse(kube: Kube, kubeconfig: string): Promise<Record<string, number>> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const peer = kc.makeApiClient(CoreV1Api);
  await timePerRequest(() => kube.get(Resources.configMaps, NS, 'probe')); // warm-up
  const adapterMs = await timePerRequest(() => kube.get(Resources.configMaps, NS, 'probe'));
  const peerMs = await timePerRequest(() => peer.readNamespacedConfigMap({ namespace: NS, name: 'probe' }));
  return { sequentialGets: SEQUENTIAL_GETS, adapterMsPerGet: round(adapterMs), newConnectionPeerMsPerGet: round(peerMs), peerOverAdapter: round(peerMs / adapterMs) };
}

async function rotationSoak(runDir: string): Promise<Record<string, number>> {
  const tokenFile = join(runDir, 'token');
  let current = { account: 'sa-0', token: await serviceAccountWithToken(NS, 'sa-0') };
  writeFileSync(tokenFile, current.token);
  const { server, caData } = testCluster();
  const path = writeKubeconfig(join(runDir, 'rotating.kubeconfig'), { server, 'certificate-authority-data': caData }, { 'token-file': tokenFile });
  const kube = new HttpsKube(loadKubeConfig({ kind: 'kubeconfig', path }));
  const counts = { requests: 0, failures: 0 };
  const failures: string[] = [];
  let running = true;
  const worker = async (): Promise<void> => {
    while (running) {
      try {
        await kube.list(Resources.configMaps, NS);
        counts.requests++;
      } catch (error) {
        counts.failures++;
        failures.push(String(error));
      }
    }
  };
  const workers = Array.from({ length: WORKERS }, worker);
  for (let rotation = 1; rotation <= ROTATIONS; rotation++) {
    const next = { account: `sa-${rotation}`, token: await serviceAccountWithToken(NS, `sa-${rotation}`) };
    writeFileSync(`${tokenFile}.new`, next.token);
    renameSync(`${tokenFile}.new`, tokenFile);
    await revokeServiceAccount(NS, current.account, current.token);
    current = next;
  }
  running = false;
  await Promise.all(workers);
  if (counts.failures > 0) throw new Error(`${counts.failures} of ${counts.requests + counts.failures} requests failed across rotations: ${failures[0] ?? ''}`);
  return { rotations: ROTATIONS, workers: WORKERS, requestsDuringRotations: counts.requests, failedRequests: counts.failures };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
