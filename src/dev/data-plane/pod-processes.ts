import type { ChildProcess } from 'node:child_process';
import type { V1Pod } from '@kubernetes/client-node';
import { systemClock } from '../../adapters/system-clock.js';
import type { EndpointSlice, WithMeta } from '../../kube/resources.js';
import type { Kube, ResourceType } from '../../ports/kube.js';
import type { Logger } from '../../ports/logger.js';
import { ResourceCache } from '../../reconciler/resource-cache.js';
import { endpointsBySelector, endpointsBySlices } from './endpoint-choice.js';
import { SparePool, spawnApp } from './spare-pool.js';
import type { AppProcess } from './app-process-record.js';

export type { AppProcess } from './app-process-record.js';

export type Pod = WithMeta<V1Pod>;
export const podsType: ResourceType<Pod> = { group: '', version: 'v1', kind: 'Pod', plural: 'pods', namespaced: true, hasStatus: true };

/** How long the process of a deleted pod keeps serving (kube-proxy's fallback to terminating endpoints). */
const DRAIN_MS = 3_000;
/** Spare processes kept listening for the next pods (see spare-pool.ts). */
const SPARES = 3;

/**
 * Runs one app process per pod (not per version): a pod is the unit that crashes, restarts and is counted as
 * an endpoint in a cluster, so killing one process fails exactly the requests balanced onto that pod, and a
 * rollout that replaces pods replaces processes one by one, as a Deployment rollout does.
 *
 * A pod gets its process as soon as it is scheduled: a spare one already listening (spare-pool.ts), so it
 * answers by the time kwok reports the pod Ready, as a readiness probe would guarantee in a cluster. The
 * process is stopped (SIGTERM, after {@link DRAIN_MS}) when the pod terminates or disappears. A process that
 * dies while its pod runs is not restarted: its pod stays an endpoint and requests to it fail.
 */
export class PodProcesses {
  private readonly cache: ResourceCache<Pod>;
  private readonly processes = new Map<string, AppProcess & { child?: ChildProcess }>();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private readonly spares = new SparePool(SPARES);
  private stopped = false;

  constructor(kube: Kube, private readonly logger: Logger, namespace?: string) {
    this.cache = new ResourceCache({ kube, clock: systemClock, logger, type: podsType, ...(namespace === undefined ? {} : { namespace }) });
    this.cache.onChange((change) => this.apply(change.type === 'DELETED' ? undefined : change.object, change.object));
  }

  async start(): Promise<void> {
    this.spares.fill();
    await this.cache.start();
    for (const pod of this.cache.list()) this.apply(pod, pod);
  }

  /** Every process, for status and for tests that crash one on purpose. */
  list(): AppProcess[] {
    return [...this.processes.values()].map(({ child: _child, ...p }) => ({ ...p }));
  }

  /** Endpoints of a Service selecting `selector` in `namespace`, for a cluster without EndpointSlices. */
  endpoints(namespace: string, selector: Record<string, string> | undefined): AppProcess[] {
    return endpointsBySelector([...this.processes.values()], namespace, selector);
  }

  /** Endpoints of a Service as its EndpointSlices list them (see endpoint-choice.ts). */
  sliceEndpoints(namespace: string, slices: readonly EndpointSlice[], selector: Record<string, string> | undefined): AppProcess[] {
    return endpointsBySlices([...this.processes.values()], namespace, slices, selector);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.cache.stop();
    this.spares.stop();
    for (const t of this.timers) clearTimeout(t);
    const children = [...this.processes.values()].map((p) => p.child).filter((c): c is ChildProcess => c !== undefined && c.exitCode === null);
    await Promise.all(children.map((c) => stopChild(c, 2_000)));
    this.processes.clear();
  }

  private apply(pod: Pod | undefined, last: Pod): void {
    if (this.stopped) return;
    const uid = uidOf(last);
    const known = this.processes.get(uid);
    if (pod === undefined || !isRunning(pod)) {
      this.forget(uid, known);
      return;
    }
    if (known !== undefined) {
      known.ready = isReady(pod);
      known.labels = pod.metadata.labels ?? {};
    } else if ((pod.spec?.nodeName ?? '') !== '') {
      this.launch(uid, pod);
    }
  }

  private launch(uid: string, pod: Pod): void {
    const entry: AppProcess & { child?: ChildProcess } = describe(pod);
    const { namespace } = entry;
    const env: Record<string, string> = {};
    for (const e of pod.spec?.containers[0]?.env ?? []) if (e.value !== undefined) env[e.name] = e.value;
    Object.assign(env, { APP_VERSION: entry.version, APP_POD: `${namespace}/${entry.pod}` });
    const spare = this.spares.take();
    const child = spare?.child ?? spawnApp(env);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-2000); });
    child.on('message', (m: { port?: number; configured?: boolean }) => {
      // A fresh process reports its port once listening; a spare listens already and reports its new settings.
      if (spare === undefined && typeof m.port === 'number') entry.port = m.port;
      if (spare !== undefined && m.configured === true) entry.port = spare.port;
    });
    child.on('error', (error) => this.logger.warn('app process failed to start', { pod: entry.pod, error: String(error) }));
    child.on('exit', (code, signal) => {
      const expected = entry.state === 'draining' || this.stopped;
      entry.state = 'exited';
      if (!expected) this.logger.warn('app process exited while its pod is running', { namespace, pod: entry.pod, code, signal, stderr });
      if (expected) this.processes.delete(uid);
    });
    if (spare !== undefined) child.send({ configure: env });
    entry.pid = child.pid;
    entry.child = child;
    this.processes.set(uid, entry);
    this.logger.debug('app process started', { namespace, pod: entry.pod, workload: entry.workload, version: entry.version, pid: child.pid, spare: spare !== undefined });
  }

  /** The pod is gone: drain a running process; drop the record of a crashed one. */
  private forget(uid: string, known: (AppProcess & { child?: ChildProcess }) | undefined): void {
    if (known?.state === 'running') this.drain(uid, known);
    else if (known?.state === 'exited') this.processes.delete(uid);
  }

  private drain(uid: string, entry: AppProcess & { child?: ChildProcess }): void {
    entry.state = 'draining';
    entry.ready = false;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (entry.child !== undefined && entry.child.exitCode === null) void stopChild(entry.child, 5_000);
      else this.processes.delete(uid);
    }, DRAIN_MS);
    this.timers.add(timer);
  }
}

function uidOf(pod: Pod): string {
  return pod.metadata.uid ?? `${pod.metadata.namespace ?? ''}/${pod.metadata.name}`;
}

function describe(pod: Pod): AppProcess {
  return {
    namespace: pod.metadata.namespace ?? 'default', pod: pod.metadata.name, workload: workloadOf(pod),
    version: versionOf(pod.spec?.containers[0]?.image), labels: pod.metadata.labels ?? {},
    pid: undefined, port: undefined, state: 'running', ready: isReady(pod),
  };
}

function isRunning(pod: Pod): boolean {
  return pod.metadata.deletionTimestamp === undefined && pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed';
}

function isReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** `podinfo-primary-7d9f8c6b5-x2x4z` owned by ReplicaSet `podinfo-primary-7d9f8c6b5` → `podinfo-primary`. */
function workloadOf(pod: Pod): string {
  const rs = pod.metadata.ownerReferences?.find((o) => o.kind === 'ReplicaSet')?.name;
  const hash = pod.metadata.labels?.['pod-template-hash'];
  if (rs !== undefined && hash !== undefined && rs.endsWith(`-${hash}`)) return rs.slice(0, -hash.length - 1);
  return rs ?? pod.metadata.name;
}

/** `ghcr.io/stefanprodan/podinfo:6.0.1` → `6.0.1`; an image without a tag → `latest`. */
export function versionOf(image: string | undefined): string {
  if (image === undefined) return 'unknown';
  const withoutDigest = image.split('@')[0] ?? image;
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  return colon > lastSlash ? withoutDigest.slice(colon + 1) : 'latest';
}

function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve();
      return;
    }
    const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
