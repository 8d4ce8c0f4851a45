import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isClusterHealthy, readClusterState, startControlPlane, stopControlPlane, type ClusterState } from './control-plane.js';
import { cacheDir } from './toolchain.js';

/** Folder of the embedded local cluster that `npm start` and `npm run cluster:up` share. */
export function localClusterDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.SONGBIRD_CLUSTER_DIR ?? join(cacheDir(env), 'clusters', 'local');
}

/** The folder holding package.json, found from this module whether it runs from `src/` or `dist/src/`. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json not found above the local-cluster module');
    dir = parent;
  }
  return dir;
}

/**
 * Runs the project's toolchain script (idempotent: it skips what is already built), streaming its progress
 * to stderr. The first run builds Kubernetes from Go modules and takes several minutes.
 */
export function ensureToolchain(): Promise<void> {
  const script = join(packageRoot(), 'scripts', 'install-toolchain.sh');
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${script} exited with ${code}`))));
  });
}

/**
 * Returns the running local cluster, or starts one (full tier: Deployments get Ready pods through kwok).
 * A stale state (processes gone) is cleared first.
 */
export async function ensureLocalCluster(progress: (message: string) => void): Promise<ClusterState> {
  const runDir = localClusterDir();
  const existing = readClusterState(runDir);
  if (existing !== undefined) {
    if (await isClusterHealthy(existing)) {
      progress(`reusing the local cluster at ${existing.server}`);
      return existing;
    }
    progress('the previous local cluster is not running any more; starting a new one');
    await stopControlPlane(existing);
  }
  rmSync(runDir, { recursive: true, force: true });
  return startControlPlane({ runDir, tier: 'full', progress });
}

/** Stops the local cluster started by {@link ensureLocalCluster} and removes its folder. */
export async function removeLocalCluster(): Promise<boolean> {
  const runDir = localClusterDir();
  const state = readClusterState(runDir);
  if (state !== undefined) await stopControlPlane(state);
  rmSync(runDir, { recursive: true, force: true });
  return state !== undefined;
}
