import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
import { canaryProbe } from '../support/e2e-canary.js';
import { testKube, useTestNamespace, waitFor } from '../support/kube.js';

const run = promisify(execFile);
const kubectl = async (...args: string[]): Promise<string> => (await run(binaryPath('kubectl'), args, { env: process.env })).stdout;
const DEADLINE_SECONDS = 30;

describe('a promotion whose primary cannot roll out, on a real control plane', () => {
  const namespace = useTestNamespace('pd');
  let operator: RunningOperator;

  beforeAll(async () => {
    const kube = testKube();
    await installCrds(kube, join(import.meta.dirname, '..', '..', 'crds'), (ms) => new Promise((r) => setTimeout(r, ms)));
    const config = parseConfig(['--port=0', `--namespace=${namespace()}`], {});
    operator = await startOperator({ config, kube, logger: silentLogger, onFatal: (reason) => { throw new Error(reason); } });
  });

  afterAll(async () => operator.stop());

  it('fails at the Canary\'s progressDeadlineSeconds, not the Deployment\'s 600 s, and leaves the canary serving', async () => {
    const kube = testKube();
    const probe = canaryProbe(namespace(), 'podinfo');
    await kube.create(Resources.deployments, aDeployment({ namespace: namespace(), replicas: 2 }));
    const canary = aCanary({ namespace: namespace() });
    Object.assign(canary.spec as Record<string, unknown>, { progressDeadlineSeconds: DEADLINE_SECONDS, analysis: { interval: '10s', threshold: 2, iterations: 1 } });
    await kube.create(CanaryResource, canary);
    await waitFor('Initialized', async () => (await probe.phase()) === 'Initialized', 90_000);

    await probe.setImage('ghcr.io/stefanprodan/podinfo:6.0.1');
    await waitFor('canary pods ready', async () => (await kube.get(Resources.deployments, namespace(), 'podinfo'))?.status?.readyReplicas === 2, 30_000);
    // The namespace is full: the primary's rolling update cannot create its new pods, while its two old pods stay
    // available, so the primary Deployment stays Available and Progressing (as with a cordoned node).
    await kubectl('-n', namespace(), 'create', 'quota', 'full', '--hard=pods=4');
    await waitFor('quota counted', async () => (await kubectl('-n', namespace(), 'get', 'quota', 'full', '-o', 'jsonpath={.status.used.pods}')) === '4', 30_000);

    await waitFor('Promoting', async () => (await probe.phase()) === 'Promoting', 60_000);
    const promotingSince = Date.now();
    await waitFor('Failed', async () => (await probe.phase()) === 'Failed', (DEADLINE_SECONDS + 30) * 1000);
    expect(Date.now() - promotingSince).toBeGreaterThanOrEqual((DEADLINE_SECONDS - 10) * 1000);

    const status = await probe.status();
    expect(findCondition(status?.conditions, 'Ready')).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded' });
    const primary = await kube.get(Resources.deployments, namespace(), 'podinfo-primary');
    expect(primary?.status?.updatedReplicas ?? 0).toBeLessThan(2);
    expect(primary?.status?.conditions?.find((c) => c.type === 'Progressing')?.reason).not.toBe('ProgressDeadlineExceeded');
    expect((await kube.get(Resources.deployments, namespace(), 'podinfo'))?.status?.readyReplicas).toBe(2);
    const events = (await kube.list(Resources.events, namespace())).items as (KubeObject & { message?: string; type?: string })[];
    const failed = events.filter((e) => e.message?.startsWith(`Promotion failed, primary not rolled out within progressDeadlineSeconds (${DEADLINE_SECONDS}s)`));
    expect(failed.map((e) => e.type)).toEqual(['Warning']);
  }, 240_000);
});
