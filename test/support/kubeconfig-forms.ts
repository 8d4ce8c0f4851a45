import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthenticationV1Api, CoreV1Api, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { expect } from 'vitest';
import { binaryPath } from '../../src/local-cluster/toolchain.js';
import { Resources, type ConfigMap } from '../../src/kube/resources.js';
import type { Kube, WatchEvent } from '../../src/ports/kube.js';
import { testKubeConfig, waitFor } from './kube.js';

/** A scratch folder removed by the returned cleanup. */
export function scratchDir(): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), 'songbird-kubeconfig-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** The test cluster's server URL and CA (base64), as the admin kubeconfig names them. */
export function testCluster(): { server: string; caData: string } {
  const cluster = testKubeConfig().getCurrentCluster();
  if (cluster?.caData === undefined) throw new Error('the test kubeconfig has no inline CA');
  return { server: cluster.server, caData: cluster.caData };
}

/** Writes a one-context kubeconfig with the given cluster fields and user fields (kubeconfig spelling). */
export function writeKubeconfig(path: string, cluster: Record<string, unknown>, user: Record<string, unknown>): string {
  writeFileSync(path, stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'test',
    clusters: [{ name: 'test', cluster }],
    users: [{ name: 'test', user }],
    contexts: [{ name: 'test', context: { cluster: 'test', user: 'test' } }],
  }));
  return path;
}

/** Runs the real `kubectl proxy` on a kernel-chosen port against the test cluster. */
export async function startKubectlProxy(): Promise<{ port: number; stop: () => void }> {
  const child = spawn(binaryPath('kubectl'), ['proxy', '--port=0', `--kubeconfig=${process.env.KUBECONFIG ?? ''}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  const port = await new Promise<number>((resolve, reject) => {
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      const match = /Starting to serve on [^:]+:(\d+)/.exec(output);
      if (match !== null) resolve(Number(match[1]));
    });
    child.on('exit', (code) => reject(new Error(`kubectl proxy exited with ${String(code)}: ${output}`)));
  });
  return { port, stop: () => stopChild(child) };
}

function stopChild(child: ChildProcess): void {
  if (child.exitCode === null) child.kill('SIGTERM');
}

/**
 * A ServiceAccount allowed to use the namespace's ConfigMaps, and a token for it from the TokenRequest API (the shortest
 * lifetime the API server grants is 10 minutes). Deleting the ServiceAccount revokes its tokens at once.
 */
export async function serviceAccountWithToken(namespace: string, name: string): Promise<string> {
  const kc = testKubeConfig();
  await kc.makeApiClient(CoreV1Api).createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  // A Role of its own: the built-in `edit` ClusterRole is aggregated by the controller manager, which this tier lacks.
  await rbac.createNamespacedRole({
    namespace, body: { metadata: { name }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['*'] }] },
  });
  await rbac.createNamespacedRoleBinding({
    namespace,
    body: {
      metadata: { name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name, namespace }],
    },
  });
  const request = await kc.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({
    namespace, name, body: { spec: { audiences: [], expirationSeconds: 600 } },
  });
  return request.status?.token ?? '';
}

/** Deletes a ServiceAccount and waits until the API server refuses its token (401). */
export async function revokeServiceAccount(namespace: string, name: string, token: string): Promise<void> {
  const kc = testKubeConfig();
  await kc.makeApiClient(CoreV1Api).deleteNamespacedServiceAccount({ namespace, name });
  await waitFor(`the token of ${name} to be refused`, async () => {
    const review = await kc.makeApiClient(AuthenticationV1Api).createTokenReview({ body: { spec: { token } } });
    return review.status?.authenticated !== true;
  });
}

/**
 * Lists, watches and patches a ConfigMap through `kube`, and checks that the watch sees the patch: the calls
 * the operator's caches and reconciler make.
 */
export async function listWatchPatch(kube: Kube, namespace: string, name: string): Promise<void> {
  await kube.create(Resources.configMaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data: { step: '0' } });
  const listed = await kube.list(Resources.configMaps, namespace);
  expect(listed.items.map((c) => c.metadata.name)).toContain(name);
  const seen: WatchEvent<ConfigMap>[] = [];
  const watch = kube.watch(Resources.configMaps, { namespace, resourceVersion: listed.resourceVersion }, (e) => seen.push(e));
  try {
    await kube.patch(Resources.configMaps, { namespace, name }, { data: { step: '1' } });
    await waitFor('the watch to deliver the patch', () =>
      Promise.resolve(seen.some((e) => e.type === 'MODIFIED' && e.object.metadata.name === name && e.object.data?.step === '1')));
  } finally {
    watch.stop();
    await watch.done.catch(() => undefined);
  }
}

/**
 * Writes an exec credential plugin (a node script run as `node <script>`) that hands out the token found in
 * `<dir>/plugin-token`, claims the expiry in `<dir>/plugin-expiry` (if any) and appends one line to
 * `<dir>/plugin-runs` per run. Returns the kubeconfig `exec` stanza and helpers to steer it.
 */
export function writeExecPlugin(dir: string, apiVersion: string): {
  exec: Record<string, unknown>; handOut: (token: string, expiresAt?: Date) => void; runs: () => number;
} {
  const script = join(dir, 'plugin.mjs');
  writeFileSync(script, [
    "import { appendFileSync, existsSync, readFileSync } from 'node:fs';",
    "const dir = process.env.PLUGIN_DIR;",
    "appendFileSync(`${dir}/plugin-runs`, 'run\\n');",
    "const status = { token: readFileSync(`${dir}/plugin-token`, 'utf8') };",
    "if (existsSync(`${dir}/plugin-expiry`)) status.expirationTimestamp = readFileSync(`${dir}/plugin-expiry`, 'utf8');",
    `process.stdout.write(JSON.stringify({ kind: 'ExecCredential', apiVersion: '${apiVersion}', spec: {}, status }));`,
  ].join('\n'));
  return {
    exec: { apiVersion, command: process.execPath, args: [script], env: [{ name: 'PLUGIN_DIR', value: dir }], interactiveMode: 'Never' },
    handOut: (token, expiresAt) => {
      writeFileSync(join(dir, 'plugin-token'), token);
      if (expiresAt === undefined) rmSync(join(dir, 'plugin-expiry'), { force: true });
      else writeFileSync(join(dir, 'plugin-expiry'), expiresAt.toISOString().replace(/\.\d+Z$/, 'Z'));
    },
    runs: () => {
      try {
        return readFileSync(join(dir, 'plugin-runs'), 'utf8').split('\n').filter((l) => l !== '').length;
      } catch {
        return 0;
      }
    },
  };
}

/** Opens a watch as the first request (resourceVersion 0 replays existing objects) and waits for `name`. */
export async function watchSees(kube: Kube, namespace: string, name: string): Promise<void> {
  const seen: string[] = [];
  const watch = kube.watch(Resources.configMaps, { namespace, resourceVersion: '0' }, (e) => seen.push(e.object.metadata.name));
  const failed = watch.done.then(() => 'ended', (error: unknown) => error);
  try {
    await waitFor(`the watch to replay ${name}`, async () => {
      const ended = await Promise.race([failed, Promise.resolve(undefined)]);
      if (ended !== undefined) throw ended instanceof Error ? ended : new Error(`the watch ${JSON.stringify(ended)}`);
      return seen.includes(name);
    });
  } finally {
    watch.stop();
  }
}
