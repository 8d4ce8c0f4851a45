import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kstatusLibrary, kstatusOf } from '../support/kstatus.js';

// Canaries as the API server returned them during a release (see test/e2e/status-for-tools.test.ts), judged by
// sigs.k8s.io/cli-utils' kstatus itself (scripts/kstatus-compute), the rules Flux's health checks apply.
type Captured = Parameters<typeof kstatusOf>[0] & { status: NonNullable<Parameters<typeof kstatusOf>[0]['status']> };
const captured = (name: string): Captured =>
  JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'canary-status', `${name}.json`), 'utf8')) as Captured;

function variant(name: string, change: (c: Captured) => void): Captured {
  const canary = captured(name);
  change(canary);
  return canary;
}

const cases: [string, Captured, string][] = [
  ['initialized', captured('initialized'), 'Current'],
  ['progressing', captured('progressing'), 'InProgress'],
  ['succeeded', captured('succeeded'), 'Current'],
  ['failed', captured('failed'), 'Failed'],
  ['waiting', captured('waiting'), 'InProgress'],
  ['succeeded, generation not observed yet', variant('succeeded', (c) => { c.metadata.generation = 2; }), 'InProgress'],
  ['succeeded, being deleted', variant('succeeded', (c) => { c.metadata.deletionTimestamp = '2026-01-01T00:00:00Z'; }), 'Terminating'],
  ['at rest with Ready False (a problem, not a failed run)', variant('succeeded', (c) => {
    Object.assign(c.status.conditions?.find((x) => x.type === 'Ready') ?? {}, { status: 'False', reason: 'TargetNotFound', message: 'Deployment podinfo not found' });
  }), 'InProgress'],
  ['written by Flagger (Promoted only)', variant('failed', (c) => { c.status.conditions = c.status.conditions?.filter((x) => x.type === 'Promoted'); }), 'Current'],
];

describe('kstatus (sigs.k8s.io/cli-utils) on Canaries captured from a release', () => {
  it.each(cases)('reads the %s Canary as expected, and the test helper agrees with it', async (_name, canary, expected) => {
    const library = await kstatusLibrary(canary);
    expect(library.status).toBe(expected);
    expect(kstatusOf(canary)).toEqual(library);
  });

  it('names the failure the Stalled condition gives, for Flux to show', async () => {
    expect((await kstatusLibrary(captured('failed'))).message).toMatch(/failed checks threshold reached 1, last: rollout webhook smoke-test refused: HTTP 500/);
  });
});
