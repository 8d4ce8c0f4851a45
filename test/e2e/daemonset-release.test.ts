import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { installCrds } from '../../src/install-crds.js';
import { Resources, type DaemonSet } from '../../src/kube/resources.js';
import { addFakeNode, FAKE_NODE_NAME } from '../../src/local-cluster/fake-node.js';
import type { KubeObject } from '../../src/ports/kube.js';
import { silentLogger } from '../../src/ports/logger.js';
import { CanaryResource } from '../../src/reconciler/cluster-caches.js';
import { startOperator, type RunningOperator } from '../../src/operator.js';
import { example } from '../fixtures/invalid-specs.js';
import { aDaemonSet } from '../fixtures/objects.js';
import { testKube, useTestNamespace, waitFor } from '../support/kube.js';
import { startRecordingServer, type RecordingServer } from '../support/recording-server.js';

// Two more kwok nodes, tainted so that only the DaemonSets of this file (which tolerate it) run there: the
// other e2e files keep seeing their Pods on the one default node.
const TAINT = { key: 'songbird.test/daemonsets', value: 'only', effect: 'NoSchedule' };
const EXTRA_NODES = ['kwok-node-ds-1', 'kwok-node-ds-2'];
const ALL_NODES = [FAKE_NODE_NAME, ...EXTRA_NODES].sort();
const Nodes = { group: '', version: 'v1', kind: 'Node', plural: 'nodes', namespaced: false, hasStatus: true } as const;
const Pods = { group: '', version: 'v1', kind: 'Pod', plural: 'pods', namespaced: true, hasStatus: true } as const;
interface Pod extends KubeObject { spec?: { nodeName?: string; containers: { image: string }[] }; status?: { phase?: string } }

describe('a DaemonSet release on a real control plane with three kwok nodes', () => {
  const namespace = useTestNamespace('ds');
  let operator: RunningOperator;
  let hooks: RecordingServer;
  let failLoadTest = false;

  beforeAll(async () => {
    const kube = testKube();
    await installCrds(kube, join(import.meta.dirname, '..', '..', 'crds'), (ms) => new Promise((r) => setTimeout(r, ms)));
    for (const name of EXTRA_NODES) {
      if ((await kube.get(Nodes, undefined, name)) === undefined) await addFakeNode(process.env.KUBECONFIG ?? '', { name, taints: [TAINT] });
    }
    hooks = await startRecordingServer((request) => ({ status: failLoadTest && request.url.startsWith('/load-test') ? 500 : 200 }));
    const config = parseConfig(['--port=0', `--namespace=${namespace()}`], {});
    operator = await startOperator({ config, kube, logger: silentLogger, onFatal: (reason) => { throw new Error(reason); } });
  }, 180_000);

  afterAll(async () => {
    await operator.stop();
    await hooks.close();
    for (const name of EXTRA_NODES) await testKube().delete(Nodes, { name });
  });

  const pods = async (app: string): Promise<Pod[]> =>
    (await testKube().list<Pod>(Pods, namespace(), `app=${app}`)).items.filter((p) => p.metadata.deletionTimestamp === undefined);
  const runningOn = async (app: string): Promise<string[]> =>
    (await pods(app)).filter((p) => p.status?.phase === 'Running').map((p) => p.spec?.nodeName ?? '').sort();
  const phase = async (): Promise<string | undefined> => (await testKube().get(CanaryResource, namespace(), 'podinfo-ds'))?.status?.phase as string | undefined;
  const target = (): Promise<DaemonSet | undefined> => testKube().get(Resources.daemonSets, namespace(), 'podinfo-ds');
  const primaryImage = async (): Promise<string | undefined> =>
    (await testKube().get(Resources.daemonSets, namespace(), 'podinfo-ds-primary'))?.spec?.template.spec?.containers[0]?.image;
  const setImage = (image: string): Promise<unknown> => testKube().patch(Resources.daemonSets, { namespace: namespace(), name: 'podinfo-ds' },
    { spec: { template: { spec: { containers: [{ name: 'podinfod', image }] } } } }, { kind: 'strategic' });

  it('runs the primary DaemonSet on every node and parks the target with no pods', async () => {
    const kube = testKube();
    const daemonSet = aDaemonSet({ namespace: namespace() });
    daemonSet.spec!.template.spec!.tolerations = [{ key: TAINT.key, operator: 'Equal', value: TAINT.value, effect: TAINT.effect }];
    await kube.create(Resources.daemonSets, daemonSet);
    // Flagger's DaemonSet example, with its webhooks pointed at this test's server and a shorter analysis.
    const canary = example('kubernetes-daemonset.yaml');
    const analysis = canary.spec.analysis as { webhooks: { url: string; name: string }[] } & Record<string, unknown>;
    Object.assign(analysis, { interval: '5s', iterations: 2, threshold: 2 });
    for (const hook of analysis.webhooks) hook.url = `${hooks.url}/${hook.name}`;
    await kube.create(CanaryResource, { ...canary, metadata: { name: 'podinfo-ds', namespace: namespace() } });

    await waitFor('Initialized', async () => (await phase()) === 'Initialized', 90_000);
    await waitFor('primary pods on every node', async () => (await runningOn('podinfo-ds-primary')).join() === ALL_NODES.join(), 60_000);
    expect((await target())?.spec?.template.spec?.nodeSelector).toEqual({ 'flagger.app/scale-to-zero': 'true' });
    await waitFor('no target pods', async () => (await pods('podinfo-ds')).length === 0, 60_000);
  }, 240_000);

  it('promotes a new image: the target runs on every node during the analysis, then the primary rolls and the target is parked', async () => {
    await setImage('ghcr.io/stefanprodan/podinfo:6.0.1');
    await waitFor('target pods on every node', async () => (await runningOn('podinfo-ds')).join() === ALL_NODES.join(), 60_000);
    await waitFor('Succeeded', async () => (await phase()) === 'Succeeded', 120_000);
    expect(await primaryImage()).toBe('ghcr.io/stefanprodan/podinfo:6.0.1');
    await waitFor('primary pods of the new image on every node', async () => {
      const primaryPods = (await pods('podinfo-ds-primary')).filter((p) => p.status?.phase === 'Running');
      return primaryPods.length === 3 && primaryPods.every((p) => p.spec?.containers[0]?.image === 'ghcr.io/stefanprodan/podinfo:6.0.1');
    }, 60_000);
    await waitFor('target parked with no pods', async () =>
      (await target())?.spec?.template.spec?.nodeSelector?.['flagger.app/scale-to-zero'] === 'true' && (await pods('podinfo-ds')).length === 0, 60_000);
    expect(hooks.requests.some((r) => r.url === '/gate')).toBe(true);
    expect(hooks.requests.some((r) => r.url === '/load-test')).toBe(true);
  }, 240_000);

  it('rolls back a new image whose load test fails: the primary keeps the promoted image and the target is parked', async () => {
    failLoadTest = true;
    await setImage('ghcr.io/stefanprodan/podinfo:6.0.2');
    await waitFor('Failed', async () => (await phase()) === 'Failed', 120_000);
    expect(await primaryImage()).toBe('ghcr.io/stefanprodan/podinfo:6.0.1');
    await waitFor('target parked with no pods', async () =>
      (await target())?.spec?.template.spec?.nodeSelector?.['flagger.app/scale-to-zero'] === 'true' && (await pods('podinfo-ds')).length === 0, 60_000);
    expect((await runningOn('podinfo-ds-primary')).join()).toBe(ALL_NODES.join());
  }, 240_000);
});
