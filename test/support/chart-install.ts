import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { helm, only, parseManifests, type Manifest } from './helm.js';
import { writeKubeconfig } from './kubeconfig-forms.js';

const root = join(import.meta.dirname, '..', '..');

/**
 * `helm install` (or `helm upgrade`) of the chart folder `chart` as `release` in `namespace` of the cluster of
 * `kubeconfig`; returns the manifests helm applied, as `helm get manifest` prints them.
 */
export async function helmInstall(opts: {
  kubeconfig: string; release: string; namespace: string; chart: string; values?: Record<string, unknown>; upgrade?: boolean;
}): Promise<Manifest[]> {
  const target = ['--namespace', opts.namespace, '--kubeconfig', opts.kubeconfig];
  await helm([...(opts.upgrade === true ? ['upgrade'] : ['install', '--create-namespace']), opts.release, opts.chart, ...target], opts.values ?? {});
  const { stdout } = await helm(['get', 'manifest', opts.release, ...target], null);
  return parseManifests(stdout);
}

/** The operator's flags, as the chart's Deployment passes them. */
export function deploymentArgs(manifests: readonly Manifest[]): string[] {
  const deployment = only(manifests, 'Deployment') as Manifest & { spec: { template: { spec: { containers: { args?: string[] }[] } } } };
  return deployment.spec.template.spec.containers[0]?.args ?? [];
}

/** The ServiceAccount the chart's Deployment runs as. */
export function deploymentServiceAccount(manifests: readonly Manifest[]): string {
  const deployment = only(manifests, 'Deployment') as Manifest & { spec: { template: { spec: { serviceAccountName: string } } } };
  return deployment.spec.template.spec.serviceAccountName;
}

/**
 * Writes a kubeconfig that authenticates as ServiceAccount `namespace/name` with a token from the TokenRequest
 * API (what the kubelet projects into the chart's pods), for the cluster of `admin`.
 */
export async function serviceAccountKubeconfig(admin: KubeConfig, namespace: string, name: string, path: string): Promise<string> {
  const answer = await admin.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({
    name, namespace, body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const cluster = admin.getCurrentCluster();
  if (cluster?.caData === undefined || answer.status?.token === undefined) throw new Error(`no token for ${namespace}/${name} or no CA`);
  return writeKubeconfig(path, { server: cluster.server, 'certificate-authority-data': cluster.caData }, { token: answer.status.token });
}

const git = (...args: string[]): string => execFileSync('git', args, { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
const chartYaml = 'charts/songbird/Chart.yaml';
const versionAt = (commit: string): string | undefined => {
  try {
    return (parse(git('show', `${commit}:${chartYaml}`)) as { version?: string }).version;
  } catch {
    return undefined;
  }
};

/**
 * The songbird chart of the previous chart version, extracted from the repository's history into `into`: the
 * tree of the commit before the one that set the current Chart.yaml `version` (or HEAD's, when that version is
 * not committed yet). Needs the history back to that commit (a full clone).
 */
export function previousChart(into: string): { dir: string; version: string; commit: string } {
  const current = (parse(git('show', `HEAD:${chartYaml}`)) as { version: string }).version;
  const working = (parse(readFileSync(join(root, chartYaml), 'utf8')) as { version: string }).version;
  let commit = 'HEAD';
  if (working === current) {
    // The newest commits touching Chart.yaml whose version is the current one: the oldest of them set it.
    let setter: string | undefined;
    for (const c of git('log', '--format=%H', '--', chartYaml).trim().split('\n')) {
      if (versionAt(c) !== current) break;
      setter = c;
    }
    if (setter === undefined) throw new Error(`no commit sets ${chartYaml} version ${current}`);
    commit = `${setter}^`;
  }
  const version = versionAt(commit);
  if (version === undefined || version === working) throw new Error(`no earlier chart version than ${working} in the history (a shallow clone?)`);
  mkdirSync(into, { recursive: true });
  execFileSync('tar', ['-x', '-C', into], { input: execFileSync('git', ['archive', commit, 'charts/songbird'], { cwd: root, maxBuffer: 64 * 1024 * 1024 }) });
  return { dir: join(into, 'charts', 'songbird'), version, commit: git('rev-parse', commit).trim() };
}
