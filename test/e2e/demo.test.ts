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

/** The summary table's rows as header → cell (columns are separated by two or more spaces). */
function summaryRows(output: string): Record<string, string>[] {
  const lines = output.split('\n');
  const at = lines.findIndex((l) => l.startsWith('release  '));
  if (at < 0) return [];
  const split = (line: string): string[] => line.split(/ {2,}/);
  const header = [...split(lines[at] ?? ''), ''];
  return lines.slice(at + 2).filter((l) => / {2}(ok|UNEXPECTED)$/.test(l)).map((line) => Object.fromEntries(split(line).map((cell, i) => [header[i] ?? String(i), cell])));
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
    const rows = summaryRows(output);
    expect(rows.map((r) => [r.release, r.expected, r.ended, r['max weight'], r['']])).toEqual([
      ['good 6.0.1', 'Succeeded', 'Succeeded', '60', 'ok'],
      ['errors 6.0.2', 'Failed', 'Failed', '30', 'ok'],
      ['latency 6.0.3', 'Failed', 'Failed', '30', 'ok'],
    ]);
    // The good release was measured healthy and answered by the canary; the faulty ones as faulty.
    expect(Number.parseFloat(rows[0]?.['min success'] ?? '')).toBeGreaterThanOrEqual(99);
    expect(rows[0]?.['requests per version']).toMatch(/6\.0\.1 canary [1-9]\d* \(0 err\)/);
    expect(Number.parseFloat(rows[1]?.['min success'] ?? '')).toBeLessThan(99);
    expect(rows[1]?.['requests per version']).toMatch(/6\.0\.2 canary \d+ \([1-9]\d* err\)/);
    expect(Number.parseFloat(rows[2]?.['max p99'] ?? '')).toBeGreaterThan(500);
    // Zero downtime for the users of podinfo: no request on the apex Service failed during any release.
    expect(rows.map((r) => r['failed user requests'])).toEqual(['0', '0', '0']);
    expect(output).toContain('All 3 releases ended as expected.');
    // The live line was shown while the releases ran (stdout is a pipe here: one line per change).
    expect(output).toMatch(/^good 6\.0\.1 +Progressing +weight +30 +success/m);
    // Prometheus, the data plane and the load tester kept their files under a run folder removed at the end.
    expect(readdirSync(clusterDir).filter((f) => f.startsWith('dev-'))).toEqual([]);
    expect(existsSync(join(clusterDir, 'state.json'))).toBe(true);
    expect(Date.now() - started).toBeLessThan(300_000);
  }, 330_000);
});
