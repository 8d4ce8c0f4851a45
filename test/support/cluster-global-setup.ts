import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import {
  ensureToolchain, startControlPlane, stopControlPlane, type ClusterState, type ClusterTier,
} from '../../src/local-cluster/index.js';

declare module 'vitest' {
  export interface ProvidedContext {
    kubeconfig: string;
    clusterRunDir: string;
  }
}

/**
 * Builds a vitest globalSetup that brings one local cluster of `tier` up for the whole run, hands its
 * kubeconfig to the tests (see export-kubeconfig.ts) and tears it down at the end. The run folder, with
 * each component's log, is kept when the run fails.
 */
export function clusterGlobalSetup(tier: ClusterTier): (project: TestProject) => Promise<() => Promise<void>> {
  return async (project) => {
    await ensureToolchain();
    const runDir = mkdtempSync(join(tmpdir(), `songbird-${tier}-`));
    const started = Date.now();
    const state: ClusterState = await startControlPlane({
      runDir,
      tier,
      progress: (m) => console.error(`[${tier} cluster] ${m}`),
    });
    console.error(`[${tier} cluster] up in ${((Date.now() - started) / 1000).toFixed(1)} s, logs in ${runDir}/logs`);
    project.provide('kubeconfig', state.kubeconfig);
    project.provide('clusterRunDir', runDir);
    return async () => {
      await stopControlPlane(state);
      if (process.exitCode === undefined || process.exitCode === 0) rmSync(runDir, { recursive: true, force: true });
    };
  };
}
