import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlanStatus } from '../../src/api/canary-status.js';
import { parseConfig } from '../../src/config.js';
import { installCrds } from '../../src/install-crds.js';
import { Resources } from '../../src/kube/resources.js';
import { binaryPath } from '../../src/local-cluster/toolchain.js';
import { startOperator, type RunningOperator } from '../../src/operator.js';
import { silentLogger } from '../../src/ports/logger.js';
import { CanaryResource } from '../../src/reconciler/cluster-caches.js';
import { aCanary, aDeployment } from '../fixtures/objects.js';
import { testKube, testKubeConfig, useTestNamespace, waitFor } from '../support/kube.js';

const root = join(import.meta.dirname, '..', '..');
const runKubectl = promisify(execFile);

interface Run { code: number | null; stdout: string; stderr: string }

/** Runs the plugin from source, as `kubectl songbird …` would run the built bin, against the test cluster. */
function plugin(args: string[], env: NodeJS.ProcessEnv = process.env): { done: Promise<Run>; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', join('src', 'cli', 'kubectl-songbird.ts'), ...args], { cwd: root, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const done = new Promise<Run>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { done, output: () => stdout };
}

const songbird = (...args: string[]): Promise<Run> => plugin(args).done;

// Plays the deployment controller, which this tier does not run: every Deployment of the namespace is rolled
// out and available shortly after each change.
function deploymentController(namespace: string): () => void {
  const kube = testKube();
  const timer = setInterval(() => {
    void kube.list(Resources.deployments, namespace).then(({ items }) => Promise.all(items.map((d) => {
      const replicas = d.spec?.replicas ?? 1;
      if (d.status?.observedGeneration === d.metadata.generation && d.status?.availableReplicas === replicas) return Promise.resolve();
      return kube.patch(Resources.deployments, { namespace, name: d.metadata.name }, {
        status: { observedGeneration: d.metadata.generation, replicas, updatedReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas },
      }, { subresource: 'status' });
    }))).catch(() => undefined);
  }, 300);
  return () => clearInterval(timer);
}

async function canaryStatus(namespace: string): Promise<{ phase?: string; plan?: PlanStatus }> {
  return ((await testKube().get(CanaryResource, namespace, 'podinfo'))?.status ?? {});
}

/** Blue/Green on the kubernetes provider, one iteration at the shortest interval: 4 ticks of 10 s. */
function manifest(namespace: string): ReturnType<typeof aCanary> {
  const canary = aCanary({ namespace });
  (canary.spec as { analysis: Record<string, unknown> }).analysis = { interval: '10s', threshold: 2, iterations: 1 };
  return canary;
}

describe('the kubectl-songbird plugin on the real API server', () => {
  const namespace = useTestNamespace('plugin');
  let operator: RunningOperator;
  let stopController: () => void;
  let dir: string;

  beforeAll(async () => {
    const kube = testKube();
    dir = mkdtempSync(join(tmpdir(), 'songbird-plugin-'));
    await installCrds(kube, join(root, 'crds'), (ms) => new Promise((r) => setTimeout(r, ms)));
    await kube.create(Resources.deployments, aDeployment({ namespace: namespace(), replicas: 1 }));
    await kube.create(CanaryResource, manifest(namespace()));
    stopController = deploymentController(namespace());
    const config = parseConfig(['--port=0', `--namespace=${namespace()}`], {});
    operator = await startOperator({ config, kube, logger: silentLogger, onFatal: (reason) => { throw new Error(reason); } });
    await waitFor('Initialized', async () => (await canaryStatus(namespace())).phase === 'Initialized', 30_000);
  });

  afterAll(async () => {
    stopController();
    await operator.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('previews a manifest from a file, as a table and as JSON', async () => {
    const file = join(dir, 'canary.yaml');
    writeFileSync(file, stringify(manifest(namespace())));
    const table = await songbird('plan', '-f', file);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('Blue/Green on kubernetes, a tick every 10s, rollback at 2 failed checks');
    expect(table.stdout).toContain('at least 40s (4 ticks of 10s');
    const json = await songbird('plan', 'podinfo', '-f', file, '-o', 'json');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ name: 'podinfo', plan: { strategy: 'blue-green', minSeconds: 40, iterations: 1 } });
  }, 90_000);

  it('exits 1 with kubectl\'s message for a Canary that does not exist, the same for a read command and an action verb', async () => {
    for (const command of ['status', 'plan', 'watch', 'pause']) {
      const result = await songbird(command, 'nope', '-n', namespace());
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`error: canaries.flagger.app "nope" not found in namespace "${namespace()}"\n`);
    }
  }, 90_000);

  it('connects through --kubeconfig and --context, and refuses a context the file does not have', async () => {
    const kubeconfig = process.env.KUBECONFIG ?? '';
    const context = testKubeConfig().getCurrentContext();
    const env = { ...process.env, KUBECONFIG: join(dir, 'missing') };
    const found = await plugin(['status', '-n', namespace(), '--kubeconfig', kubeconfig, '--context', context, '-o', 'yaml'], env).done;
    expect(found.code).toBe(0);
    expect(found.stdout).toContain('name: podinfo');
    const refused = await plugin(['status', '-n', namespace(), '--kubeconfig', kubeconfig, '--context', 'nope'], env).done;
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('context "nope" does not exist');
  }, 90_000);

  it('follows a real run: status, plan and kubectl -o wide show its expected end, and watch --until-done ends with it', async () => {
    const watch = plugin(['watch', 'podinfo', '-n', namespace(), '--until-done']);
    await waitFor('watch output', () => Promise.resolve(watch.output().includes('Phase:')), 20_000);
    await testKube().patch(Resources.deployments, { namespace: namespace(), name: 'podinfo' },
      { spec: { template: { spec: { containers: [{ name: 'podinfod', image: 'ghcr.io/stefanprodan/podinfo:6.0.1' }] } } } });
    await waitFor('Progressing', async () => (await canaryStatus(namespace())).phase === 'Progressing', 20_000);
    const plan = (await canaryStatus(namespace())).plan;
    expect(plan).toMatchObject({ strategy: 'blue-green', ticks: 4, minSeconds: 40 });
    if (plan === undefined) throw new Error('no status.plan');

    const status = await songbird('status', 'podinfo', '-n', namespace());
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/Phase:\s+(Progressing|Promoting|Finalising)/);
    expect(status.stdout).toContain(`Expected end:   ${plan.expectedEnd}`);

    const all = await songbird('status', '-A', '-o', 'json');
    expect(all.code).toBe(0);
    const items = (JSON.parse(all.stdout) as { items: { namespace: string; name: string; plan?: { expectedEnd: string } }[] }).items;
    expect(items.find((i) => i.namespace === namespace() && i.name === 'podinfo')?.plan?.expectedEnd).toBe(plan.expectedEnd);

    const fromCluster = await songbird('plan', 'podinfo', '-n', namespace());
    expect(fromCluster.code).toBe(0);
    expect(fromCluster.stdout).toContain('Blue/Green on kubernetes');

    const { stdout } = await runKubectl(binaryPath('kubectl'), ['get', 'canary', 'podinfo', '-o', 'wide', '-n', namespace()], { env: process.env });
    const [header = '', row = ''] = stdout.trimEnd().split('\n');
    const column = header.indexOf('EXPECTEDEND');
    expect(column).toBeGreaterThan(0);
    expect(row.slice(column).split(/\s+/)[0]).toBe(plan.expectedEnd);

    const watched = await watch.done;
    expect(watched.code).toBe(0);
    expect(watched.stdout).toMatch(/Phase:\s+Progressing/);
    expect(watched.stdout).toMatch(/Phase:\s+Succeeded/);
    expect((await canaryStatus(namespace())).phase).toBe('Succeeded');
  }, 180_000);
});
