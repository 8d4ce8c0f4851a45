// The operator's memory among Secrets no canary references: a real kube-apiserver + kwok, the operator as a
// process (cluster-wide, as deployed), its RSS once it has initialized a canary and started a run on a
// change of that canary's ConfigMap, first with no unrelated Secret (the peer), then again after 10,000
// unrelated 50 KB Helm-release Secrets (500 MB) were created in the canary's namespace. An operator that
// lists or watches Secrets holds them all; one that reads only what canaries reference stays flat.
// BENCH_UNRELATED_SECRETS and BENCH_SECRET_KB change the load.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpsKube } from '../../../src/adapters/kube-https.js';
import { installCrds } from '../../../src/install-crds.js';
import { loadKubeConfig } from '../../../src/kube/load-kubeconfig.js';
import { Resources } from '../../../src/kube/resources.js';
import { ensureToolchain, packageRoot, startControlPlane, stopControlPlane } from '../../../src/local-cluster/index.js';
import type { Kube } from '../../../src/ports/kube.js';
import { CanaryResource } from '../../../src/reconciler/cluster-caches.js';
import { aCanary, aConfigMap, aDeployment, aSecret } from '../../fixtures/objects.js';

export const name = 'unrelated-secrets';

const UNRELATED = Number(process.env.BENCH_UNRELATED_SECRETS ?? 10_000);
const SECRET_KB = Number(process.env.BENCH_SECRET_KB ?? 50);
/** RSS with the unrelated Secrets over RSS without them may not exceed this. */
const MAX_RATIO = 1.2;
const NS = 'apps';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const log = (m: string): void => console.error(`[unrelated-secrets ${new Date().toISOString().slice(11, 19)}] ${m}`);

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

// The median of five samples a second apart, so that one garbage collection does not decide the figure.
async function settledRssMiB(pid: number): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    samples.push(rssMiB(pid));
    await sleep(1000);
  }
  return samples.sort((a, b) => a - b)[2] ?? NaN;
}

async function waitForPhase(kube: Kube, canary: string, phase: string, timeoutMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    const status = (await kube.get(CanaryResource, NS, canary))?.status as { phase?: string } | undefined;
    if (status?.phase === phase) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`${canary} did not reach ${phase} within ${timeoutMs / 1000} s (phase ${status?.phase ?? 'none'})`);
    await sleep(100);
  }
}

// A canary `app` whose target reads a ConfigMap and mounts a Secret, as config tracking sees them.
async function createCanary(kube: Kube, app: string): Promise<void> {
  await kube.create(Resources.configMaps, aConfigMap(`${app}-config`, { color: 'blue' }, NS));
  await kube.create(Resources.secrets, aSecret(`${app}-token`, { token: 'one' }, { namespace: NS }));
  await kube.create(Resources.deployments, aDeployment({ name: app, namespace: NS, replicas: 1, configMap: `${app}-config`, secret: `${app}-token` }));
  await kube.create(CanaryResource, aCanary({ name: app, namespace: NS, target: app }));
}

// Starts the operator, has it initialize a new canary and start a run on a ConfigMap change, then measures.
async function measure(kube: Kube, kubeconfig: string, app: string): Promise<{ rssMiB: number; configChangeToProgressingMs: number }> {
  const operator: ChildProcess = spawn(process.execPath, [join(packageRoot(), 'dist', 'src', 'main.js'), `--kubeconfig=${kubeconfig}`, '--port=0', '--log-level=warn'],
    { stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise<void>((resolve) => operator.on('exit', () => resolve()));
  try {
    await createCanary(kube, app);
    await waitForPhase(kube, app, 'Initialized', 180_000);
    await kube.patch(Resources.configMaps, { namespace: NS, name: `${app}-config` }, { data: { color: 'green' } });
    const configChangeToProgressingMs = await waitForPhase(kube, app, 'Progressing', 30_000);
    await sleep(10_000);
    return { rssMiB: await settledRssMiB(operator.pid ?? 0), configChangeToProgressingMs };
  } finally {
    operator.kill('SIGTERM');
    await exited;
  }
}

async function createUnrelatedSecrets(kube: Kube): Promise<void> {
  // base64 grows 3 bytes to 4: 37.5 KB of bytes is a 50 KB value, the size of a typical Helm release.
  const payload = randomBytes(Math.round((SECRET_KB * 1024 * 3) / 4)).toString('base64');
  for (let i = 0; i < UNRELATED; i += 50) {
    const batch = Array.from({ length: Math.min(50, UNRELATED - i) }, (_, j) => `sh.helm.release.v1.release-${i + j}.v1`);
    await Promise.all(batch.map((secret) => kube.create(Resources.secrets, {
      apiVersion: 'v1', kind: 'Secret', type: 'helm.sh/release.v1', metadata: { name: secret, namespace: NS, labels: { owner: 'helm' } }, data: { release: payload },
    })));
    if ((i / 50) % 40 === 0) log(`${i + batch.length}/${UNRELATED} unrelated Secrets created`);
  }
}

export async function run(): Promise<Record<string, unknown>> {
  await ensureToolchain();
  const runDir = mkdtempSync(join(tmpdir(), 'songbird-bench-secrets-'));
  const cluster = await startControlPlane({ runDir, tier: 'full', progress: (m) => log(`cluster: ${m}`) });
  try {
    const kube = new HttpsKube(loadKubeConfig({ kind: 'kubeconfig', path: cluster.kubeconfig }));
    await installCrds(kube, join(packageRoot(), 'crds'), sleep);
    await kube.create(Resources.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    log('peer: no unrelated Secret');
    const peer = await measure(kube, cluster.kubeconfig, 'before');
    log(`peer RSS ${peer.rssMiB.toFixed(1)} MiB; creating ${UNRELATED} unrelated ${SECRET_KB} KB Secrets`);
    await createUnrelatedSecrets(kube);
    const loaded = await measure(kube, cluster.kubeconfig, 'after');
    const ratio = loaded.rssMiB / peer.rssMiB;
    log(`RSS ${loaded.rssMiB.toFixed(1)} MiB with them: ratio ${ratio.toFixed(3)}`);
    const figures = {
      unrelatedSecrets: UNRELATED, secretKiB: SECRET_KB, unrelatedMiB: (UNRELATED * SECRET_KB) / 1024,
      rssMiB: { withoutUnrelated: peer.rssMiB, withUnrelated: loaded.rssMiB }, ratio, maxRatio: MAX_RATIO,
      configChangeToProgressingMs: { withoutUnrelated: peer.configChangeToProgressingMs, withUnrelated: loaded.configChangeToProgressingMs },
    };
    if (ratio > MAX_RATIO) throw new Error(`operator RSS grew ${ratio.toFixed(2)}× with ${UNRELATED} unrelated Secrets (max ${MAX_RATIO}): ${JSON.stringify(figures)}`);
    return figures;
  } finally {
    await stopControlPlane(cluster);
    rmSync(runDir, { recursive: true, force: true });
  }
}
