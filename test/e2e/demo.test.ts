import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readClusterState, stopControlPlane } from '../../src/local-cluster/control-plane.js';

const root = join(import.meta.dirname, '..', '..');

/** Runs `npm run demo -- --quick` as a user would (from the sources), on a local cluster of its own. */
function runDemo(clusterDir: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src', 'dev', 'demo', 'main.ts'), '--quick', '--log-format', 'pretty'], {
      cwd: root, env: { ...process.env, SONGBIRD_CLUSTER_DIR: clusterDir, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('npm run demo --quick', () => {
  const clusterDir = mkdtempSync(join(tmpdir(), 'songbird-demo-'));

  afterAll(async () => {
    const state = readClusterState(clusterDir);
    if (state !== undefined) await stopControlPlane(state);
    rmSync(clusterDir, { recursive: true, force: true });
  });

  it('promotes the good release, rolls back the faulty ones, prints the summary, exits 0 and leaves nothing running beside the cluster', async () => {
    const started = Date.now();
    const { code, output } = await runDemo(clusterDir);
    const tail = output.split('\n').slice(-30).join('\n');
    expect(code, tail).toBe(0);
    expect(output).toMatch(/^good 6\.0\.1 +Succeeded +Succeeded +\d+s +60 .*6\.0\.1 canary [1-9]\d* \(0 err\).* ok$/m);
    expect(output).toMatch(/^errors 6\.0\.2 +Failed +Failed +\d+s +30 .*6\.0\.2 canary \d+ \([1-9]\d* err\).* ok$/m);
    expect(output).toMatch(/^latency 6\.0\.3 +Failed +Failed +\d+s +30 +\d+\.\d% +\d+ms .* ok$/m);
    expect(output).toContain('All 3 releases ended as expected.');
    // The live line was shown while the releases ran (stdout is a pipe here: one line per change).
    expect(output).toMatch(/^good 6\.0\.1 +Progressing +weight +30 +success/m);
    // Prometheus, the data plane and the load tester kept their files under a run folder removed at the end.
    expect(readdirSync(clusterDir).filter((f) => f.startsWith('dev-'))).toEqual([]);
    expect(existsSync(join(clusterDir, 'state.json'))).toBe(true);
    expect(Date.now() - started).toBeLessThan(300_000);
  }, 330_000);
});
