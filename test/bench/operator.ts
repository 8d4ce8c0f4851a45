// `npm run bench:operator`: the operator at scale on a real kube-apiserver with kwok. Creates N canaries
// (default 1000) with their Deployments, waits until all are Initialized, then measures, over an idle
// window (default 5 minutes), the API requests the operator makes (through a counting proxy in front of the
// apiserver, so only the operator's requests count), its RSS and CPU, and the latency from a Deployment
// image change to the canary's Progressing phase. Writes test/bench/results/operator.json.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { HttpsKube } from '../../src/adapters/kube-https.js';
import { installCrds } from '../../src/install-crds.js';
import { loadKubeConfig } from '../../src/kube/load-kubeconfig.js';
import { Resources } from '../../src/kube/resources.js';
import { ensureToolchain, packageRoot, startControlPlane, stopControlPlane } from '../../src/local-cluster/index.js';
import { CanaryResource } from '../../src/reconciler/cluster-caches.js';
import type { Kube } from '../../src/ports/kube.js';
import { aCanary, aDeployment } from '../fixtures/objects.js';
import { startCountingProxy } from './counting-proxy.js';

const CANARIES = Number(process.env.BENCH_CANARIES ?? 1000);
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 300);
const IMAGE_EDITS = Number(process.env.BENCH_IMAGE_EDITS ?? 50);
const NS = 'bench';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const log = (m: string): void => console.error(`[bench:operator ${new Date().toISOString().slice(11, 19)}] ${m}`);

async function inBatches<T>(items: readonly T[], size: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

function processStats(pid: number): { rssMiB: number; cpuSeconds: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  const ticks = Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
  return { rssMiB: rssKiB / 1024, cpuSeconds: ticks / 100 };
}

async function phases(kube: Kube): Promise<Map<string, string>> {
  const list = await kube.list(CanaryResource, NS);
  return new Map(list.items.map((c) => [c.metadata.name, String((c.status as { phase?: string } | undefined)?.phase ?? '')]));
}

async function createWorkloads(kube: Kube): Promise<void> {
  await kube.create(Resources.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  const names = Array.from({ length: CANARIES }, (_, i) => `app-${i}`);
  await inBatches(names, 25, async (name) => {
    await kube.create(Resources.deployments, aDeployment({ name, namespace: NS, replicas: 1 }));
    await kube.create(CanaryResource, aCanary({ name, namespace: NS, target: name }));
  });
}

async function waitInitialized(kube: Kube): Promise<number> {
  const started = Date.now();
  for (;;) {
    const p = await phases(kube);
    const done = [...p.values()].filter((v) => v === 'Initialized').length;
    log(`${done}/${CANARIES} Initialized`);
    if (done === CANARIES) return (Date.now() - started) / 1000;
    await sleep(5000);
  }
}

async function imageEditLatencies(kube: Kube): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < IMAGE_EDITS; i++) {
    const name = `app-${Math.floor((i * CANARIES) / IMAGE_EDITS)}`;
    const started = Date.now();
    await kube.patch(Resources.deployments, { namespace: NS, name }, { spec: { template: { spec: { containers: [{ name: 'podinfod', image: 'ghcr.io/stefanprodan/podinfo:6.0.1' }] } } } }, { kind: 'strategic' });
    for (;;) {
      const c = await kube.get(CanaryResource, NS, name);
      if ((c?.status as { phase?: string } | undefined)?.phase === 'Progressing') break;
      if (Date.now() - started > 30_000) throw new Error(`${name} did not reach Progressing within 30 s`);
      await sleep(10);
    }
    latencies.push(Date.now() - started);
  }
  return latencies;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

async function main(): Promise<void> {
  await ensureToolchain();
  const runDir = mkdtempSync(join(tmpdir(), 'songbird-bench-'));
  const cluster = await startControlPlane({ runDir, tier: 'full', progress: (m) => log(`cluster: ${m}`) });
  const kube = new HttpsKube(loadKubeConfig({ kind: 'kubeconfig', path: cluster.kubeconfig }));
  const proxy = await startCountingProxy(cluster.server, cluster.pki);
  const proxyConfig = join(runDir, 'operator.kubeconfig');
  writeFileSync(proxyConfig, stringify({ apiVersion: 'v1', kind: 'Config', clusters: [{ name: 'p', cluster: { server: proxy.url, 'insecure-skip-tls-verify': true } }], users: [{ name: 'u', user: {} }], contexts: [{ name: 'p', context: { cluster: 'p', user: 'u' } }], 'current-context': 'p' }));
  let operatorPid: number | undefined;
  let operatorExit: Promise<unknown> = Promise.resolve();
  try {
    await installCrds(kube, join(packageRoot(), 'crds'), sleep);
    log(`creating ${CANARIES} Deployments and Canaries`);
    await createWorkloads(kube);
    const operator = spawn(process.execPath, [join(packageRoot(), 'dist', 'src', 'main.js'), `--kubeconfig=${proxyConfig}`, '--port=0', '--log-level=warn', `--namespace=${NS}`],
      { stdio: ['ignore', 'ignore', 'inherit'] });
    operatorPid = operator.pid;
    operatorExit = new Promise((resolve) => operator.on('exit', resolve));
    const exited = new Promise<never>((_, reject) => operator.on('exit', (code) => reject(new Error(`the operator exited with ${code}`))));
    const initSeconds = await Promise.race([waitInitialized(kube), exited]);
    await sleep(10_000);
    const before = processStats(operatorPid ?? 0);
    proxy.reset();
    log(`idle for ${IDLE_SECONDS} s`);
    await sleep(IDLE_SECONDS * 1000);
    const after = processStats(operatorPid ?? 0);
    const idleRequests = proxy.total();
    const requestsByPath = Object.fromEntries(proxy.counts());
    log('measuring image edit → Progressing');
    const latencies = await imageEditLatencies(kube);
    const perCanaryPerMinute = idleRequests / CANARIES / (IDLE_SECONDS / 60);
    const results = {
      canaries: CANARIES, idleSeconds: IDLE_SECONDS, initializeAllSeconds: initSeconds,
      idle: { requests: idleRequests, requestsPerCanaryPerMinute: perCanaryPerMinute, goal: 0.05, ratioToGoal: perCanaryPerMinute / 0.05, requestsByPath },
      operator: { rssMiB: after.rssMiB, rssGoalMiB: 300, ratioToGoal: after.rssMiB / 300, cpuSecondsIdle: after.cpuSeconds - before.cpuSeconds, cpuCoreFractionIdle: (after.cpuSeconds - before.cpuSeconds) / IDLE_SECONDS },
      imageEditToProgressingMs: { samples: latencies.length, p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: Math.max(...latencies), goalP99: 1000, ratioToGoal: percentile(latencies, 99) / 1000 },
    };
    mkdirSync(join(packageRoot(), 'test', 'bench', 'results'), { recursive: true });
    writeFileSync(join(packageRoot(), 'test', 'bench', 'results', 'operator.json'), JSON.stringify(results, null, 2));
    console.log(JSON.stringify(results, null, 2));
  } finally {
    if (operatorPid !== undefined) process.kill(operatorPid, 'SIGTERM');
    await operatorExit;
    await proxy.close();
    await stopControlPlane(cluster);
    rmSync(runDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
