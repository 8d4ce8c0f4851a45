import { afterEach, describe, expect, it } from 'vitest';
import { Resources, type Deployment } from '../../src/kube/resources.js';
import { aCanary, aConfigMap, aDeployment, aSecret } from '../fixtures/objects.js';
import { configReads } from '../support/recording-kube.js';
import { World } from './world.js';

async function initializedAmongUnrelatedConfigs(): Promise<World> {
  const world = new World();
  await world.kube.create(Resources.secrets, aSecret('sh.helm.release.v1.other.v1', { release: 'x' }, { type: 'helm.sh/release.v1' }));
  await world.kube.create(Resources.secrets, aSecret('unrelated', { a: 'b' }, { namespace: 'elsewhere' }));
  await world.kube.create(Resources.configMaps, aConfigMap('unrelated', { a: 'b' }));
  await world.start();
  await world.create('configmap', aConfigMap('podinfo-config', { color: 'blue' }));
  await world.kube.create(Resources.secrets, aSecret('podinfo-token', { token: 't0' }));
  await world.create('deployment', aDeployment({ replicas: 2, configMap: 'podinfo-config', secret: 'podinfo-token' }));
  await world.create('canary', aCanary());
  await world.makeReady('podinfo-primary');
  expect((await world.canaryStatus()).phase).toBe('Initialized');
  return world;
}

describe('ConfigMaps and Secrets that no canary references', () => {
  let world: World;
  afterEach(async () => world.stop());

  it('are never listed, watched or read: only the referenced ones and their -primary copies are, each by name', async () => {
    world = await initializedAmongUnrelatedConfigs();

    expect(configReads(world.kube.reads)).toEqual([
      'ConfigMap/test/podinfo-config', 'ConfigMap/test/podinfo-config-primary', 'Secret/test/podinfo-token', 'Secret/test/podinfo-token-primary',
    ]);
    expect([...world.caches.configMaps.watched(), ...world.caches.secrets.watched()].sort())
      .toEqual(['test/podinfo-config', 'test/podinfo-config-primary', 'test/podinfo-token', 'test/podinfo-token-primary']);
  });

  it('still lets a change of a referenced Secret start a run at once, without waiting for the interval', async () => {
    world = await initializedAmongUnrelatedConfigs();
    await world.kube.patch(Resources.secrets, { namespace: 'test', name: 'podinfo-token' }, { data: { token: 'bmV3' } });
    await world.advance(0);

    expect((await world.canaryStatus()).phase).toBe('Progressing');
  });

  it('makes no read at all in steady state: intervals pass on the watches alone', async () => {
    world = await initializedAmongUnrelatedConfigs();
    const readsBefore = world.kube.reads.length;
    await world.advance(10 * 60_000);

    expect(world.kube.reads.slice(readsBefore).filter((r) => r.kind === 'ConfigMap' || r.kind === 'Secret')).toEqual([]);
  });

  it('stops watching a config once the target no longer references it', async () => {
    world = await initializedAmongUnrelatedConfigs();
    const deployment = await world.deployment('podinfo');
    const podSpec = deployment?.spec?.template.spec;
    if (deployment === undefined || podSpec === undefined) throw new Error('no target');
    await world.kube.replace(Resources.deployments, { ...deployment, spec: { ...deployment.spec, template: { ...deployment.spec?.template, spec: { ...podSpec, volumes: [] } } } } as Deployment);
    await world.advance(0);
    await world.advance(30 * 60_000);

    expect(world.caches.secrets.watched()).not.toContain('test/podinfo-token');
    expect(world.caches.configMaps.watched()).toContain('test/podinfo-config');
  });
});

describe('a webhook\'s headers Secret', () => {
  let world: World;
  afterEach(async () => world.stop());

  it('is read by name when the run calls the hook, sent as headers, and let go once the run is over', async () => {
    world = await new World().start();
    await world.kube.create(Resources.secrets, aSecret('sh.helm.release.v1.other.v1', { release: 'x' }, { type: 'helm.sh/release.v1' }));
    await world.kube.create(Resources.secrets, aSecret('gate-auth', { Authorization: 'Bearer abc' }));
    await world.create('deployment', aDeployment({ replicas: 1 }));
    const canary = aCanary();
    const hook = { name: 'acceptance', type: 'pre-rollout', url: 'http://loadtester.test/pre', headersSecretRef: { name: 'gate-auth' } };
    (canary.spec as Record<string, unknown>).analysis = { interval: '15s', threshold: 2, iterations: 1, webhooks: [hook] };
    await world.create('canary', canary);
    await world.makeReady('podinfo-primary');
    await world.setImage('podinfo', 'ghcr.io/stefanprodan/podinfo:6.0.1');
    await world.makeReady('podinfo');
    await world.advance(15_000);

    expect(world.hookCalls[0]?.headers).toEqual({ Authorization: 'Bearer abc' });
    expect(configReads(world.kube.reads)).toEqual(['Secret/test/gate-auth']);
    for (let i = 0; i < 6; i++) {
      await world.makeReady('podinfo');
      await world.makeReady('podinfo-primary');
      await world.advance(15_000);
    }
    expect((await world.canaryStatus()).phase).toBe('Succeeded');
    await world.advance(30 * 60_000);
    expect(world.caches.secrets.watched()).toEqual([]);
  });
});
