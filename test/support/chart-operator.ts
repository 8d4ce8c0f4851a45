import { join } from 'node:path';
import { KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { auditedCalls, comparePermissions, grantedPermissions, usedPermissions, type PermissionDiff } from './audit-log.js';
import { deploymentArgs, deploymentServiceAccount, serviceAccountKubeconfig } from './chart-install.js';
import type { Manifest } from './helm.js';
import { startOperatorProcess, type OperatorProcess } from './operator-process.js';

/** The operator of one chart release, running as a process with the chart's flags and ServiceAccount. */
export interface ChartOperator {
  process: OperatorProcess;
  /** The audit log's user name of the chart's ServiceAccount. */
  username: string;
  /** When the process was started (ms since the epoch): its calls are the audited ones from then on. */
  startedAt: number;
  args: string[];
}

/**
 * Starts the operator as the chart release of `manifests` runs it: the flags of its Deployment (its `--port`
 * aside, for a free one) and the credentials of its ServiceAccount only, a TokenRequest token in a kubeconfig
 * written into `dir`. `admin` is the cluster's admin config, used for the TokenRequest alone.
 */
export async function startChartOperator(admin: KubeConfig, releaseNamespace: string, manifests: readonly Manifest[], dir: string): Promise<ChartOperator> {
  const account = deploymentServiceAccount(manifests);
  const kubeconfig = await serviceAccountKubeconfig(admin, releaseNamespace, account, join(dir, `${account}-${Date.now()}.kubeconfig`));
  const args = deploymentArgs(manifests);
  const startedAt = Date.now();
  const process = await startOperatorProcess({ kubeconfig, namespace: undefined, args });
  await process.waitReady(30_000);
  return { process, username: `system:serviceaccount:${releaseNamespace}:${account}`, startedAt, args };
}

/** Objects of `manifests` the cluster does not have (`kind namespace/name`): empty once helm created them all. */
export async function missingObjects(admin: KubeConfig, manifests: readonly Manifest[], releaseNamespace: string): Promise<string[]> {
  const client = KubernetesObjectApi.makeApiClient(admin);
  const missing: string[] = [];
  for (const m of manifests) {
    const namespace = m.metadata.namespace ?? (m.kind.startsWith('Cluster') ? undefined : releaseNamespace);
    const ref = { apiVersion: m.apiVersion, kind: m.kind, metadata: { name: m.metadata.name, ...(namespace === undefined ? {} : { namespace }) } };
    await client.read(ref).catch(() => missing.push(`${m.kind} ${namespace ?? ''}/${m.metadata.name}`));
  }
  return missing;
}

/** What the audit log says the operator did, compared with what the chart grants it. */
export interface PermissionReport extends PermissionDiff {
  used: string[];
  granted: string[];
  /** Calls the API server answered 403. */
  forbidden: string[];
  calls: number;
}

/**
 * Reads the audit log for the calls of `operator`'s ServiceAccount since it started, and compares their
 * (verb, resource) with the rules the chart release rendered (`manifests`); `exceptions` are grants no release
 * exercises, each with its reason.
 */
export function permissionReport(auditLog: string, operator: ChartOperator, manifests: readonly Manifest[], exceptions: Readonly<Record<string, string>>): PermissionReport {
  const calls = auditedCalls(auditLog, operator.username, operator.startedAt);
  const used = usedPermissions(calls);
  const granted = grantedPermissions(manifests);
  return {
    used, granted, calls: calls.length, ...comparePermissions(used, granted, exceptions),
    forbidden: calls.filter((c) => c.code === 403).map((c) => `${c.verb} ${c.resource || c.uri} ${c.namespace ?? ''}/${c.name ?? ''}`),
  };
}

/** The admin KubeConfig of a kubeconfig file. */
export function adminConfig(path: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}
