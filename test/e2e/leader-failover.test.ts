import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pinoLogger } from '../../src/adapters/pino-logger.js';
import { installCrds } from '../../src/install-crds.js';
import { canaryProbe } from '../support/e2e-canary.js';
import { startHoldableHook, type HoldableHook } from '../support/holdable-hook.js';
import { testKube, useTestNamespace, waitFor } from '../support/kube.js';
import {
  killLeader, partitionLeaderMidTick, recordStatusHistory, regressions, releaseUnderTwoReplicas, type ReplicaPair,
} from '../support/leader-failover-scenario.js';
import { stopReplica, TEST_LEASE_TIMING } from '../support/leader-replicas.js';

// Lease 8 s, renew deadline 6 s, retry 1 s (Flagger's flags keep 60 s / 15 s / 5 s).
const { leaseDurationMs, retryPeriodMs } = TEST_LEASE_TIMING;
const logger = pinoLogger({ level: (process.env.LEADER_LOG as 'info' | undefined) ?? 'fatal', format: 'console' });
const NEW_IMAGE = 'ghcr.io/stefanprodan/podinfo:6.0.1';

describe('two operator replicas with leader election on a real API server', () => {
  const killNamespace = useTestNamespace('lead-kill');
  const partitionNamespace = useTestNamespace('lead-part');
  const hooks: HoldableHook[] = [];
  const pairs: ReplicaPair[] = [];

  beforeAll(async () => {
    await installCrds(testKube(), join(import.meta.dirname, '..', '..', 'crds'), (ms) => new Promise((r) => setTimeout(r, ms)));
  });

  afterAll(async () => {
    await Promise.all(pairs.flatMap((p) => [stopReplica(p.leader), stopReplica(p.follower)]));
    await Promise.all(hooks.map((h) => h.close()));
  });

  async function startRelease(namespace: string): Promise<{ pair: ReplicaPair; hook: HoldableHook; history: ReturnType<typeof recordStatusHistory> }> {
    const hook = await startHoldableHook();
    hooks.push(hook);
    const history = recordStatusHistory(namespace, 'podinfo');
    const pair = await releaseUnderTwoReplicas(namespace, hook, logger);
    pairs.push(pair);
    // Exactly one acts: the leader has written, the follower nothing (checked again by the scenario).
    expect(pair.leaderWritesBefore).toBeGreaterThan(0);
    expect(pair.follower.writes).toEqual([]);
    return { pair, hook, history };
  }

  it.concurrent('when the leader dies mid-release, the other takes over within the lease and finishes the release', async () => {
    const namespace = killNamespace();
    const { pair, history } = await startRelease(namespace);

    const { killedAt, takenAt } = await killLeader(namespace, pair, 3 * leaseDurationMs);
    // Its last renewal was at most one retry period before the kill; the follower waits one lease after seeing it.
    expect(takenAt - killedAt).toBeGreaterThanOrEqual(leaseDurationMs - retryPeriodMs - 500);
    expect(takenAt - killedAt).toBeLessThanOrEqual(leaseDurationMs + 2 * retryPeriodMs + 500);

    await waitFor('Succeeded', async () => (await canaryProbe(namespace, 'podinfo').phase()) === 'Succeeded', 90_000);
    history.stop();
    expect(await canaryProbe(namespace, 'podinfo').primaryImage()).toBe(NEW_IMAGE);
    expect(pair.follower.writes.length).toBeGreaterThan(0);
    expect(regressions(history.history)).toEqual([]);
  }, 150_000);

  it.concurrent('when the leader is cut off mid-tick, the other takes over and the old one writes nothing after losing the lease', async () => {
    const namespace = partitionNamespace();
    const { pair, hook, history } = await startRelease(namespace);

    // The leader's tick waits on the rollout hook when the partition starts; it resumes once the partition heals.
    const { partitionedAt, takenAt, lostAt, lateWrites } = await partitionLeaderMidTick(namespace, pair, hook, 3 * leaseDurationMs);
    expect(takenAt - partitionedAt).toBeLessThanOrEqual(leaseDurationMs + 2 * retryPeriodMs + 500);
    expect(lostAt).toBeLessThan(takenAt);

    await waitFor('Succeeded', async () => (await canaryProbe(namespace, 'podinfo').phase()) === 'Succeeded', 90_000);
    await pair.leader.stopped;
    history.stop();
    expect(lateWrites()).toEqual([]);
    expect(await canaryProbe(namespace, 'podinfo').primaryImage()).toBe(NEW_IMAGE);
    expect(regressions(history.history)).toEqual([]);
    expect(history.history.map((s) => s.phase)).toContain('Promoting');
  }, 150_000);
});
