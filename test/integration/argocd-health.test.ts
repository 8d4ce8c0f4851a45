import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { argoHealth } from '../support/argocd-health.js';
import { kstatusOf } from '../support/kstatus.js';

// Canaries as the API server returned them during a release (test/e2e/status-for-tools.test.ts writes them
// when SONGBIRD_WRITE_STATUS_FIXTURES=1).
interface Captured {
  metadata: { generation?: number };
  spec: Record<string, unknown>;
  status: Record<string, unknown> & { observedGeneration?: number; conditions: { type: string; status: string; reason?: string; message?: string }[] };
}
const captured = (name: string): Captured =>
  JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'canary-status', `${name}.json`), 'utf8')) as Captured;

describe('the Argo CD health check (deploy/argocd/health.lua) on Lua 5.1, with Canaries captured from a release', () => {
  it.each([
    ['initialized', 'Healthy', /^Initialized: initialization finished \(revision \w+\)$/],
    ['progressing', 'Progressing', /^Progressing: analysing revision \w+: canary weight 0, failed checks 0\/1$/],
    ['succeeded', 'Healthy', /^Succeeded: promotion finished \(revision \w+\)$/],
    ['failed', 'Degraded', /^WebhookRefused: Rolling back podinfo\.\S+ failed checks threshold reached 1, last: rollout webhook smoke-test refused: HTTP 500: smoke tests failed$/],
    ['waiting', 'Suspended', /^Waiting: revision \w+ waits for the confirm-rollout approval$/],
  ])('reads the %s Canary as %s, saying why', async (name, status, message) => {
    const health = await argoHealth(captured(name));
    expect(health.status).toBe(status);
    expect(health.message).toMatch(message);
  });

  it('is Progressing while the operator has not observed the latest generation, whatever the conditions say', async () => {
    const canary = captured('succeeded');
    canary.metadata.generation = 2;
    expect(await argoHealth(canary)).toEqual({ status: 'Progressing', message: 'Waiting for the operator to observe generation 2 (observed 1)' });
  });

  it('is Suspended while spec.suspend holds the Canary, or a person paused it', async () => {
    const suspended = captured('progressing');
    suspended.spec.suspend = true;
    expect(await argoHealth(suspended)).toEqual({ status: 'Suspended', message: 'Canary is suspended (spec.suspend)' });
    const paused = captured('progressing');
    paused.status.paused = { reason: 'investigating latency' };
    expect(await argoHealth(paused)).toEqual({ status: 'Suspended', message: 'Canary is paused: investigating latency' });
  });

  it('is Suspended while a closed gate holds the weight during a run', async () => {
    const held = captured('progressing');
    const ready = held.status.conditions.find((c) => c.type === 'Ready');
    Object.assign(ready ?? {}, { status: 'False', reason: 'WaitingForApproval', message: 'Halt advancement waiting for traffic increase approval more' });
    expect((await argoHealth(held)).status).toBe('Suspended');
  });

  it('is Degraded at rest when Ready is False, and keeps text with quotes and non-ASCII letters intact', async () => {
    const canary = captured('succeeded');
    const ready = canary.status.conditions.find((c) => c.type === 'Ready');
    Object.assign(ready ?? {}, { status: 'False', reason: 'TargetNotFound', message: 'Deployment "podinfo" not found — übersehen' });
    expect(await argoHealth(canary)).toEqual({ status: 'Degraded', message: 'TargetNotFound: Deployment "podinfo" not found — übersehen' });
  });

  it('judges a Canary that only Flagger wrote by its phase, as Argo CD\'s built-in check does', async () => {
    const canary = captured('progressing');
    canary.status.conditions = canary.status.conditions.filter((c) => c.type === 'Promoted');
    canary.status.canaryWeight = 20;
    expect(await argoHealth(canary)).toEqual({ status: 'Progressing', message: 'Canary is Progressing (canary weight 20%)' });
    canary.status.phase = 'Failed';
    expect((await argoHealth(canary)).status).toBe('Degraded');
    delete (canary as { status?: unknown }).status;
    expect(await argoHealth(canary)).toEqual({ status: 'Progressing', message: 'Waiting for the operator to report a status' });
  });
});

describe('the kstatus rules Flux health checks apply, on the same Canaries', () => {
  it.each([
    ['initialized', 'Current'], ['progressing', 'InProgress'], ['succeeded', 'Current'], ['failed', 'Failed'], ['waiting', 'InProgress'],
  ])('read the %s Canary as %s', (name, status) => {
    expect(kstatusOf(captured(name)).status).toBe(status);
  });

  it('read a Canary whose generation is not observed yet as InProgress', () => {
    const canary = captured('succeeded');
    canary.metadata.generation = 2;
    expect(kstatusOf(canary)).toEqual({ status: 'InProgress', message: 'Canary generation is 2, but latest observed generation is 1' });
  });
});
