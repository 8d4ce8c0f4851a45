import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION_ANNOTATION, type LastAction } from '../../src/api/manual-action.js';
import type { CanaryStatus } from '../../src/api/canary-status.js';
import { parseConfig } from '../../src/config.js';
import { installCrds as installOurCrds } from '../../src/install-crds.js';
import { Resources } from '../../src/kube/resources.js';
import { pinoLogger } from '../../src/adapters/pino-logger.js';
import type { KubeObject } from '../../src/ports/kube.js';
import { CanaryResource } from '../../src/reconciler/cluster-caches.js';
import { startOperator, type RunningOperator } from '../../src/operator.js';
import { aCanary, aDeployment } from '../fixtures/objects.js';
import { installCrds, testKube, testKubeConfig, useTestNamespace, waitFor } from '../support/kube.js';
import { keepDeploymentsReady } from '../support/ready-deployments.js';

const root = join(import.meta.dirname, '..', '..');
const namespace = useTestNamespace('manual');
const kube = testKube();
interface VirtualService extends KubeObject { spec?: { http?: { route?: { destination: { host: string }; weight?: number }[] }[] } }

/** Runs `kubectl songbird <args>` (the plugin's source through tsx) against the test cluster. */
function plugin(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src', 'cli', 'kubectl-songbird.ts'), ...args, '-n', namespace(), '--timeout=40s'], {
    cwd: root, env: process.env, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/** The Canary as its user keeps it in Git: Istio, 2 s intervals, steps of 10 up to 50, no checks. */
function userCanary(name: string): KubeObject & { spec: Record<string, unknown> } {
  const canary = aCanary({ name, target: name, namespace: namespace(), provider: 'istio' }) as KubeObject & { spec: Record<string, unknown> };
  canary.spec.analysis = { interval: '2s', threshold: 2, stepWeight: 10, maxWeight: 50 };
  return canary;
}

async function status(name: string): Promise<CanaryStatus> {
  return ((await kube.get(CanaryResource, namespace(), name))?.status ?? {});
}

async function canaryWeight(name: string): Promise<number | undefined> {
  const vs = await kube.get<VirtualService>(Resources.virtualServices, namespace(), name);
  return vs?.spec?.http?.[0]?.route?.find((r) => r.destination.host === `${name}-canary`)?.weight;
}

async function waitPhase(name: string, phase: string, timeoutMs = 40_000): Promise<void> {
  await waitFor(`${name} in phase ${phase}`, async () => (await status(name)).phase === phase, timeoutMs);
}

/** A Deployment and its Canary, initialized, then given a new image: the release is Progressing. */
async function release(name: string): Promise<void> {
  await kube.create(Resources.deployments, aDeployment({ name, namespace: namespace() }));
  await kube.create(CanaryResource, userCanary(name));
  await waitPhase(name, 'Initialized');
  await kube.patch(Resources.deployments, { namespace: namespace(), name }, { spec: { template: { spec: { containers: [{ name: 'podinfod', image: 'ghcr.io/stefanprodan/podinfo:6.0.1' }] } } } });
  await waitPhase(name, 'Progressing');
}

describe('kubectl songbird action verbs against a running operator', () => {
  let operator: RunningOperator;
  let stopKeeper: () => Promise<void>;

  const start = (): Promise<RunningOperator> => startOperator({
    config: parseConfig(['--port=0', '--mesh-provider=istio', `--namespace=${namespace()}`], {}), kube,
    logger: pinoLogger({ level: 'error', format: 'console' }), onFatal: (reason) => { throw new Error(reason); },
  });

  beforeAll(async () => {
    await installCrds(join(root, 'test', 'fixtures', 'thirdparty-crds', 'istio-networking.yaml'));
    await installOurCrds(kube, join(root, 'crds'), (ms) => new Promise((r) => setTimeout(r, ms)));
    stopKeeper = keepDeploymentsReady(kube, namespace());
    operator = await start();
  });

  afterAll(async () => {
    await operator.stop();
    await stopKeeper();
  });

  it('pause and set-weight hold the weight, a Flux server-side apply of the manifest undoes neither, resume and promote --full finish', async () => {
    await release('hold');
    await waitFor('a first weight step', async () => ((await canaryWeight('hold')) ?? 0) >= 10);
    const paused = await plugin('pause', 'hold');
    expect(paused).toMatchObject({ code: 0, stdout: expect.stringMatching(/^canary\/hold pause accepted: the run holds at weight \d+ until resumed \(request [0-9a-f-]{36}\)\n$/) as string });
    const set = await plugin('set-weight', 'hold', '30');
    expect(set.code).toBe(0);
    expect(await canaryWeight('hold')).toBe(30);
    const before = await status('hold');
    expect(before.paused?.weight).toBe(30);

    // Flux's kustomize-controller applies the manifest from Git, which has no action annotation, forcing conflicts.
    const objects = KubernetesObjectApi.makeApiClient(testKubeConfig());
    await objects.patch(userCanary('hold') as KubernetesObject, undefined, undefined, 'kustomize-controller', true, PatchStrategy.ServerSideApply);
    await new Promise((r) => setTimeout(r, 6_000));
    const after = await kube.get(CanaryResource, namespace(), 'hold');
    expect(JSON.parse(after?.metadata.annotations?.[ACTION_ANNOTATION] ?? '{}')).toMatchObject({ verb: 'set-weight', weight: 30 });
    expect((after?.status as CanaryStatus).lastAction).toEqual(before.lastAction);
    expect(await canaryWeight('hold')).toBe(30);

    const resumed = await plugin('resume', 'hold', '-o', 'json');
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout) as LastAction).toMatchObject({ verb: 'resume', outcome: 'Accepted' });
    await waitFor('a step past 30 after resume', async () => ((await canaryWeight('hold')) ?? 0) > 30);
    expect((await plugin('promote', 'hold', '--full')).code).toBe(0);
    await waitPhase('hold', 'Succeeded');
    expect(await canaryWeight('hold')).toBe(0);
  }, 150_000);

  it('abort rolls back with its reason, retry runs the revision again, promote ends it, and a promote of a finished run is refused', async () => {
    await release('again');
    const aborted = await plugin('abort', 'again', '--reason', 'errors in the logs');
    expect(aborted.code).toBe(0);
    await waitPhase('again', 'Failed');
    const ready = (await status('again')).conditions?.find((c) => c.type === 'Ready');
    expect(ready).toMatchObject({ reason: 'Aborted', message: expect.stringContaining('errors in the logs') as string });
    expect(await canaryWeight('again')).toBe(0);

    const retried = await plugin('retry', 'again', '-o', 'yaml');
    expect(retried.code).toBe(0);
    expect(retried.stdout).toContain('outcome: Accepted');
    await waitFor('a first weight step of the retried run', async () => ((await canaryWeight('again')) ?? 0) >= 10);
    expect((await plugin('promote', 'again')).code).toBe(0);
    await waitPhase('again', 'Succeeded');

    const refused = await plugin('promote', 'again');
    expect(refused).toMatchObject({ code: 1, stdout: '' });
    expect(refused.stderr).toMatch(/^error: canary\/again promote refused: there is no run to promote: the canary is Succeeded \(request [0-9a-f-]{36}\)\n$/);
    const events = await kube.list(Resources.events, namespace());
    const reasons = events.items.filter((e) => e.involvedObject.name === 'again').map((e) => `${e.type ?? ''}/${e.reason ?? ''}`);
    expect(reasons.filter((r) => r.endsWith('/ActionAccepted'))).toEqual(['Normal/ActionAccepted', 'Normal/ActionAccepted', 'Normal/ActionAccepted']);
    expect(reasons.filter((r) => r.endsWith('/ActionRefused'))).toEqual(['Warning/ActionRefused']);
  }, 150_000);

  it('answers a request once, also across a restart of the operator', async () => {
    await release('restart');
    expect((await plugin('pause', 'restart')).code).toBe(0);
    const answered = await status('restart');
    await operator.stop();
    operator = await start();
    await new Promise((r) => setTimeout(r, 6_000));
    const after = await status('restart');
    expect(after.lastAction).toEqual(answered.lastAction);
    expect(after).toMatchObject({ phase: 'Progressing', canaryWeight: answered.canaryWeight, paused: answered.paused });
    const events = await kube.list(Resources.events, namespace());
    const reasons = events.items.filter((e) => e.involvedObject.name === 'restart' && e.reason?.startsWith('Action') === true).map((e) => e.reason);
    expect(reasons).toEqual(['ActionAccepted']);
  }, 150_000);
});
