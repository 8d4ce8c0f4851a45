import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/local-cluster/index.js';

// The npm scripts run everything through scripts/with-node.sh; this proves the suite itself ran on the
// pinned runtime rather than on whatever `node` the machine has (Node 20 reached its end of life).
describe('the runtime', () => {
  const pinned = readFileSync(join(packageRoot(), '.node-version'), 'utf8').trim();

  it('is pinned to a Node 24 LTS release', () => {
    expect(pinned).toMatch(/^24\.\d+\.\d+$/);
  });

  it('runs the test suite on the pinned Node 24 release', () => {
    expect(process.versions.node.startsWith('24.')).toBe(true);
    expect(process.versions.node).toBe(pinned);
  });

  it('accepts no Node older than 24 in package.json', () => {
    const manifest = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { engines: { node: string } };
    expect(manifest.engines.node).toBe('>=24');
  });
});
