// The long form of test/e2e/status-patch-faults.test.ts: one short Istio release on a real control plane per
// Canary status patch the operator makes and per fault, the k-th status patch failing once (k = 1 … N, N counted
// in an uninterrupted run with the hook on), either with a 500 the API server never saw or after the server
// applied it (the answer lost, as to a timeout). The operator keeps running. Every run must end as the
// uninterrupted one, promote once, and never give the canary weight while its Deployment is not ready.
// BENCH_STATUS_FAULT_CONCURRENCY releases run at once (default 3), BENCH_STATUS_FAULT_MAX caps k (default: all).
import type { KillReleaseHarness, KillRun } from '../../support/kill-release.js';
import { inPool, median, releaseProblems, withReleaseControlPlane } from '../../support/release-sweep.js';

export const name = 'status-patch-faults';

const FAULTS = ['500', 'lost-answer'] as const;
const log = (m: string): void => console.error(`[status-patch-faults ${new Date().toISOString().slice(11, 19)}] ${m}`);

// A fault that was never reached proves nothing; a 500 must not lose the promotion's event (see releaseProblems).
function problems(run: KillRun, reference: KillRun, k: number): string[] {
  const reached = run.statusPatches >= k ? [] : [`only ${run.statusPatches} status patches, the fault was never injected`];
  return [...reached, ...releaseProblems(run, reference, run.failStatusPatch?.endsWith(':500') === true)];
}

async function sweep(harness: KillReleaseHarness, started: number): Promise<Record<string, unknown>> {
  // The hook on, at a patch never reached: counts the release's status patches without failing one.
  const reference = await harness.run({ failStatusPatch: '1000000:500' });
  const total = Math.min(reference.statusPatches, Number(process.env.BENCH_STATUS_FAULT_MAX ?? Infinity));
  log(`uninterrupted release: ${reference.statusPatches} status patches in ${reference.seconds.toFixed(1)} s; failing each of ${total}, both ways`);
  const faults = Array.from({ length: total }, (_, i) => FAULTS.map((fault) => ({ k: i + 1, setting: `${i + 1}:${fault}` }))).flat();
  const runs = await inPool(faults, Number(process.env.BENCH_STATUS_FAULT_CONCURRENCY ?? 3), async ({ k, setting }) => {
    const result = await harness.run({ failStatusPatch: setting }).catch((error: unknown) => ({ error: String(error) }));
    const found = 'error' in result ? [result.error] : problems(result, reference, k);
    log(`${setting}: ${'error' in result ? 'error' : `${result.statusPatches} status patches, ${result.seconds.toFixed(1)} s`}${found.length > 0 ? ` FAILED ${found.join('; ')}` : ''}`);
    return { setting, result, problems: found };
  });
  const failures = runs.filter((r) => r.problems.length > 0).map((r) => `${r.setting}: ${r.problems.join('; ')}`);
  const seconds = runs.flatMap((r) => ('seconds' in r.result ? [r.result.seconds] : []));
  const report = {
    statusPatchesPerRelease: reference.statusPatches, runs: runs.length, failures: failures.length, failureDetails: failures,
    releaseSeconds: { uninterrupted: reference.seconds, medianFaulted: median(seconds), maxFaulted: Math.max(...seconds) },
    medianFaultedToUninterrupted: median(seconds) / reference.seconds,
    sweepSeconds: (Date.now() - started) / 1000,
  };
  if (failures.length > 0) throw new Error(`${failures.length} of ${runs.length} status-patch faults broke an invariant: ${failures.join(' | ')}`);
  return report;
}

export async function run(): Promise<Record<string, unknown>> {
  const started = Date.now();
  return withReleaseControlPlane('songbird-status-fault-', log, (harness) => sweep(harness, started));
}
