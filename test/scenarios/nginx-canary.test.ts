import { afterEach, describe, expect, it } from 'vitest';
import { Resources, type Ingress } from '../../src/kube/resources.js';
import { aCanary, aDeployment } from '../fixtures/objects.js';
import { World } from './world.js';

const INTERVAL = 15_000;
const P = 'nginx.ingress.kubernetes.io';

/** The user's Ingress `podinfo` in front of the apex Service `podinfo`. */
function userIngress(): Ingress {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'podinfo', namespace: 'test', labels: { app: 'podinfo' }, annotations: { 'kubernetes.io/ingress.class': 'nginx' } },
    spec: {
      rules: [{
        host: 'app.example.com',
        http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'podinfo', port: { number: 80 } } } }] },
      }],
    },
  };
}

/** An NGINX canary (stepWeight 20, maxWeight 40) initialized, then given a new image (phase Progressing). */
async function progressing(analysis: Record<string, unknown> = {}): Promise<World> {
  const world = await new World().start();
  await world.create('deployment', aDeployment({ replicas: 2 }));
  await world.kube.create(Resources.ingresses, userIngress());
  const canary = aCanary({ provider: 'nginx' });
  const spec = canary.spec as Record<string, unknown>;
  spec.ingressRef = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'podinfo' };
  spec.analysis = { interval: '15s', threshold: 2, stepWeight: 20, maxWeight: 40, ...analysis };
  await world.create('canary', canary);
  await world.makeReady('podinfo-primary');
  await world.setImage('podinfo', 'ghcr.io/stefanprodan/podinfo:6.0.1');
  await world.makeReady('podinfo');
  return world;
}

async function canaryIngress(world: World): Promise<Ingress | undefined> {
  return world.kube.get(Resources.ingresses, 'test', 'podinfo-canary');
}

/** Ticks `n` intervals (workloads kept ready) and returns [phase, canary-weight annotation] after each. */
async function ticks(world: World, n: number): Promise<[string | undefined, string | undefined][]> {
  const seen: [string | undefined, string | undefined][] = [];
  for (let i = 0; i < n; i++) {
    await world.advance(INTERVAL);
    await world.makeReady('podinfo');
    await world.makeReady('podinfo-primary');
    seen.push([(await world.canaryStatus()).phase, (await canaryIngress(world))?.metadata.annotations?.[`${P}/canary-weight`]]);
  }
  return seen;
}

describe('canary strategy on NGINX', () => {
  let world: World;
  afterEach(async () => world.stop());

  it('steps the canary Ingress weight 20 → 40, promotes and succeeds, never touching the user Ingress', async () => {
    world = await progressing();
    const before = JSON.stringify(await world.kube.get(Resources.ingresses, 'test', 'podinfo'));
    const created = await canaryIngress(world);
    expect(created?.spec?.rules?.[0]?.http?.paths[0]?.backend.service?.name).toBe('podinfo-canary');
    expect(created?.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Canary', name: 'podinfo' })]);

    const seen = await ticks(world, 6);
    expect(seen.slice(0, 3)).toEqual([['Progressing', '20'], ['Progressing', '40'], ['Promoting', '40']]);
    expect(seen.map(([phase]) => phase)).toContain('Finalising');
    expect(seen.at(-1)).toEqual(['Succeeded', '0']);
    expect((await world.deployment('podinfo-primary'))?.spec?.template.spec?.containers[0]?.image).toBe('ghcr.io/stefanprodan/podinfo:6.0.1');
    expect(JSON.stringify(await world.kube.get(Resources.ingresses, 'test', 'podinfo'))).toBe(before);
  });

  it('rolls back on failed checks at weight 20, with the canary Ingress back at weight 0', async () => {
    world = await progressing({ metrics: [{ name: 'request-success-rate', thresholdRange: { min: 99 }, interval: '1m' }] });
    const seen = await ticks(world, 1);
    world.metricValue = 50;
    seen.push(...await ticks(world, 3));
    expect(seen).toEqual([['Progressing', '20'], ['Progressing', '20'], ['Progressing', '20'], ['Failed', '0']]);
    const status = await world.canaryStatus();
    expect([status.phase, status.canaryWeight]).toEqual(['Failed', 0]);
    expect((await canaryIngress(world))?.metadata.annotations).toMatchObject({ [`${P}/canary`]: 'true', [`${P}/canary-weight`]: '0' });
    expect((await world.deployment('podinfo-primary'))?.spec?.template.spec?.containers[0]?.image).toBe('ghcr.io/stefanprodan/podinfo:6.0.0');
    expect(world.messages()).toContain('Rolling back podinfo.test failed checks threshold reached 2');
  });
});

describe('an NGINX Canary whose Ingress does not name the apex Service', () => {
  let world: World;
  afterEach(async () => world.stop());

  it('is Stalled naming spec.ingressRef until the Ingress is fixed, then initializes', async () => {
    world = await new World().start();
    await world.create('deployment', aDeployment({ replicas: 2 }));
    const ingress = userIngress();
    const backend = ingress.spec?.rules?.[0]?.http?.paths[0]?.backend.service;
    if (backend !== undefined) backend.name = 'frontend';
    await world.kube.create(Resources.ingresses, ingress);
    const canary = aCanary({ provider: 'nginx' });
    (canary.spec as Record<string, unknown>).ingressRef = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'podinfo' };
    await world.create('canary', canary);
    await world.makeReady('podinfo-primary');
    await world.advance(INTERVAL);
    const stalled = (await world.canaryStatus()).conditions?.find((c) => c.type === 'Stalled');
    expect(stalled).toMatchObject({ status: 'True', message: 'spec.ingressRef: Ingress podinfo.test has no backend naming the Service podinfo' });
    expect(world.messages()).toContain('invalid canary spec: spec.ingressRef: Ingress podinfo.test has no backend naming the Service podinfo');

    await world.kube.patch(Resources.ingresses, { namespace: 'test', name: 'podinfo' }, { spec: userIngress().spec });
    await world.advance(INTERVAL);
    const status = await world.canaryStatus();
    expect(status.conditions?.find((c) => c.type === 'Stalled')?.status).toBe('False');
    expect(status.phase).toBe('Initialized');
  });
});
