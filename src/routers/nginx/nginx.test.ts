import { beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../test/fakes/fake-clock.js';
import { FakeKube } from '../../../test/fakes/fake-kube.js';
import { Resources, type Ingress } from '../../kube/resources.js';
import { silentLogger } from '../../ports/logger.js';
import { createRouter } from '../index.js';
import { nginxCanary, sourceIngress } from '../../../test/fixtures/nginx-fixtures.js';
import { NginxRouter } from './nginx.js';
import { ALL_PRIMARY, type Weights } from '../router.js';

const P = 'nginx.ingress.kubernetes.io';
const split = (primary: number, canary: number): Weights => ({ primary, canary, mirrored: false });
const abCanary = nginxCanary({ stepWeight: undefined, maxWeight: undefined, iterations: 3, match: [{ headers: { 'x-user': { exact: 'insider' } } }] });

let kube: FakeKube;
let router: NginxRouter;
let source: Ingress;

function routerWith(prefix = P): NginxRouter {
  return new NginxRouter({ kube, reader: kube, clock: new FakeClock(), logger: silentLogger, settings: { ingressAnnotationsPrefix: prefix } });
}

async function ingress(name: string): Promise<Ingress> {
  const found = await kube.get(Resources.ingresses, 'default', name);
  if (found === undefined) throw new Error(`Ingress ${name} not found`);
  return found;
}

const canaryAnnotations = async (): Promise<Record<string, string>> =>
  Object.fromEntries(Object.entries((await ingress('web-canary')).metadata.annotations ?? {}).filter(([k]) => k.startsWith(`${P}/canary`)));

beforeEach(async () => {
  kube = new FakeKube();
  router = routerWith();
  source = await kube.create(Resources.ingresses, sourceIngress({ annotations: {
    'kubernetes.io/ingress.class': 'nginx', [`${P}/canary-by-header`]: 'x-canary', [`${P}/canary-by-header-value`]: 'me',
  } }));
});

describe('NginxRouter', () => {
  it('is what the factory makes for provider nginx', () => {
    expect(createRouter('nginx', { kube, reader: kube, clock: new FakeClock(), logger: silentLogger, settings: { ingressAnnotationsPrefix: P } }))
      .toBeInstanceOf(NginxRouter);
  });

  it('creates the canary Ingress at weight 0, owned by the Canary, and writes nothing on later reconciles', async () => {
    await router.reconcile(nginxCanary());
    const created = await ingress('web-canary');
    expect(created.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Canary', name: 'podinfo', controller: true })]);
    expect(created.spec?.rules?.[0]?.http?.paths[0]?.backend.service?.name).toBe('podinfo-canary');
    expect(await router.getRoutes(nginxCanary())).toEqual(ALL_PRIMARY);
    const writes = kube.writes.length;
    await router.reconcile(nginxCanary());
    await router.setRoutes(nginxCanary(), ALL_PRIMARY);
    expect(kube.writes).toHaveLength(writes);
  });

  it("moves the weight, keeps the user's header during the run, and writes nothing when the split is unchanged", async () => {
    await router.reconcile(nginxCanary());
    await router.setRoutes(nginxCanary(), split(80, 20));
    expect(await canaryAnnotations()).toEqual({
      [`${P}/canary`]: 'true', [`${P}/canary-weight`]: '20', [`${P}/canary-by-header`]: 'x-canary', [`${P}/canary-by-header-value`]: 'me',
    });
    expect(await router.getRoutes(nginxCanary())).toEqual(split(80, 20));
    const writes = kube.writes.length;
    await router.setRoutes(nginxCanary(), split(80, 20));
    await router.reconcile(nginxCanary());
    expect(kube.writes).toHaveLength(writes);
    await router.setRoutes(nginxCanary(), ALL_PRIMARY);
    expect(await canaryAnnotations()).toEqual({ [`${P}/canary`]: 'true', [`${P}/canary-weight`]: '0' });
  });

  it('switches to A/B annotations built from scratch and reads them as all on the canary', async () => {
    await router.reconcile(abCanary);
    await router.setRoutes(nginxCanary(), split(60, 40));
    await router.setRoutes(abCanary, split(0, 100));
    expect(await canaryAnnotations()).toEqual({ [`${P}/canary`]: 'true', [`${P}/canary-by-header`]: 'x-user', [`${P}/canary-by-header-value`]: 'insider' });
    expect(await router.getRoutes(abCanary)).toEqual(split(0, 100));
  });

  it('repairs the spec of the canary Ingress without touching its weight', async () => {
    await router.reconcile(nginxCanary());
    await router.setRoutes(nginxCanary(), split(70, 30));
    await kube.patch(Resources.ingresses, { namespace: 'default', name: 'web-canary' }, { spec: { rules: [] } });
    await router.reconcile(nginxCanary());
    expect((await ingress('web-canary')).spec?.rules).toHaveLength(1);
    expect(await router.getRoutes(nginxCanary())).toEqual(split(70, 30));
  });

  it('never modifies the source Ingress, and finalize deletes nothing', async () => {
    await router.reconcile(nginxCanary());
    await router.setRoutes(nginxCanary(), split(50, 50));
    await router.setRoutes(abCanary, split(0, 100));
    await router.finalize(nginxCanary());
    expect(await ingress('web')).toEqual(source);
    expect(kube.writes.filter((w) => w.name === 'web' || w.verb === 'delete')).toEqual([{ verb: 'create', kind: 'Ingress', name: 'web' }]);
    expect(await kube.get(Resources.ingresses, 'default', 'web-canary')).toBeDefined();
  });

  it('uses the annotation prefix it is given', async () => {
    const custom = routerWith('custom.io');
    await custom.reconcile(nginxCanary());
    await custom.setRoutes(nginxCanary(), split(90, 10));
    expect((await ingress('web-canary')).metadata.annotations).toMatchObject({ 'custom.io/canary': 'true', 'custom.io/canary-weight': '10' });
    expect(await custom.getRoutes(nginxCanary())).toEqual(split(90, 10));
  });

  it.each([
    ['the source Ingress is missing', 'other', /Ingress other\.default not found/],
    ['no backend names the apex Service', 'web', /Ingress web\.default has no backend naming the Service frontend/],
  ])('reconcile throws when %s', async (_, ingressName, message) => {
    const canary = nginxCanary({}, 'default', 'frontend');
    const withRef = { ...canary, spec: { ...canary.spec, ingressRef: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' as const, name: ingressName } } };
    await expect(router.reconcile(withRef)).rejects.toThrow(message);
  });

  it('getRoutes and setRoutes throw when the canary Ingress is missing', async () => {
    await expect(router.getRoutes(nginxCanary())).rejects.toThrow(/Ingress web-canary\.default not found/);
    await expect(router.setRoutes(nginxCanary(), split(90, 10))).rejects.toThrow(/Ingress web-canary\.default not found/);
  });
});
