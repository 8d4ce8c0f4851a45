import { existsSync, readFileSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { KubeConfig, type User } from '@kubernetes/client-node';
import { parse, stringify } from 'yaml';

/** Where the cluster connection comes from. */
export type ClusterSource = { kind: 'kubeconfig'; path: string } | { kind: 'in-cluster' } | { kind: 'none' };

/** Where a pod finds its ServiceAccount token, CA and namespace. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** What in-cluster loading reads; tests point it at a folder of their own. */
export interface InClusterEnvironment {
  env: NodeJS.ProcessEnv;
  serviceAccountDir: string;
}

/**
 * `--kubeconfig`, else `KUBECONFIG`, else in-cluster credentials, else `~/.kube/config` when it exists, else
 * none (then `npm start` runs the embedded local cluster).
 */
export function clusterSource(flag: string | undefined, env: NodeJS.ProcessEnv, homeConfig: string): ClusterSource {
  if (flag !== undefined) return { kind: 'kubeconfig', path: flag };
  const fromEnv = env.KUBECONFIG;
  if (fromEnv !== undefined && fromEnv !== '') return { kind: 'kubeconfig', path: fromEnv };
  if (env.KUBERNETES_SERVICE_HOST !== undefined && env.KUBERNETES_SERVICE_HOST !== '') return { kind: 'in-cluster' };
  if (existsSync(homeConfig)) return { kind: 'kubeconfig', path: homeConfig };
  return { kind: 'none' };
}

/**
 * A KubeConfig for a source that names a cluster. A user's token file (a kubeconfig's `token-file`, or the
 * pod's projected ServiceAccount token) is recorded as `authProvider.config.tokenFile`, the form client-node
 * itself uses in-cluster, and read by the operator when it connects and again as the file rotates.
 */
export function loadKubeConfig(source: Exclude<ClusterSource, { kind: 'none' }>,
  inCluster: InClusterEnvironment = { env: process.env, serviceAccountDir: SERVICE_ACCOUNT_DIR }): KubeConfig {
  return source.kind === 'in-cluster' ? loadInCluster(inCluster) : loadFiles(source.path);
}

/**
 * A KUBECONFIG list (`a:b`) merged as kubectl merges it: files that do not exist are skipped, the first file
 * to name a cluster, user or context wins, and so does the first `current-context`.
 */
function loadFiles(list: string): KubeConfig {
  const paths = list.split(delimiter).filter((path) => path !== '');
  const [only] = paths;
  if (paths.length === 1 && only !== undefined) return loadFile(only);
  const files = paths.filter((path) => existsSync(path)).map(loadFile);
  if (files.length === 0) throw new Error(`none of the kubeconfig files ${paths.join(', ')} exists`);
  const firstByName = <T extends { name: string }>(lists: T[][]): T[] =>
    [...new Map(lists.flat().reverse().map((item) => [item.name, item])).values()].reverse();
  const merged = new KubeConfig();
  merged.loadFromOptions({
    clusters: firstByName(files.map((kc) => kc.clusters)),
    users: firstByName(files.map((kc) => kc.users)),
    contexts: firstByName(files.map((kc) => kc.contexts)),
    currentContext: files.map((kc) => kc.currentContext).find((name) => name !== undefined && name !== ''),
  });
  return merged;
}

/** As client-go's InClusterConfig: https to KUBERNETES_SERVICE_HOST:PORT, the pod's CA and token file. */
function loadInCluster({ env, serviceAccountDir }: InClusterEnvironment): KubeConfig {
  const host = env.KUBERNETES_SERVICE_HOST ?? '';
  const port = env.KUBERNETES_SERVICE_PORT ?? '';
  if (host === '' || port === '') throw new Error('in-cluster credentials need KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT');
  const kc = new KubeConfig();
  kc.loadFromClusterAndUser(
    { name: 'in-cluster', server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`, caFile: join(serviceAccountDir, 'ca.crt'), skipTLSVerify: false },
    { name: 'in-cluster', authProvider: { name: 'tokenFile', config: { tokenFile: join(serviceAccountDir, 'token') } } },
  );
  return kc;
}

interface RawUser { name?: string; user?: { 'token-file'?: string; exec?: { command?: string } } }

/**
 * Reads a kubeconfig file. Relative paths are relative to the file's folder, as for kubectl: certificate
 * files, the `token-file` and an exec `command` that contains a slash (a bare name is looked up in PATH).
 */
function loadFile(path: string): KubeConfig {
  const folder = dirname(resolve(path));
  const raw = (parse(readFileSync(path, 'utf8')) ?? {}) as { users?: RawUser[] };
  const tokenFiles = new Map<string, string>();
  for (const entry of raw.users ?? []) {
    const tokenFile = takeTokenFile(entry, folder);
    if (tokenFile !== undefined && entry.name !== undefined) tokenFiles.set(entry.name, tokenFile);
  }
  const kc = new KubeConfig();
  kc.loadFromString(stringify(raw));
  kc.makePathsAbsolute(folder);
  kc.users = kc.users.map((user): User => {
    const tokenFile = tokenFiles.get(user.name);
    return tokenFile === undefined || user.token ? user : { ...user, authProvider: { name: 'tokenFile', config: { tokenFile } } };
  });
  return kc;
}

/**
 * Removes a user's `token-file` (client-node would read it once, here and now; the operator reads it as it
 * rotates) and returns it resolved; resolves the user's exec command when it is a path.
 */
function takeTokenFile(entry: RawUser, folder: string): string | undefined {
  const user = entry.user;
  if (user === undefined) return undefined;
  const tokenFile = user['token-file'];
  delete user['token-file'];
  const command = user.exec?.command;
  if (user.exec !== undefined && command?.includes('/') === true) user.exec.command = relativeTo(folder, command);
  return tokenFile === undefined ? undefined : relativeTo(folder, tokenFile);
}

function relativeTo(folder: string, path: string): string {
  return isAbsolute(path) ? path : join(folder, path);
}
