import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpsKube } from '../../src/adapters/kube-https.js';
import { installCrdFiles, installCrds } from '../../src/install-crds.js';
import { loadKubeConfig } from '../../src/kube/load-kubeconfig.js';
import { ensureToolchain, packageRoot, startControlPlane, stopControlPlane } from '../../src/local-cluster/index.js';
import type { Kube } from '../../src/ports/kube.js';
import { KillReleaseHarness, type KillRun } from './kill-release.js';

/**
 * What is wrong with one faulted release compared with the uninterrupted one; empty when nothing is: another end
 * state, other than one promotion, a doubled "Promotion completed" event, weight on an unready canary, or no
 * post-rollout call. `exactlyOneCompletedEvent`: whether the run must announce its promotion (a fault that loses
 * a tick's answer may lose that tick's events, which follow only a patch the operator saw succeed).
 */
export function releaseProblems(run: KillRun, reference: KillRun, exactlyOneCompletedEvent = false): string[] {
  const events = exactlyOneCompletedEvent ? run.completedEvents === 1 : run.completedEvents <= 1;
  return [
    JSON.stringify(run.end) === JSON.stringify(reference.end) ? '' : `end state ${JSON.stringify(run.end)}`,
    run.promotions === 1 ? '' : `${run.promotions} promotions`,
    events ? '' : `${run.completedEvents} "Promotion completed" events`,
    run.unreadyWeights.length === 0 ? '' : `weight on an unready canary: ${run.unreadyWeights.join('; ')}`,
    run.postRolloutCalls >= 1 ? '' : 'post-rollout webhook never called',
  ].filter((p) => p !== '');
}

/** The median of `values` (the lower of the two middle ones for an even count), NaN for none. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? NaN;
}

/** Maps `items` through `fn` with at most `size` calls in flight, keeping the order of the results. */
export async function inPool<T, R>(items: readonly T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
  return results;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A started release harness on `kube`, with the Istio CRDs the release routes through and Songbird's own. */
export async function startReleaseHarness(kube: Kube, kubeconfig: string): Promise<KillReleaseHarness> {
  await installCrdFiles(kube, [join(packageRoot(), 'test', 'fixtures', 'thirdparty-crds', 'istio-networking.yaml')], sleep);
  await installCrds(kube, join(packageRoot(), 'crds'), sleep);
  const harness = new KillReleaseHarness(kube, kubeconfig);
  await harness.start();
  return harness;
}

/**
 * Runs `sweep` with a release harness on a control plane of its own (the full tier), and tears both down
 * whatever happens: the bench modules' long sweeps.
 */
export async function withReleaseControlPlane<R>(runPrefix: string, log: (m: string) => void, sweep: (harness: KillReleaseHarness) => Promise<R>): Promise<R> {
  await ensureToolchain();
  const runDir = mkdtempSync(join(tmpdir(), runPrefix));
  const cluster = await startControlPlane({ runDir, tier: 'full', progress: (m) => log(`cluster: ${m}`) });
  try {
    const harness = await startReleaseHarness(new HttpsKube(loadKubeConfig({ kind: 'kubeconfig', path: cluster.kubeconfig })), cluster.kubeconfig);
    try {
      return await sweep(harness);
    } finally {
      await harness.stop();
    }
  } finally {
    await stopControlPlane(cluster);
    rmSync(runDir, { recursive: true, force: true });
  }
}
