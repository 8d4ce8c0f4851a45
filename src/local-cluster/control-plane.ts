import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  startApiserver, startControllerManager, startEtcd, startKwok, startScheduler, waitForApiserver, waitForEtcd,
} from './components.js';
import { registerFakeNode } from './fake-node.js';
import { freePorts } from './free-port.js';
import { apiserverGet } from './https-probe.js';
import { writeAdminKubeconfig } from './kubeconfig.js';
import { createPki, type Pki } from './pki.js';
import { isAlive, logTail, stopProcesses, type StartedProcess } from './processes.js';

/**
 * `apiserver`: etcd + kube-apiserver, enough for CRDs, watches, status and RBAC (starts in seconds).
 * `full`: also kube-controller-manager, kube-scheduler and kwok with one fake Ready node, so Deployments
 * get ReplicaSets and Pods that become Ready.
 */
export type ClusterTier = 'apiserver' | 'full';

/** Everything needed to use, inspect and stop a running local cluster; persisted as `<runDir>/state.json`. */
export interface ClusterState {
  runDir: string;
  tier: ClusterTier;
  server: string;
  kubeconfig: string;
  pki: Pki;
  processes: StartedProcess[];
  /** Ports of etcd and kube-apiserver, to restart them in place (absent in state files of older versions). */
  ports?: { etcd: number; etcdPeer: number; apiserver: number };
}

const STATE_FILE = 'state.json';

/** Reads the state of a cluster started earlier in `runDir`, if any. */
export function readClusterState(runDir: string): ClusterState | undefined {
  const file = join(runDir, STATE_FILE);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as ClusterState;
}

function saveState(state: ClusterState): void {
  writeFileSync(join(state.runDir, STATE_FILE), JSON.stringify(state, null, 2));
}

/** True when every process of the cluster is still running and the apiserver answers /readyz. */
export async function isClusterHealthy(state: ClusterState): Promise<boolean> {
  if (!state.processes.every((p) => isAlive(p.pid))) return false;
  const res = await apiserverGet(state.server, '/readyz', state.pki, 3000).catch(() => undefined);
  return res?.status === 200;
}

/**
 * Starts a local control plane in `runDir` on free loopback ports. On any failure the processes already
 * started are stopped and the error carries the failing component's log tail; logs stay in `<runDir>/logs`.
 */
export async function startControlPlane(opts: {
  runDir: string;
  tier: ClusterTier;
  progress?: (message: string) => void;
}): Promise<ClusterState> {
  const progress = opts.progress ?? ((): void => undefined);
  mkdirSync(join(opts.runDir, 'logs'), { recursive: true });
  const [etcdPort, peerPort, apiPort, kcmPort, schedPort] = (await freePorts(5)) as [number, number, number, number, number];
  progress('creating certificates');
  const pki = await createPki(opts.runDir);
  const server = `https://127.0.0.1:${apiPort}`;
  const kubeconfig = join(opts.runDir, 'admin.kubeconfig');
  writeAdminKubeconfig(kubeconfig, server, pki);
  const state: ClusterState = {
    runDir: opts.runDir, tier: opts.tier, server, kubeconfig, pki, processes: [], ports: { etcd: etcdPort, etcdPeer: peerPort, apiserver: apiPort },
  };
  const ctx = { runDir: opts.runDir, pki, kubeconfig };
  const track = (p: StartedProcess): void => {
    state.processes.push(p);
    saveState(state);
  };
  try {
    progress('starting etcd');
    const etcd = startEtcd(opts.runDir, etcdPort, peerPort);
    track(etcd);
    await waitForEtcd(etcdPort, etcd);
    progress('starting kube-apiserver');
    const full = opts.tier === 'full';
    const apiserver = startApiserver(ctx, { port: apiPort, etcdPort, withServiceAccountAdmission: full });
    track(apiserver);
    await waitForApiserver(server, pki, apiserver);
    if (full) {
      progress('starting kube-controller-manager, kube-scheduler and kwok');
      track(startControllerManager(ctx, kcmPort));
      track(startScheduler(ctx, schedPort));
      track(startKwok(ctx));
      progress('registering a fake node');
      await registerFakeNode(kubeconfig);
    }
    progress(`ready: ${server}`);
    return state;
  } catch (error) {
    await stopProcesses(state.processes);
    throw withLogs(error, state);
  }
}

function withLogs(error: unknown, state: ClusterState): Error {
  const message = error instanceof Error ? error.message : String(error);
  const logs = state.processes.map((p) => `--- ${p.name} (${p.logFile}) ---\n${logTail(p.logFile, 15)}`).join('\n');
  return new Error(`local control plane failed to start: ${message}\n${logs}`);
}

/** Stops exactly the processes this cluster started (pids from its state file). */
export async function stopControlPlane(state: ClusterState): Promise<void> {
  await stopProcesses(state.processes);
}

/**
 * Stops kube-apiserver, and with `etcd` also etcd, as a control-plane upgrade does (SIGTERM, then SIGKILL after
 * 5 s); the other components keep running and reconnect. {@link startApiserverAgain} brings them back.
 */
export async function stopApiserver(state: ClusterState, opts: { etcd: boolean }): Promise<void> {
  const names = opts.etcd ? ['kube-apiserver', 'etcd'] : ['kube-apiserver'];
  await stopProcesses(state.processes.filter((p) => names.includes(p.name)));
}

/**
 * Starts etcd and kube-apiserver again where they are not running, on the same ports, certificates and etcd
 * data folder (so every object and resourceVersion survives), and waits until the apiserver is ready.
 */
export async function startApiserverAgain(state: ClusterState): Promise<void> {
  const ports = state.ports;
  if (ports === undefined) throw new Error('this cluster was started by an older version: its ports are unknown, so it cannot be restarted in place');
  const ctx = { runDir: state.runDir, pki: state.pki, kubeconfig: state.kubeconfig };
  const replace = (next: StartedProcess): StartedProcess => {
    state.processes = state.processes.map((p) => (p.name === next.name ? next : p));
    saveState(state);
    return next;
  };
  const running = (name: string): boolean => state.processes.some((p) => p.name === name && isAlive(p.pid));
  if (!running('etcd')) await waitForEtcd(ports.etcd, replace(startEtcd(state.runDir, ports.etcd, ports.etcdPeer)));
  if (!running('kube-apiserver')) {
    const apiserver = replace(startApiserver(ctx, { port: ports.apiserver, etcdPort: ports.etcd, withServiceAccountAdmission: state.tier === 'full' }));
    await waitForApiserver(state.server, state.pki, apiserver);
  }
}
