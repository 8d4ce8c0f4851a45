import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { installCrds } from '../../src/install-crds.js';
import { packageRoot } from '../../src/local-cluster/index.js';
import { testKube, useTestNamespace } from '../support/kube.js';

const namespace = useTestNamespace('node-runtime');
const pinned = readFileSync(join(packageRoot(), '.node-version'), 'utf8').trim();

/**
 * Starts the operator as `npm start` does (a separate process found through `node` on PATH, not through this
 * test's own executable) and resolves with the fields of its `operator started` log line.
 */
function startOperatorProcess(stop: { kill?: () => void }): Promise<Record<string, unknown>> {
  const child = spawn('node', ['--import', 'tsx', join('src', 'main.ts'), '--port=0', `--namespace=${namespace()}`], {
    cwd: packageRoot(), env: process.env, stdio: ['ignore', 'ignore', 'pipe'],
  });
  stop.kill = () => child.kill('SIGTERM');
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stderr.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const started = buffered.split('\n').filter((l) => l.includes('"operator started"'))[0];
      if (started !== undefined) resolve(JSON.parse(started) as Record<string, unknown>);
    });
    child.on('exit', (code) => reject(new Error(`operator exited with ${String(code)} before starting:\n${buffered}`)));
  });
}

describe('the Node runtime of the processes the suite starts', () => {
  const stop: { kill?: () => void } = {};
  afterAll(() => stop.kill?.());

  it('runs an operator started through `node` on PATH on the pinned Node 24 and logs that version', async () => {
    await installCrds(testKube(), join(packageRoot(), 'crds'), (ms) => new Promise((r) => setTimeout(r, ms)));
    const started = await startOperatorProcess(stop);
    expect(started.node).toBe(pinned);
    expect(String(started.node).startsWith('24.')).toBe(true);
  });
});
