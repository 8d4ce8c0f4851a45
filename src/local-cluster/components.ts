import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { apiserverGet } from './https-probe.js';
import type { Pki } from './pki.js';
import { startProcess, waitUntil, type StartedProcess } from './processes.js';
import { binaryPath, kwokStagesPath } from './toolchain.js';

/** What every component starter needs. */
export interface ComponentContext {
  runDir: string;
  pki: Pki;
  kubeconfig: string;
}

// Ranges chosen not to overlap: Services from 10.96/16, fake pod IPs from kwok's 10.244/16. These IPs are
// strings in API objects only; no traffic is ever sent to them.
const SERVICE_CIDR = '10.96.0.0/16';
const POD_CIDR = '10.244.0.0/16';

/** Starts etcd on two free loopback ports (see {@link waitForEtcd}). */
export function startEtcd(runDir: string, clientPort: number, peerPort: number): StartedProcess {
  const client = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  return startProcess(runDir, 'etcd', binaryPath('etcd'), [
    '--name=node0', `--data-dir=${join(runDir, 'etcd-data')}`,
    `--listen-client-urls=${client}`, `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`, `--initial-advertise-peer-urls=${peer}`, `--initial-cluster=node0=${peer}`,
    '--listen-metrics-urls=', '--unsafe-no-fsync=true', '--auto-compaction-retention=1',
    '--quota-backend-bytes=2147483648', '--log-level=warn',
  ]);
}

/** Waits until etcd answers /health. */
export async function waitForEtcd(clientPort: number, proc: StartedProcess): Promise<void> {
  const url = `http://127.0.0.1:${clientPort}/health`;
  await waitUntil('etcd /health', async () => (await fetch(url)).ok, { timeoutMs: 30_000, process: proc });
}

/** Where kube-apiserver writes its audit log (one JSON event per line) in a cluster's run folder. */
export function auditLogPath(runDir: string): string {
  return join(runDir, 'logs', 'audit.log');
}

/**
 * The audit policy: requests made with ServiceAccount credentials, at level Metadata (user, verb, resource,
 * response code; no bodies), once when the response is complete (and once when a watch starts). Everything
 * else (the admin, the controller-manager, kwok) is not logged, so the log stays small and costs nothing
 * measurable; tests read it to learn exactly which calls an operator authenticated as its chart's
 * ServiceAccount made (test/support/audit-log.ts).
 */
const AUDIT_POLICY = {
  apiVersion: 'audit.k8s.io/v1', kind: 'Policy', omitStages: ['RequestReceived'],
  rules: [{ level: 'Metadata', userGroups: ['system:serviceaccounts'] }, { level: 'None' }],
};

/**
 * Starts kube-apiserver with TLS on 127.0.0.1, client-certificate auth, RBAC and the audit log of
 * {@link auditLogPath} (see {@link waitForApiserver}).
 */
export function startApiserver(
  ctx: ComponentContext,
  opts: { port: number; etcdPort: number; withServiceAccountAdmission: boolean },
): StartedProcess {
  const { pki } = ctx;
  const args = [
    `--etcd-servers=http://127.0.0.1:${opts.etcdPort}`,
    '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1', `--secure-port=${opts.port}`,
    `--tls-cert-file=${pki.apiserverCert}`, `--tls-private-key-file=${pki.apiserverKey}`,
    `--client-ca-file=${pki.caCert}`,
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${pki.serviceAccountPub}`, `--service-account-signing-key-file=${pki.serviceAccountKey}`,
    `--service-cluster-ip-range=${SERVICE_CIDR}`, '--authorization-mode=RBAC', '--allow-privileged=true',
    '--endpoint-reconciler-type=none', '--profiling=false',
    `--audit-policy-file=${auditPolicyFile(ctx.runDir)}`, `--audit-log-path=${auditLogPath(ctx.runDir)}`,
    '--audit-log-format=json', '--audit-log-mode=blocking', '--audit-log-maxsize=200',
  ];
  // Without a controller-manager nobody creates the `default` ServiceAccount, and the admission plugin
  // would then reject every Pod.
  if (!opts.withServiceAccountAdmission) args.push('--disable-admission-plugins=ServiceAccount');
  return startProcess(ctx.runDir, 'kube-apiserver', binaryPath('kube-apiserver'), args);
}

function auditPolicyFile(runDir: string): string {
  const path = join(runDir, 'audit-policy.yaml');
  writeFileSync(path, stringify(AUDIT_POLICY));
  return path;
}

/** Waits until the apiserver answers /readyz with 200 (all post-start hooks done, CRD API served). */
export async function waitForApiserver(server: string, pki: Pki, proc: StartedProcess): Promise<void> {
  await waitUntil('kube-apiserver /readyz', async () => (await apiserverGet(server, '/readyz', pki)).status === 200, {
    timeoutMs: 90_000,
    process: proc,
    intervalMs: 300,
  });
}

/** Starts kube-controller-manager with every default controller (deployment, replicaset, GC, namespace, …). */
export function startControllerManager(ctx: ComponentContext, port: number): StartedProcess {
  const { pki, kubeconfig } = ctx;
  return startProcess(ctx.runDir, 'kube-controller-manager', binaryPath('kube-controller-manager'), [
    `--kubeconfig=${kubeconfig}`, `--authentication-kubeconfig=${kubeconfig}`, `--authorization-kubeconfig=${kubeconfig}`,
    '--bind-address=127.0.0.1', `--secure-port=${port}`, '--leader-elect=false',
    `--service-account-private-key-file=${pki.serviceAccountKey}`, `--root-ca-file=${pki.caCert}`,
    `--cluster-signing-cert-file=${pki.caCert}`, `--cluster-signing-key-file=${pki.caKey}`,
    `--service-cluster-ip-range=${SERVICE_CIDR}`, '--kube-api-qps=100', '--kube-api-burst=200',
    '--concurrent-deployment-syncs=10', '--concurrent-replicaset-syncs=10', '--concurrent-gc-syncs=20',
  ]);
}

/** Starts kube-scheduler from a config file (its client flags are deprecated). */
export function startScheduler(ctx: ComponentContext, port: number): StartedProcess {
  const config = join(ctx.runDir, 'scheduler.yaml');
  writeFileSync(config, stringify({
    apiVersion: 'kubescheduler.config.k8s.io/v1',
    kind: 'KubeSchedulerConfiguration',
    clientConnection: { kubeconfig: ctx.kubeconfig, qps: 100, burst: 200 },
    leaderElection: { leaderElect: false },
  }));
  return startProcess(ctx.runDir, 'kube-scheduler', binaryPath('kube-scheduler'), [
    `--config=${config}`, '--bind-address=127.0.0.1', `--secure-port=${port}`,
    `--authentication-kubeconfig=${ctx.kubeconfig}`, `--authorization-kubeconfig=${ctx.kubeconfig}`,
  ]);
}

/** Starts kwok, which plays the kubelet for fake nodes: it marks nodes Ready and scheduled pods Running/Ready. */
export function startKwok(ctx: ComponentContext): StartedProcess {
  return startProcess(ctx.runDir, 'kwok', binaryPath('kwok'), [
    `--kubeconfig=${ctx.kubeconfig}`, `--config=${kwokStagesPath()}`, '--manage-all-nodes=true',
    '--node-lease-duration-seconds=40', `--cidr=${POD_CIDR}`, '--node-ip=127.0.0.1',
  ]);
}
