import { afterEach, describe, expect, it } from 'vitest';
import { Resources, type Deployment, type Secret } from '../../src/kube/resources.js';
import type { ReadRequest } from '../fakes/fake-kube.js';
import { aCanary, aConfigMap, aDeployment } from '../fixtures/objects.js';
import { World } from './world.js';

const aSecret = (name: string, namespace = 'test', type = 'Opaque'): Secret =>
  ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, type, data: { token: Buffer.from(name).toString('base64') } });

// podinfo reading the ConfigMap podinfo-config through envFrom and the Secret podinfo-token as a volume.
function podinfoWithConfigs(): Deployment {
  const deployment = aDeployment({ replicas: 2, configMap: 'podinfo-config' });
  const podSpec = deployment.spec?.template.spec;
  if (podSpec === undefined) throw new Error('no pod spec');
  podSpec.volumes = [{ name: 'token', secret: { secretName: 'podinfo-token' } }];
  return deployment;
}

// The names of the ConfigMaps and Secrets read, or `*` for a read not narrowed to one object by name.
function configReads(reads: readonly ReadRequest[]): string[] {
  const names = reads.filter((r) => r.kind === 'ConfigMap' || r.kind === 'Secret').map((r) => {
    const byName = r.verb === 'get' ? r.name : /^metadata\.name=(.+)$/.exec(r.fieldSelector ?? '')?.[1];
    return `${r.kind}/${r.namespace ?? '*'}/${byName ?? '*'}`;
  });
  return [...new Set(names)].sort();
}

async function initializedAmongUnrelatedConfigs(): Promise<World> {
  const world = new World();
  await world.kube.create(Resources.secrets, aSecret('sh.helm.release.v1.other.v1', 'test', 'helm.sh/release.v1'));
  await world.kube.create(Resources.secrets, aSecret('unrelated', 'elsewhere'));
  await world.kube.create(Resources.configMaps, aConfigMap('unrelated', { a: 'b' }));
  await world.start();
  await world.create('configmap', aConfigMap('podinfo-config', { color: 'blue' }));
  await world.kube.create(Resources.secrets, aSecret('podinfo-token'));
  await world.create('deployment', podinfoWithConfigs());
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
