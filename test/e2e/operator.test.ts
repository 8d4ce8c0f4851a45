import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { installCrds } from '../../src/install-crds.js';
import { Resources } from '../../src/kube/resources.js';
import { binaryPath } from '../../src/local-cluster/toolchain.js';
import { silentLogger } from '../../src/ports/logger.js';
import type { KubeObject } from '../../src/ports/kube.js';
import { CanaryResource } from '../../src/reconciler/cluster-caches.js';
import { startOperator, type RunningOperator } from '../../src/operator.js';
import { aCanary, aDeployment } from '../fixtures/objects.js';
import { testKube, useTestNamespace, waitFor } from '../support/kube.js';

const run = promisify(execFile);
const kubectl = async (...args: string[]): Promise<string> => (await run(binaryPath('kubectl'), args, { env: process.env })).stdout;

interface EndpointSlice extends KubeObject { endpoints?: { conditions?: { ready?: boolean } }[] }
const EndpointSlices = { group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice', plural: 'endpointslices', namespaced: true, hasStatus: false } as const;

async function readyEndpoints(namespace: string, service: string): Promise<number> {
  const list = await testKube().list<EndpointSlice>(EndpointSlices, namespace, `kubernetes.io/service-name=${service}`);
  return list.items.flatMap((s) => s.endpoints ?? []).filter((e) => e.conditions?.ready === true).length;
}

describe('the operator on a real control plane', () => {
  const namespace = useTestNamespace('op');
  let operator: RunningOperator;

  beforeAll(async () => {
    const kube = testKube();
    await installCrds(kube, join(import.meta.dirname, '..', '..', 'crds'), (ms) => new Promise((r) => setTimeout(r, ms)));
    const config = parseConfig(['--port=0', `--namespace=${namespace()}`], {});
    operator = await startOperator({ config, kube, logger: silentLogger, onFatal: (reason) => { throw new Error(reason); } });
  });

  afterAll(async () => operator.stop());

  it('initializes a canary: primary and three Services created, target scaled to zero, kubectl shows Initialized', async () => {
    const kube = testKube();
    await kube.create(Resources.deployments, aDeployment({ namespace: namespace(), replicas: 2 }));
    await kube.create(CanaryResource, aCanary({ namespace: namespace(), revertOnDeletion: true }));
    await waitFor('Initialized', async () => (await kubectl('-n', namespace(), 'get', 'canary', 'podinfo')).includes('Initialized'), 90_000);

    const out = await kubectl('-n', namespace(), 'get', 'canary');
    expect(out.split('\n')[0]?.split(/\s+/)).toEqual(['NAME', 'STATUS', 'WEIGHT', 'LASTTRANSITIONTIME']);
    expect((await kube.get(Resources.deployments, namespace(), 'podinfo-primary'))?.status?.readyReplicas).toBe(2);
    expect((await kube.get(Resources.deployments, namespace(), 'podinfo'))?.spec?.replicas).toBe(0);
    for (const name of ['podinfo', 'podinfo-primary', 'podinfo-canary']) {
      expect(await kube.get(Resources.services, namespace(), name)).toBeDefined();
    }
    await waitFor('apex endpoints', async () => (await readyEndpoints(namespace(), 'podinfo')) === 2, 30_000);
  });

  it('starts a run on `kubectl set image` without waiting for the analysis interval', async () => {
    const started = Date.now();
    await kubectl('-n', namespace(), 'set', 'image', 'deployment/podinfo', 'podinfod=ghcr.io/stefanprodan/podinfo:6.0.1');
    await waitFor('Progressing', async () => (await kubectl('-n', namespace(), 'get', 'canary', 'podinfo')).includes('Progressing'), 15_000);
    const elapsed = Date.now() - started;
    // The analysis interval is 15 s: reaching Progressing well before it proves the watch-triggered tick.
    expect(elapsed).toBeLessThan(7_500);
    expect((await testKube().get(Resources.deployments, namespace(), 'podinfo'))?.spec?.replicas).toBe(2);
    // A tick triggered by the Deployment it just scaled must not act on the Canary from before its own status
    // patch: each step of the run is announced exactly once.
    await new Promise((r) => setTimeout(r, 2_000));
    const events = (await testKube().list(Resources.events, namespace())).items as (KubeObject & { message?: string })[];
    const count = (message: string): number => events.filter((e) => e.message === message).length;
    expect([count(`Initialization done! podinfo.${namespace()}`), count(`New revision detected! Scaling up podinfo.${namespace()}`)]).toEqual([1, 1]);
  });

  it('on deletion with revertOnDeletion, restores the target before the primary goes, and the apex Service keeps ready endpoints', async () => {
    const kube = testKube();
    await kube.patch(Resources.deployments, { namespace: namespace(), name: 'podinfo' }, { spec: { replicas: 0 } });
    const samples: number[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        samples.push(await readyEndpoints(namespace(), 'podinfo'));
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    await kube.delete(CanaryResource, { namespace: namespace(), name: 'podinfo' });
    await waitFor('canary removed', async () => (await kube.get(CanaryResource, namespace(), 'podinfo')) === undefined, 60_000);
    await waitFor('primary garbage-collected', async () => (await kube.get(Resources.deployments, namespace(), 'podinfo-primary')) === undefined, 60_000);
    await waitFor('apex endpoints on the target pods', async () => (await readyEndpoints(namespace(), 'podinfo')) === 2, 30_000);
    // A fast deletion can end within a few samples: keep sampling a little past it.
    const target = samples.length + 5;
    await waitFor('samples after the deletion', () => Promise.resolve(samples.length >= target), 10_000);
    sampling = false;
    await sampler;

    expect((await kube.get(Resources.deployments, namespace(), 'podinfo'))?.status?.readyReplicas).toBe(2);
    const apex = await kube.get(Resources.services, namespace(), 'podinfo');
    expect(apex?.spec?.selector).toEqual({ app: 'podinfo' });
    expect(Math.min(...samples)).toBeGreaterThan(0);
  });
});
