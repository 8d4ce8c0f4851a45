import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Condition } from '../../src/api/common.js';
import { findCondition } from '../../src/api/conditions.js';
import { parseConfig } from '../../src/config.js';
import { installCrds } from '../../src/install-crds.js';
import { Resources } from '../../src/kube/resources.js';
import { binaryPath } from '../../src/local-cluster/toolchain.js';
import { silentLogger } from '../../src/ports/logger.js';
import type { KubeObject } from '../../src/ports/kube.js';
import { CanaryResource } from '../../src/reconciler/cluster-caches.js';
import { startOperator, type RunningOperator } from '../../src/operator.js';
import { aCanary, aDeployment } from '../fixtures/objects.js';
import { argoHealth } from '../support/argocd-health.js';
import { canaryProbe } from '../support/e2e-canary.js';
import { kstatusLibrary } from '../support/kstatus.js';
import { testKube, useTestNamespace, waitFor } from '../support/kube.js';
import { startRecordingServer, type RecordingServer } from '../support/recording-server.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'canary-status');

type CanaryObject = KubeObject & { spec?: unknown; status?: Record<string, unknown> & { conditions?: Condition[] } };

/** `kubectl wait` for a condition of the Canary, running in the background; `done` settles when it exits. */
function kubectlWait(namespace: string, condition: string, timeout: string): { done: Promise<{ code: number | null; output: string }>; running: () => boolean } {
  const child = spawn(binaryPath('kubectl'), ['-n', namespace, 'wait', 'canary/podinfo', `--for=condition=${condition}`, `--timeout=${timeout}`], { env: process.env });
  let output = '';
  let exited = false;
  child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  const done = new Promise<{ code: number | null; output: string }>((resolve) => child.on('exit', (code) => { exited = true; resolve({ code, output }); }));
  return { done, running: () => !exited };
}

describe('status that Argo CD, Flux and kubectl wait understand, on a real control plane', () => {
  const namespace = useTestNamespace('ks');
  const probe = (): ReturnType<typeof canaryProbe> => canaryProbe(namespace(), 'podinfo');
  const answers = new Map<string, number>([['/rollout', 200], ['/confirm', 200]]);
  let hooks: RecordingServer;
  let operator: RunningOperator;

  // The Canary as the API server holds it; also kept as a fixture for the unit test of the health script
  // when SONGBIRD_WRITE_STATUS_FIXTURES is set.
  async function capture(name: string): Promise<CanaryObject> {
    const object = await testKube().get<CanaryObject>(CanaryResource, namespace(), 'podinfo');
    if (object === undefined) throw new Error('no canary');
    if (process.env.SONGBIRD_WRITE_STATUS_FIXTURES === '1') {
      const { managedFields: _dropped, ...metadata } = object.metadata as KubeObject['metadata'] & { managedFields?: unknown };
      mkdirSync(fixtures, { recursive: true });
      writeFileSync(join(fixtures, `${name}.json`), `${JSON.stringify({ ...object, metadata }, null, 2)}\n`);
    }
    return object;
  }

  beforeAll(async () => {
    const kube = testKube();
    hooks = await startRecordingServer((request) => ({ status: answers.get(request.url) ?? 200, body: request.url === '/rollout' ? 'smoke tests failed' : 'closed' }));
    await installCrds(kube, join(import.meta.dirname, '..', '..', 'crds'), (ms) => new Promise((r) => setTimeout(r, ms)));
    const config = parseConfig(['--port=0', `--namespace=${namespace()}`], {});
    operator = await startOperator({ config, kube, logger: silentLogger, onFatal: (reason) => { throw new Error(reason); } });
    await kube.create(Resources.deployments, aDeployment({ namespace: namespace(), replicas: 1 }));
    const canary = aCanary({ namespace: namespace() });
    Object.assign(canary.spec as Record<string, unknown>, {
      analysis: {
        interval: '10s', threshold: 1, iterations: 1,
        webhooks: [{ name: 'approval', type: 'confirm-rollout', url: `${hooks.url}/confirm` }, { name: 'smoke-test', type: 'rollout', url: `${hooks.url}/rollout` }],
      },
    });
    await kube.create(CanaryResource, canary);
    await waitFor('Initialized', async () => (await probe().phase()) === 'Initialized', 90_000);
  });

  afterAll(async () => {
    await operator.stop();
    await hooks.close();
  });

  it('shows an initialized Canary as Ready, Current for kstatus and Healthy for Argo CD', async () => {
    const object = await capture('initialized');
    expect(findCondition(object.status?.conditions, 'Ready')).toMatchObject({ status: 'True', reason: 'Initialized' });
    expect((await kstatusLibrary(object)).status).toBe('Current');
    expect(await argoHealth(object)).toEqual({ status: 'Healthy', message: `Initialized: initialization finished (revision ${String(object.status?.lastPromotedSpec)})` });
  });

  it('blocks `kubectl wait --for=condition=Ready` while the new revision is analysed, and returns once it is promoted', async () => {
    await probe().setImage('ghcr.io/stefanprodan/podinfo:6.0.1');
    // The README's recipe: first wait until the revision is seen, then for the outcome.
    const seen = await kubectlWait(namespace(), 'Reconciling', '60s').done;
    expect([seen.code, (await probe().phase())]).toEqual([0, 'Progressing']);
    const analysing = await capture('progressing');
    const revision = String(analysing.status?.lastAppliedSpec);
    expect(await kstatusLibrary(analysing)).toEqual({ status: 'InProgress', message: expect.stringContaining(`analysing revision ${revision}`) });
    expect(await argoHealth(analysing)).toMatchObject({ status: 'Progressing', message: expect.stringContaining(`Progressing: analysing revision ${revision}`) });

    const wait = kubectlWait(namespace(), 'Ready', '150s');
    await waitFor('Promoting', async () => ['Promoting', 'Finalising'].includes((await probe().phase()) ?? ''), 60_000);
    expect(wait.running()).toBe(true);
    const { code, output } = await wait.done;
    expect([code, output.trim()]).toEqual([0, 'canary.flagger.app/podinfo condition met']);

    const promoted = await capture('succeeded');
    expect(promoted.status?.phase).toBe('Succeeded');
    expect(findCondition(promoted.status?.conditions, 'Ready')).toMatchObject({ status: 'True', reason: 'Succeeded', message: `promotion finished (revision ${revision})` });
    expect((await kstatusLibrary(promoted)).status).toBe('Current');
    expect((await argoHealth(promoted)).status).toBe('Healthy');
  }, 240_000);

  it('times `kubectl wait --for=condition=Ready` out when the run fails, while a wait for Stalled returns with the webhook that refused', async () => {
    answers.set('/rollout', 500);
    await probe().setImage('ghcr.io/stefanprodan/podinfo:6.0.2');
    await waitFor('Progressing', async () => (await probe().phase()) === 'Progressing', 30_000);
    const ready = kubectlWait(namespace(), 'Ready', '75s');
    const stalled = kubectlWait(namespace(), 'Stalled', '75s');
    expect((await stalled.done).code).toBe(0);
    expect(ready.running()).toBe(true);
    const timedOut = await ready.done;
    expect(timedOut.code).not.toBe(0);
    expect(timedOut.output).toContain('timed out waiting for the condition');

    const failed = await capture('failed');
    expect(failed.status?.phase).toBe('Failed');
    const readyCondition = findCondition(failed.status?.conditions, 'Ready');
    expect(readyCondition).toMatchObject({ status: 'False', reason: 'WebhookRefused' });
    expect(readyCondition?.message).toMatch(/last: rollout webhook smoke-test refused: .*500/);
    expect(await kstatusLibrary(failed)).toEqual({ status: 'Failed', message: readyCondition?.message });
    expect(await argoHealth(failed)).toEqual({ status: 'Degraded', message: `WebhookRefused: ${readyCondition?.message ?? ''}` });
  }, 240_000);

  it('shows a revision held by a closed confirm-rollout gate as Suspended in Argo CD and InProgress for kstatus', async () => {
    answers.set('/rollout', 200);
    answers.set('/confirm', 403);
    await probe().setImage('ghcr.io/stefanprodan/podinfo:6.0.3');
    await waitFor('Waiting', async () => (await probe().phase()) === 'Waiting', 30_000);
    const waiting = await capture('waiting');
    expect((await kstatusLibrary(waiting)).status).toBe('InProgress');
    expect(await argoHealth(waiting)).toMatchObject({ status: 'Suspended', message: expect.stringMatching(/^Waiting: revision \w+ waits for the confirm-rollout approval$/) });
  }, 120_000);

  it('counts both releases in the outcome metrics, next to Flagger\'s unchanged counters', async () => {
    const text = await (await fetch(`http://127.0.0.1:${operator.port}/metrics`)).text();
    const sample = (series: string): number | undefined => {
      const line = text.split('\n').find((l) => l.startsWith(`${series} `));
      return line === undefined ? undefined : Number(line.split(' ')[1]);
    };
    const labels = `name="podinfo",namespace="${namespace()}"`;
    expect(sample(`songbird_releases_total{${labels},result="succeeded",reason="Succeeded"}`)).toBe(1);
    expect(sample(`songbird_releases_total{${labels},result="failed",reason="WebhookRefused"}`)).toBe(1);
    expect(sample(`songbird_release_duration_seconds_count{${labels},result="succeeded"}`)).toBe(1);
    expect(sample(`songbird_release_duration_seconds_sum{${labels},result="succeeded"}`)).toBeGreaterThanOrEqual(20);
    expect(sample(`songbird_phase_duration_seconds_count{${labels},phase="Progressing"}`)).toBe(2);
    expect(sample(`flagger_canary_successes_total{${labels},deployment_strategy="blue-green",analysis_status="completed"}`)).toBe(1);
  });
});
