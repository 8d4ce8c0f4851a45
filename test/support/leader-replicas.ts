import { KubeConfig } from '@kubernetes/client-node';
import { HttpsKube } from '../../src/adapters/kube-https.js';
import { parseConfig } from '../../src/config.js';
import { Resources } from '../../src/kube/resources.js';
import type { LeaseTiming } from '../../src/leader-election.js';
import { startOperator, type RunningOperator } from '../../src/operator.js';
import type { Kube } from '../../src/ports/kube.js';
import type { Logger } from '../../src/ports/logger.js';
import { silentLogger } from '../../src/ports/logger.js';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';
import { testKube, testKubeConfig, waitFor } from './kube.js';

/**
 * Short timings for tests (Flagger's flags keep 60 s / 15 s / 5 s). The renew deadline leaves room for the
 * event-loop stalls of a loaded CI machine: a leader that cannot renew for 6 s rightly steps down.
 */
export const TEST_LEASE_TIMING: LeaseTiming = { leaseDurationMs: 8_000, renewDeadlineMs: 6_000, retryPeriodMs: 1_000 };

/** One write a replica sent towards the API server (after its leadership fence let it through). */
export interface SentWrite {
  at: number;
  what: string;
}

/** One operator replica with leader election, talking to the API server through its own {@link FaultProxy}. */
export interface Replica {
  name: string;
  identity: string;
  proxy: FaultProxy;
  /** Writes other than to the leader Lease, in the order sent. */
  writes: SentWrite[];
  /** When it reported leadership lost (wall clock), if it did. */
  lostAt?: number;
  /** Settles once the replica has stopped (after losing leadership, or on {@link stopReplica}). */
  stopped?: Promise<void>;
  operator: RunningOperator;
}

// Counts the writes that pass; the leadership fence sits above this port, so refused writes never get here.
function countingWrites(kube: Kube, writes: SentWrite[]): Kube {
  const sent = (what: string): void => { writes.push({ at: Date.now(), what }); };
  const name = (t: { kind: string }, target: { name: string }): string => `${t.kind} ${target.name}`;
  return {
    get: (type, namespace, n, opts) => kube.get(type, namespace, n, opts),
    list: (type, namespace, selector) => kube.list(type, namespace, selector),
    listPage: (type, request) => kube.listPage(type, request),
    watch: (type, opts, onEvent) => kube.watch(type, opts, onEvent),
    create: (type, object, opts) => { if (type.kind !== 'Lease') sent(`create ${name(type, object.metadata)}`); return kube.create(type, object, opts); },
    replace: (type, object, opts) => { if (type.kind !== 'Lease') sent(`replace ${name(type, object.metadata)}`); return kube.replace(type, object, opts); },
    patch: (type, target, body, opts) => { sent(`patch${opts?.subresource === 'status' ? ' status' : ''} ${name(type, target)}`); return kube.patch(type, target, body, opts); },
    delete: (type, target, opts) => { sent(`delete ${name(type, target)}`); return kube.delete(type, target, opts); },
  };
}

/** The Kube port over the test cluster, through `proxy`. */
export function kubeThrough(proxy: FaultProxy): Kube {
  const kc = testKubeConfig();
  const proxied = new KubeConfig();
  proxied.loadFromOptions({
    clusters: kc.clusters.map((c) => ({ ...c, server: proxy.url })), users: kc.users, contexts: kc.contexts, currentContext: kc.currentContext,
  });
  return new HttpsKube(proxied);
}

/**
 * Starts one replica watching `namespace` (its Lease lives there too, as `--namespace` makes it). On losing
 * leadership it stops, as the operator's main does before exiting.
 */
export async function startReplica(name: string, namespace: string, opts: { extraArgs?: string[]; logger?: Logger | undefined } = {}): Promise<Replica> {
  const proxy = await startFaultProxy(testKubeConfig().getCurrentCluster()?.server ?? '');
  const writes: SentWrite[] = [];
  const config = parseConfig(['--port=0', `--namespace=${namespace}`, '--enable-leader-election', ...(opts.extraArgs ?? [])], {});
  const replica = { name, proxy, writes } as Replica;
  replica.operator = await startOperator({
    config, kube: countingWrites(kubeThrough(proxy), writes), logger: opts.logger ?? silentLogger, leaseTiming: TEST_LEASE_TIMING,
    onFatal: () => {
      replica.lostAt = Date.now();
      replica.stopped = replica.operator.stop();
    },
  });
  replica.identity = replica.operator.leaderIdentity ?? '';
  return replica;
}

/** Stops a replica that is still running, and its proxy. */
export async function stopReplica(replica: Replica): Promise<void> {
  replica.stopped ??= replica.operator.stop();
  replica.proxy.heal();
  await replica.stopped;
  await replica.proxy.close();
}

/** The identity holding the Lease in `namespace` now. */
export async function leaseHolder(namespace: string): Promise<string | undefined> {
  return (await testKube().get(Resources.leases, namespace, 'flagger-leader-election'))?.spec?.holderIdentity;
}

/** Waits until one of `replicas` holds the Lease and returns [leader, the others]. */
export async function electedLeader(namespace: string, replicas: Replica[], timeoutMs = 30_000): Promise<[Replica, Replica[]]> {
  let leader: Replica | undefined;
  await waitFor('a leader', async () => {
    const holder = await leaseHolder(namespace);
    leader = replicas.find((r) => r.identity === holder);
    return leader !== undefined;
  }, timeoutMs);
  const found = leader as Replica;
  return [found, replicas.filter((r) => r !== found)];
}

/**
 * Waits until `replica` holds the Lease; returns when it acquired it (the Lease's acquireTime, written on the
 * replica's clock, which in these tests is this process's).
 */
export async function takeover(namespace: string, replica: Replica, timeoutMs = 30_000): Promise<number> {
  let acquired = Number.NaN;
  await waitFor(`${replica.name} to take the Lease over`, async () => {
    const lease = await testKube().get(Resources.leases, namespace, 'flagger-leader-election');
    acquired = Date.parse(String(lease?.spec?.acquireTime ?? ''));
    return lease?.spec?.holderIdentity === replica.identity;
  }, timeoutMs);
  return acquired;
}
