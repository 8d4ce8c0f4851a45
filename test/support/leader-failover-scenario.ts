import type { CanaryStatus } from '../../src/api/canary-status.js';
import { Resources } from '../../src/kube/resources.js';
import { isGone, type KubeObject } from '../../src/ports/kube.js';
import type { Logger } from '../../src/ports/logger.js';
import { CanaryResource } from '../../src/reconciler/cluster-caches.js';
import { aCanary, aDeployment } from '../fixtures/objects.js';
import { canaryProbe } from './e2e-canary.js';
import type { HoldableHook } from './holdable-hook.js';
import { testKube, waitFor } from './kube.js';
import { electedLeader, startReplica, takeover, type Replica, type SentWrite } from './leader-replicas.js';

const PHASE_ORDER = ['', 'Initializing', 'Initialized', 'Progressing', 'Promoting', 'Finalising', 'Succeeded'];
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Every status the Canary `name` goes through, from a watch (re-opened if it breaks), so no write is missed. */
export function recordStatusHistory(namespace: string, name: string): { history: CanaryStatus[]; stop(): void } {
  const history: CanaryStatus[] = [];
  let stopped = false;
  let stopWatch = (): void => undefined;
  const watchOnce = async (resourceVersion: string): Promise<string> => {
    let last = resourceVersion;
    const watch = testKube().watch<KubeObject & { status?: CanaryStatus }>(CanaryResource, { namespace, resourceVersion }, (event) => {
      last = event.object.metadata.resourceVersion ?? last;
      if (event.object.metadata.name === name && event.object.status !== undefined && event.type !== 'BOOKMARK') history.push(event.object.status);
    });
    stopWatch = () => watch.stop();
    await watch.done;
    return last;
  };
  void (async () => {
    let resourceVersion: string | undefined;
    while (!stopped) {
      try {
        // A CRD just installed answers 429 "storage is (re)initializing" for a moment: list and watch again.
        resourceVersion ??= (await testKube().list(CanaryResource, namespace)).resourceVersion;
        resourceVersion = await watchOnce(resourceVersion);
      } catch (error) {
        if (isGone(error)) resourceVersion = undefined;
        await sleep(200);
      }
    }
  })();
  return { history, stop: () => { stopped = true; stopWatch(); } };
}

/** Where a status went back: a phase earlier in the run than the one before it, or fewer iterations. */
export function regressions(history: CanaryStatus[]): string[] {
  return history.slice(1).map((after, i) => wentBack(history[i] ?? {}, after)).filter((r): r is string => r !== undefined);
}

function wentBack(before: CanaryStatus, after: CanaryStatus): string | undefined {
  const [from, to] = [PHASE_ORDER.indexOf(before.phase ?? ''), PHASE_ORDER.indexOf(after.phase ?? '')];
  if (to < from || to < 0) return `${before.phase} → ${after.phase}`;
  const progressing = before.phase === 'Progressing' && after.phase === 'Progressing';
  return progressing && (after.iterations ?? 0) < (before.iterations ?? 0) ? `iterations ${before.iterations} → ${after.iterations}` : undefined;
}

/** Leadership changed on its own (a leader that could not renew in time steps down) before the failover under test. */
export class LeadershipChangedEarly extends Error {
  constructor(namespace: string) {
    super(`${namespace}: leadership changed before the failover under test (no renewal within the renew deadline: an overloaded machine?)`);
    this.name = 'LeadershipChangedEarly';
  }
}

/** Two replicas, the one leading and the other; the follower sent no write before the failover. */
export interface ReplicaPair {
  leader: Replica;
  follower: Replica;
  /** Writes the leader had sent by the time the release was under way (the follower had sent none). */
  leaderWritesBefore: number;
}

/**
 * Starts two replicas on `namespace`, a Blue/Green canary (4 iterations of 10 s, with `hook` as its rollout
 * webhook), sets a new image and waits for the first iteration. Throws when the replica not holding the Lease
 * has written anything, or when leadership already changed (a replica whose event loop stalls past the renew
 * deadline rightly steps down, but then the failover under test cannot be told apart).
 */
export async function releaseUnderTwoReplicas(namespace: string, hook: HoldableHook, logger?: Logger): Promise<ReplicaPair> {
  const replicas = [await startReplica('a', namespace, { logger }), await startReplica('b', namespace, { logger })];
  await electedLeader(namespace, replicas);
  const kube = testKube();
  await kube.create(Resources.deployments, aDeployment({ namespace, replicas: 1 }));
  const canary = aCanary({ namespace });
  (canary.spec as Record<string, unknown>).analysis = {
    interval: '10s', threshold: 2, iterations: 4, webhooks: [{ name: 'gate', type: 'rollout', url: hook.url, timeout: '30s' }],
  };
  await kube.create(CanaryResource, canary);
  const probe = canaryProbe(namespace, 'podinfo');
  await waitFor('Initialized', async () => (await probe.phase()) === 'Initialized', 60_000);
  await probe.setImage('ghcr.io/stefanprodan/podinfo:6.0.1');
  await waitFor('the first iteration', async () => ((await probe.status())?.iterations ?? 0) >= 1, 30_000);
  const [leader, [follower]] = await electedLeader(namespace, replicas);
  if (follower === undefined) throw new Error('expected two replicas');
  if (follower.lostAt !== undefined) throw new LeadershipChangedEarly(namespace);
  if (follower.writes.length > 0) throw new Error(`the follower wrote while the other led: ${follower.writes.map((w) => w.what).join(', ')}`);
  return { leader, follower, leaderWritesBefore: leader.writes.length };
}

/** Ends the leader abruptly (its connections reset, its process gone); returns when and how fast the follower took over. */
export async function killLeader(namespace: string, pair: ReplicaPair, timeoutMs: number): Promise<{ killedAt: number; takenAt: number }> {
  const killedAt = Date.now();
  pair.leader.proxy.kill();
  // Nothing of a killed process keeps running: stop it (its Lease is not released, as the API server is gone for it).
  pair.leader.stopped ??= pair.leader.operator.stop();
  return { killedAt, takenAt: await takeover(namespace, pair.follower, timeoutMs) };
}

/**
 * Partitions the leader from the API server while one of its ticks waits on the rollout hook, waits for the
 * takeover, then heals the partition and lets the tick resume. Returns the old leader's writes sent after
 * the takeover (there must be none).
 */
export async function partitionLeaderMidTick(namespace: string, pair: ReplicaPair, hook: HoldableHook, timeoutMs: number):
  Promise<{ partitionedAt: number; takenAt: number; lostAt: number | undefined; lateWrites: () => SentWrite[] }> {
  hook.hold();
  await waitFor('a tick in flight on the rollout hook', () => Promise.resolve(hook.held() > 0), 15_000);
  const partitionedAt = Date.now();
  pair.leader.proxy.partition();
  const takenAt = await takeover(namespace, pair.follower, timeoutMs);
  const lostAt = pair.leader.lostAt;
  pair.leader.proxy.heal();
  hook.release();
  return { partitionedAt, takenAt, lostAt, lateWrites: () => pair.leader.writes.filter((w) => w.at >= takenAt) };
}
