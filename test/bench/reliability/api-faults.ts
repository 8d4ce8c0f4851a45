// Long form of test/e2e/api-faults.test.ts: each API server fault several times during a release, with a new
// revision made during every fault. Reports how long after the fault's end every watch cache had re-listed and
// the run for that revision started (p50/max per fault), and the backoff delays the operator's watch caches took (their spread shows the jitter).
// Throws when the operator exits, an unhandled rejection is counted, a recovery takes 30 s or more, or the
// delays show no jitter. BENCH_API_FAULT_ROUNDS (default 3) sets the repetitions.
import { startApiserverAgain, stopApiserver } from '../../../src/local-cluster/index.js';
import { newRevision, startApiFaultRig, startRelease, waitForRun, type ApiFaultRig } from '../../support/api-fault-rig.js';
import type { LoggedRetry, OperatorProcess } from '../../support/operator-process.js';

export const name = 'api-faults';

const RECOVERY_BUDGET_MS = 30_000;
// Healthy time between faults: a watch open this long (10 s in the cache, plus margin) resets the backoff, so
// each fault is measured from a steady state rather than on top of the previous one's escalated backoff.
const HEALTHY_GAP_MS = 15_000;
const CANARY = 'podinfo';
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Fault {
  name: string;
  via: 'direct' | 'proxy';
  /** Injects the fault, calls `during` while it lasts (the API server itself is reachable, except for a restart); resolves to when it ended. */
  inject(rig: ApiFaultRig, during: () => Promise<void>): Promise<number>;
}

const FAULTS: Fault[] = [
  {
    name: 'apiserver+etcd restart', via: 'direct',
    inject: async (rig, during) => {
      await stopApiserver(rig.cluster, { etcd: true });
      await sleep(5_000);
      await startApiserverAgain(rig.cluster);
      const back = Date.now();
      // The revision is made as the server comes back, while the operator's caches may still be backing off.
      await during();
      return back;
    },
  },
  { name: 'drop every watch', via: 'proxy', inject: async (rig, during) => { rig.proxy.dropWatches(); const at = Date.now(); await during(); return at; } },
  { name: '429 Retry-After 2 s for 10 s', via: 'proxy', inject: (rig, during) => concurrently(rig.proxy.failFor(429, 10_000, 2), during) },
  { name: '500 for 10 s', via: 'proxy', inject: (rig, during) => concurrently(rig.proxy.failFor(500, 10_000), during) },
  { name: 'connection refused for 10 s', via: 'proxy', inject: (rig, during) => concurrently(rig.proxy.refuseFor(10_000), during) },
];

// A long outage shows the cap: delays reach the 8–16 s band.
const LONG_OUTAGE: Fault = { name: 'connection refused for 45 s', via: 'proxy', inject: (rig, during) => concurrently(rig.proxy.refuseFor(45_000), during) };

async function concurrently(fault: Promise<void>, during: () => Promise<void>): Promise<number> {
  await during();
  await fault;
  return Date.now();
}

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};
const seconds = (ms: number): number => Math.round(ms) / 1000;

export async function run(): Promise<Record<string, unknown>> {
  const rounds = Number(process.env.BENCH_API_FAULT_ROUNDS ?? '3');
  const rig = await startApiFaultRig();
  try {
    const suffix = Math.random().toString(16).slice(2, 8);
    const namespaces = { direct: `bench-direct-${suffix}`, proxy: `bench-proxy-${suffix}` };
    const operators = { direct: await rig.operator(namespaces.direct, 'direct'), proxy: await rig.operator(namespaces.proxy, 'proxy') };
    await Promise.all([startRelease(rig.kube, namespaces.direct, CANARY), startRelease(rig.kube, namespaces.proxy, CANARY)]);
    const recoveries = new Map<string, number[]>();
    const resyncs = new Map<string, number[]>();
    let revision = 0;
    const schedule = [...Array.from({ length: rounds }, () => FAULTS).flat(), LONG_OUTAGE];
    for (const fault of schedule) {
      await sleep(HEALTHY_GAP_MS);
      const namespace = namespaces[fault.via];
      let hash = '';
      const began = Date.now();
      const ended = await fault.inject(rig, async () => { hash = await newRevision(rig.kube, namespace, CANARY, `ghcr.io/stefanprodan/podinfo:7.0.${++revision}`); });
      const recovered = await waitForRun(rig.kube, { namespace, name: CANARY }, hash, 60_000);
      const resynced = lastRelist(operators[fault.via], began) - ended;
      add(recoveries, fault.name, recovered - ended);
      add(resyncs, fault.name, resynced);
      await checkAlive(operators[fault.via], fault.name);
      console.error(`[api-faults] ${fault.name}: every cache re-listed ${seconds(resynced)} s and the run for the new revision started ${seconds(recovered - ended)} s after the fault ended`);
    }
    return report({ recoveries, resyncs }, operators);
  } finally {
    await rig.stop();
  }
}

const add = (figures: Map<string, number[]>, fault: string, ms: number): void => { figures.set(fault, [...(figures.get(fault) ?? []), ms]); };

// When the last of the operator's caches re-listed after `since` (its watches are all back by then).
function lastRelist(operator: OperatorProcess, since: number): number {
  return Math.max(...[...operator.relisted().values()].filter((at) => at >= since));
}

async function checkAlive(operator: OperatorProcess, fault: string): Promise<void> {
  const exit = operator.exited();
  if (exit !== undefined) throw new Error(`the operator ended during "${fault}" (${exit}):\n${operator.logTail()}`);
  const unhandled = await operator.metric('songbird_unhandled_rejections_total');
  if (unhandled !== 0) throw new Error(`songbird_unhandled_rejections_total is ${String(unhandled)} after "${fault}"`);
}

type Figures = { recoveries: Map<string, number[]>; resyncs: Map<string, number[]> };

function report(figures: Figures, operators: Record<'direct' | 'proxy', OperatorProcess>): Record<string, unknown> {
  const recovery: Record<string, unknown> = {};
  for (const [fault, times] of figures.recoveries) {
    const resync = figures.resyncs.get(fault) ?? [];
    recovery[fault] = {
      samples: times.length, runStartedP50Seconds: seconds(percentile(times, 50)), runStartedMaxSeconds: seconds(Math.max(...times)),
      cachesResyncedP50Seconds: seconds(percentile(resync, 50)), cachesResyncedMaxSeconds: seconds(Math.max(...resync)),
    };
    if (Math.max(...times, ...resync) >= RECOVERY_BUDGET_MS) throw new Error(`"${fault}": recovery took ${seconds(Math.max(...times, ...resync))} s (budget 30 s)`);
  }
  const retries = [...operators.direct.retries(), ...operators.proxy.retries()];
  return { recoveryAfterFaultEnd: recovery, backoff: backoffFigures(retries) };
}

// Delays per attempt number: with jitter, those of one attempt are spread over the upper half of the ceiling.
function backoffFigures(retries: readonly LoggedRetry[]): Record<string, unknown> {
  const byAttempt = new Map<number, number[]>();
  for (const r of retries) byAttempt.set(Math.min(r.attempt, 6), [...(byAttempt.get(Math.min(r.attempt, 6)) ?? []), r.retryInMs]);
  const perAttempt: Record<string, unknown> = {};
  for (const [attempt, delays] of [...byAttempt].sort((a, b) => a[0] - b[0])) {
    perAttempt[attempt === 6 ? '6+' : String(attempt)] = {
      count: delays.length, minMs: Math.min(...delays), p50Ms: percentile(delays, 50), maxMs: Math.max(...delays), distinct: new Set(delays).size,
    };
  }
  const all = retries.map((r) => r.retryInMs);
  const distinct = new Set(all).size;
  if (all.length < 10 || distinct < all.length / 4) throw new Error(`backoff shows no jitter: ${all.length} delays, ${distinct} distinct`);
  return { delays: all.length, distinctDelays: distinct, minMs: Math.min(...all), maxMs: Math.max(...all), perAttempt };
}
