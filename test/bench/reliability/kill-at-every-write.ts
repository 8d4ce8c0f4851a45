// The long form of test/e2e/kill-at-write.test.ts: one short Istio release on a real control plane (kube-apiserver,
// etcd, controller-manager, scheduler, kwok) per API write the operator makes, the operator SIGKILLed right after
// write k and restarted (k = 1 … N, N counted in an uninterrupted run with the hook on). Every run must end as the
// uninterrupted one (phase, primary image, target replicas, routes, lastPromotedSpec), promote once, and never give
// the canary weight while its Deployment is not ready. BENCH_KILL_CONCURRENCY releases run at once (default 3),
// BENCH_KILL_MAX caps k (default: all writes).
import type { KillReleaseHarness } from '../../support/kill-release.js';
import { inPool, median, releaseProblems, withReleaseControlPlane } from '../../support/release-sweep.js';

export const name = 'kill-at-every-write';

const log = (m: string): void => console.error(`[kill-at-every-write ${new Date().toISOString().slice(11, 19)}] ${m}`);

async function sweep(harness: KillReleaseHarness, started: number): Promise<Record<string, unknown>> {
  // The hook on, at a write never reached: counts the release's writes without killing.
  const reference = await harness.run('1000000');
  const total = Math.min(reference.writes.length, Number(process.env.BENCH_KILL_MAX ?? Infinity));
  log(`uninterrupted release: ${reference.writes.length} writes in ${reference.seconds.toFixed(1)} s; killing at each of ${total}`);
  const ks = Array.from({ length: total }, (_, i) => String(i + 1));
  const runs = await inPool(ks, Number(process.env.BENCH_KILL_CONCURRENCY ?? 3), async (k) => {
    const result = await harness.run(k).catch((error: unknown) => ({ error: String(error), killAt: k }));
    const found = 'error' in result ? [result.error] : releaseProblems(result, reference);
    log(`k=${k}: ${'error' in result ? 'error' : `killed after "${result.killedAfter ?? '(not reached)'}", ${result.seconds.toFixed(1)} s`}${found.length > 0 ? ` FAILED ${found.join('; ')}` : ''}`);
    return { k, result, problems: found };
  });
  const failures = runs.filter((r) => r.problems.length > 0).map((r) => `k=${r.k}: ${r.problems.join('; ')}`);
  const seconds = runs.flatMap((r) => ('seconds' in r.result ? [r.result.seconds] : []));
  const report = {
    writesPerRelease: reference.writes.length, kills: total, failures: failures.length, failureDetails: failures,
    notReached: runs.filter((r) => 'writes' in r.result && r.result.killedAfter === undefined).length,
    releaseSeconds: { uninterrupted: reference.seconds, medianKilled: median(seconds), maxKilled: Math.max(...seconds) },
    medianKilledToUninterrupted: median(seconds) / reference.seconds,
    sweepSeconds: (Date.now() - started) / 1000,
    writes: reference.writes,
  };
  if (failures.length > 0) throw new Error(`${failures.length} of ${total} kills broke an invariant: ${failures.join(' | ')}`);
  return report;
}

export async function run(): Promise<Record<string, unknown>> {
  const started = Date.now();
  return withReleaseControlPlane('songbird-kill-', log, (harness) => sweep(harness, started));
}
