import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { installCrds } from '../../src/install-crds.js';
import { Resources } from '../../src/kube/resources.js';
import { silentLogger } from '../../src/ports/logger.js';
import { CanaryResource } from '../../src/reconciler/cluster-caches.js';
import { startOperator, type RunningOperator } from '../../src/operator.js';
import { aCanary, aConfigMap, aDeployment, aSecret } from '../fixtures/objects.js';
import { testKube, useTestNamespace, waitFor } from '../support/kube.js';
import { configReads, RecordingKube } from '../support/recording-kube.js';

// The short form of the unrelated-secrets benchmark: 300 Secrets the canary does not reference (10,000 of
// 50 KB in `npm run bench:reliability`), counted by the reads the operator makes, not by time or memory.
const UNRELATED = 300;

async function phase(namespace: string): Promise<string | undefined> {
  const canary = await testKube().get(CanaryResource, namespace, 'podinfo');
  return (canary?.status as { phase?: string } | undefined)?.phase;
}

// Plays the deployment controller, which this tier does not run: every replica ready and available.
async function makeReady(namespace: string, name: string): Promise<void> {
  const kube = testKube();
  await waitFor(`${name} created`, async () => (await kube.get(Resources.deployments, namespace, name)) !== undefined);
  const deployment = await kube.get(Resources.deployments, namespace, name);
  const replicas = deployment?.spec?.replicas ?? 1;
  await kube.patch(Resources.deployments, { namespace, name }, {
    status: { observedGeneration: deployment?.metadata.generation, replicas, updatedReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas },
  }, { subresource: 'status' });
}

describe('the operator among Secrets no canary references', () => {
  const namespace = useTestNamespace('unrelated');
  const recording = new RecordingKube(testKube());
  let operator: RunningOperator;

  beforeAll(async () => {
    const kube = testKube();
    await installCrds(kube, join(import.meta.dirname, '..', '..', 'crds'), (ms) => new Promise((r) => setTimeout(r, ms)));
    const names = Array.from({ length: UNRELATED }, (_, i) => `sh.helm.release.v1.app-${i}.v1`);
    for (let i = 0; i < names.length; i += 25) {
      await Promise.all(names.slice(i, i + 25).map((name) =>
        kube.create(Resources.secrets, aSecret(name, { release: 'x'.repeat(512) }, { namespace: namespace(), type: 'helm.sh/release.v1' }))));
    }
    await kube.create(Resources.configMaps, aConfigMap('podinfo-config', { color: 'blue' }, namespace()));
    await kube.create(Resources.secrets, aSecret('podinfo-token', { token: 'one' }, { namespace: namespace() }));
    await kube.create(Resources.deployments, aDeployment({ namespace: namespace(), replicas: 1, configMap: 'podinfo-config', secret: 'podinfo-token' }));
    const canary = aCanary({ namespace: namespace() });
    // An interval far longer than the test: only the watch of the Secret can start the run below.
    (canary.spec as { analysis: { interval: string } }).analysis.interval = '30m';
    await kube.create(CanaryResource, canary);
    const config = parseConfig(['--port=0', `--namespace=${namespace()}`], {});
    operator = await startOperator({ config, kube: recording, logger: silentLogger, onFatal: (reason) => { throw new Error(reason); } });
  });

  afterAll(async () => operator.stop());

  it('initializes the canary reading only the referenced ConfigMap and Secret and their -primary copies, each by name', async () => {
    await makeReady(namespace(), 'podinfo-primary');
    await waitFor('Initialized', async () => (await phase(namespace())) === 'Initialized', 30_000);

    const ns = namespace();
    expect(configReads(recording.reads)).toEqual([
      `ConfigMap/${ns}/podinfo-config`, `ConfigMap/${ns}/podinfo-config-primary`, `Secret/${ns}/podinfo-token`, `Secret/${ns}/podinfo-token-primary`,
    ]);
    expect((await testKube().get(Resources.secrets, ns, 'podinfo-token-primary'))?.data?.token).toBe(Buffer.from('one').toString('base64'));
  });

  it('starts a run within seconds when the referenced Secret changes', async () => {
    await testKube().patch(Resources.secrets, { namespace: namespace(), name: 'podinfo-token' }, { data: { token: Buffer.from('two').toString('base64') } });
    await waitFor('Progressing', async () => (await phase(namespace())) === 'Progressing', 10_000);

    expect(configReads(recording.reads).every((read) => !read.endsWith('/*') && !read.includes('sh.helm.release'))).toBe(true);
  });
});
