// Leader failover, long form: rounds of two operator replicas with leader election (lease 8 s, renew deadline
// 6 s, retry 1 s) on a real control plane, each with a Blue/Green release in flight. In every round one pair's
// leader is killed and another pair's leader is partitioned from the API server while a tick waits on a
// webhook. Reports takeover times against the lease duration, and fails when a follower wrote while the other
// led, the old leader wrote after the takeover, a status went back, or a release did not finish.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installCrds } from '../../../src/install-crds.js';
import { Resources } from '../../../src/kube/resources.js';
import { ensureToolchain, packageRoot, startControlPlane, stopControlPlane } from '../../../src/local-cluster/index.js';
import { canaryProbe } from '../../support/e2e-canary.js';
import { startHoldableHook } from '../../support/holdable-hook.js';
import { testKube, waitFor } from '../../support/kube.js';
import {
  killLeader, LeadershipChangedEarly, partitionLeaderMidTick, recordStatusHistory, regressions, releaseUnderTwoReplicas, type ReplicaPair,
} from '../../support/leader-failover-scenario.js';
import { stopReplica, TEST_LEASE_TIMING } from '../../support/leader-replicas.js';

export const name = 'leader-failover';

const ROUNDS = Number(process.env.BENCH_LEADER_ROUNDS ?? 3);
const { leaseDurationMs, retryPeriodMs } = TEST_LEASE_TIMING;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const log = (m: string): void => console.error(`[bench:leader-failover ${new Date().toISOString().slice(11, 19)}] ${m}`);

interface Round { takeoverMs: number; lossToTakeoverMs?: number; releaseSeconds: number }

function check(ok: boolean, message: string): void {
  if (!ok) throw new Error(message);
}

// A leader that could not renew in time on a loaded machine steps down on its own: that round is run again.
async function oneRound(kind: 'kill' | 'partition', round: number, early: { count: number }): Promise<Round> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await attemptRound(kind, `leader-${kind}-${round}-${attempt}`);
    } catch (error) {
      if (!(error instanceof LeadershipChangedEarly) || attempt >= 2) throw error;
      early.count += 1;
      log(String(error));
    }
  }
}

async function attemptRound(kind: 'kill' | 'partition', namespace: string): Promise<Round> {
  await testKube().create(Resources.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  const hook = await startHoldableHook();
  const history = recordStatusHistory(namespace, 'podinfo');
  let pair: ReplicaPair | undefined;
  try {
    const started = Date.now();
    pair = await releaseUnderTwoReplicas(namespace, hook);
    const outcome = kind === 'kill'
      ? { ...(await killLeader(namespace, pair, 3 * leaseDurationMs)), lostAt: undefined, lateWrites: () => [] }
      : await partitionLeaderMidTick(namespace, pair, hook, 3 * leaseDurationMs);
    const from = 'killedAt' in outcome ? outcome.killedAt : outcome.partitionedAt;
    await waitFor(`${namespace} Succeeded`, async () => (await canaryProbe(namespace, 'podinfo').phase()) === 'Succeeded', 120_000);
    await pair.leader.stopped;
    const takeoverMs = outcome.takenAt - from;
    check(takeoverMs <= leaseDurationMs + 2 * retryPeriodMs + 500, `${namespace}: takeover after ${takeoverMs} ms`);
    check(outcome.lateWrites().length === 0, `${namespace}: the old leader wrote after the takeover: ${outcome.lateWrites().map((w) => w.what).join(', ')}`);
    check(outcome.lostAt === undefined || outcome.lostAt < outcome.takenAt, `${namespace}: the old leader still led when the other took over`);
    check(regressions(history.history).length === 0, `${namespace}: status went back: ${regressions(history.history).join(', ')}`);
    log(`${namespace}: takeover after ${takeoverMs} ms, release done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    return {
      takeoverMs, releaseSeconds: (Date.now() - started) / 1000,
      ...(outcome.lostAt === undefined ? {} : { lossToTakeoverMs: outcome.takenAt - outcome.lostAt }),
    };
  } finally {
    history.stop();
    if (pair !== undefined) await Promise.all([stopReplica(pair.leader), stopReplica(pair.follower)]);
    await hook.close();
    await testKube().delete(Resources.namespaces, { name: namespace }).catch(() => undefined);
  }
}

function summary(rounds: Round[]): Record<string, unknown> {
  const sorted = rounds.map((r) => r.takeoverMs).sort((a, b) => a - b);
  const p50 = sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN;
  const max = sorted[sorted.length - 1] ?? Number.NaN;
  const margins = rounds.flatMap((r) => (r.lossToTakeoverMs === undefined ? [] : [r.lossToTakeoverMs]));
  return {
    rounds: rounds.length, takeoverMs: { p50, max, samples: sorted },
    ratioToLease: { p50: p50 / leaseDurationMs, max: max / leaseDurationMs },
    ...(margins.length === 0 ? {} : { oldLeaderLostBeforeTakeoverMs: { min: Math.min(...margins) } }),
    releaseSecondsMax: Math.max(...rounds.map((r) => r.releaseSeconds)),
  };
}

export async function run(): Promise<Record<string, unknown>> {
  await ensureToolchain();
  const runDir = mkdtempSync(join(tmpdir(), 'songbird-leader-bench-'));
  const cluster = await startControlPlane({ runDir, tier: 'full', progress: (m) => log(`cluster: ${m}`) });
  const previous = process.env.KUBECONFIG;
  process.env.KUBECONFIG = cluster.kubeconfig;
  try {
    await installCrds(testKube(), join(packageRoot(), 'crds'), sleep);
    const kills: Round[] = [];
    const partitions: Round[] = [];
    const early = { count: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      const [kill, partition] = await Promise.all([oneRound('kill', round, early), oneRound('partition', round, early)]);
      kills.push(kill);
      partitions.push(partition);
    }
    return { timing: TEST_LEASE_TIMING, kill: summary(kills), partition: summary(partitions), leadershipChangedEarlyRetries: early.count };
  } finally {
    if (previous === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = previous;
    await stopControlPlane(cluster);
    rmSync(runDir, { recursive: true, force: true });
  }
}
