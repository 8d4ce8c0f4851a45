import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { freePort } from '../../src/local-cluster/free-port.js';
import { deploymentArgs, deploymentServiceAccount, serviceAccountKubeconfig } from './chart-install.js';
import type { Manifest } from './helm.js';

const root = join(import.meta.dirname, '..', '..');
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The load tester of one chart release, running as a process with the chart's flags and ServiceAccount. */
export interface ChartLoadTester {
  url: string;
  /** The bearer token of the chart's token Secret, which `--token-file` points at. */
  token: string;
  /** The audit log's user name of the chart's ServiceAccount. */
  username: string;
  startedAt: number;
  /** Answer status of a gate endpoint (`/gate/check`, `/gate/open`, `/gate/close`) for canary `name`. */
  gate(path: string, name: string, namespace: string): Promise<number>;
  logTail(): string;
  stop(): Promise<void>;
}

/**
 * Starts `songbird-loadtester` (loadtester/src/main.ts) as the chart release of `manifests` in `namespace` runs
 * it: the Deployment's flags, with the port moved to a free one on loopback and `--token-file` to a copy of the
 * chart's token Secret written into `dir`, and only the ServiceAccount's TokenRequest token as credentials.
 */
export async function startChartLoadTester(admin: KubeConfig, namespace: string, manifests: readonly Manifest[], dir: string): Promise<ChartLoadTester> {
  const account = deploymentServiceAccount(manifests);
  const kubeconfig = await serviceAccountKubeconfig(admin, namespace, account, join(dir, `${account}.kubeconfig`));
  const secret = manifests.find((m) => m.kind === 'Secret') as Manifest & { data: Record<string, string> };
  const token = Buffer.from(Object.values(secret.data)[0] ?? '', 'base64').toString('utf8');
  mkdirSync(join(dir, account), { recursive: true });
  const tokenFile = join(dir, account, 'token');
  writeFileSync(tokenFile, token);
  const port = await freePort();
  const args = deploymentArgs(manifests).map((a) => (a.startsWith('--port=') ? `--port=${port}` : a.startsWith('--token-file=') ? `--token-file=${tokenFile}` : a));
  const startedAt = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'loadtester', 'src', 'main.ts'), ...args, '--host=127.0.0.1'],
    { cwd: root, env: { ...process.env, KUBECONFIG: kubeconfig, POD_NAMESPACE: namespace }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  for (const stream of [child.stdout, child.stderr]) stream?.setEncoding('utf8').on('data', (chunk: string) => lines.push(...chunk.split('\n')));
  const ended = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const loadTester: ChartLoadTester = {
    url, token, username: `system:serviceaccount:${namespace}:${account}`, startedAt,
    gate: async (path, name, ns) => (await fetch(`${url}${path}`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ name, namespace: ns, phase: 'Progressing' }),
    })).status,
    logTail: () => lines.slice(-20).join('\n'),
    stop: async () => {
      child.kill('SIGTERM');
      await Promise.race([ended, sleep(10_000)]);
    },
  };
  for (const deadline = Date.now() + 30_000; ;) {
    if (await fetch(`${url}/healthz`).then((r) => r.ok, () => false)) return loadTester;
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the load tester did not start:\n${loadTester.logTail()}`);
    await sleep(200);
  }
}
