import { describe, expect, it } from 'vitest';
import type { Canary } from '../../src/api/canary.js';
import { Resources, type Ingress } from '../../src/kube/resources.js';
import { silentLogger } from '../../src/ports/logger.js';
import { nginxCanary, sourceIngress } from '../../src/routers/nginx/nginx-test-fixtures.js';
import { NginxRouter } from '../../src/routers/nginx/nginx.js';
import { ALL_PRIMARY, type Weights } from '../../src/routers/router.js';
import { FakeClock } from '../fakes/fake-clock.js';
import { testKube, useTestNamespace } from '../support/kube.js';

const P = 'nginx.ingress.kubernetes.io';
const namespace = useTestNamespace('nginx');
const kube = testKube();
const router = new NginxRouter({ kube, reader: kube, clock: new FakeClock(), logger: silentLogger, settings: { ingressAnnotationsPrefix: P } });
const split = (primary: number, canary: number): Weights => ({ primary, canary, mirrored: false });

async function ingress(name: string): Promise<Ingress> {
  const found = await kube.get(Resources.ingresses, namespace(), name);
  if (found === undefined) throw new Error(`Ingress ${name} not found`);
  return found;
}

async function canaryAnnotations(): Promise<Record<string, string>> {
  const annotations = (await ingress('web-canary')).metadata.annotations ?? {};
  return Object.fromEntries(Object.entries(annotations).filter(([key]) => key.startsWith(`${P}/canary`)));
}

describe('NGINX router on a real API server (networking.k8s.io/v1 Ingress)', () => {
  it('clones the Ingress, steps the weight, switches to A/B, and never changes the source Ingress', async () => {
    const userAnnotations = {
      'kubernetes.io/ingress.class': 'nginx', [`${P}/canary-by-header`]: 'x-canary', [`${P}/canary-by-header-value`]: 'me',
      'kustomize.toolkit.fluxcd.io/reconcile': 'disabled', 'kubectl.kubernetes.io/last-applied-configuration': '{}',
    };
    await kube.create(Resources.ingresses, sourceIngress({ namespace: namespace(), annotations: userAnnotations }));
    const before = JSON.stringify(await ingress('web'));
    const canary: Canary = nginxCanary({}, namespace());

    await router.reconcile(canary);
    const created = await ingress('web-canary');
    expect(created.metadata.annotations).toEqual({ 'kubernetes.io/ingress.class': 'nginx', [`${P}/canary`]: 'true', [`${P}/canary-weight`]: '0' });
    expect(created.spec?.rules?.[0]?.http?.paths.map((p) => p.backend.service?.name)).toEqual(['podinfo-canary', 'other']);
    await router.reconcile(canary);
    expect((await ingress('web-canary')).metadata.resourceVersion).toBe(created.metadata.resourceVersion);

    for (const weight of [10, 20, 30, 40]) {
      await router.setRoutes(canary, split(100 - weight, weight));
      expect(await router.getRoutes(canary)).toEqual(split(100 - weight, weight));
    }
    expect(await canaryAnnotations()).toMatchObject({ [`${P}/canary-by-header`]: 'x-canary', [`${P}/canary-by-header-value`]: 'me' });
    const atForty = (await ingress('web-canary')).metadata.resourceVersion;
    await router.setRoutes(canary, split(60, 40));
    await router.reconcile(canary);
    expect((await ingress('web-canary')).metadata.resourceVersion).toBe(atForty);

    const ab = nginxCanary({ stepWeight: undefined, maxWeight: undefined, iterations: 3, match: [{ headers: { cookie: { exact: 'canary' } } }] }, namespace());
    await router.setRoutes(ab, split(0, 100));
    expect(await canaryAnnotations()).toEqual({ [`${P}/canary`]: 'true', [`${P}/canary-by-cookie`]: 'canary' });
    expect(await router.getRoutes(ab)).toEqual(split(0, 100));

    await router.setRoutes(canary, ALL_PRIMARY);
    expect(await canaryAnnotations()).toEqual({ [`${P}/canary`]: 'true', [`${P}/canary-weight`]: '0' });
    await router.finalize(canary);
    expect(JSON.stringify(await ingress('web'))).toBe(before);
  });

  it('repairs a changed canary Ingress spec while keeping its weight', async () => {
    const canary = nginxCanary({}, namespace(), 'repair');
    const withRef = { ...canary, spec: { ...canary.spec, ingressRef: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' as const, name: 'repair' } } };
    const source = sourceIngress({ namespace: namespace(), backend: 'repair', host: 'repair.example.com' });
    await kube.create(Resources.ingresses, { ...source, metadata: { ...source.metadata, name: 'repair' } });
    await router.reconcile(withRef);
    await router.setRoutes(withRef, split(80, 20));
    await kube.patch(Resources.ingresses, { namespace: namespace(), name: 'repair-canary' }, { spec: { tls: null } });
    await router.reconcile(withRef);
    expect((await ingress('repair-canary')).spec?.tls).toEqual(source.spec?.tls);
    expect(await router.getRoutes(withRef)).toEqual(split(80, 20));
  });

  it('writes canaryMatch as a request rule only while the canary weight is above 0, and refuses one contradicting the source Ingress', async () => {
    const make = (name: string, canaryMatch: NonNullable<Canary['spec']['analysis']['canaryMatch']>): Canary => {
      const canary = nginxCanary({ canaryMatch }, namespace(), name);
      return { ...canary, spec: { ...canary.spec, ingressRef: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' as const, name } } };
    };
    const rules = async (name: string): Promise<Record<string, string>> =>
      Object.fromEntries(Object.entries((await ingress(`${name}-canary`)).metadata.annotations ?? {}).filter(([key]) => key.startsWith(`${P}/canary`)));
    for (const name of ['bymatch', 'conflict']) {
      const source = sourceIngress({ namespace: namespace(), backend: name, host: `${name}.example.com`,
        annotations: name === 'conflict' ? { [`${P}/canary-by-header`]: 'x-tester' } : {} });
      await kube.create(Resources.ingresses, { ...source, metadata: { ...source.metadata, name } });
    }

    const canary = make('bymatch', { header: { name: 'x-canary', prefix: 'on' } });
    await router.reconcile(canary);
    expect(await rules('bymatch')).toEqual({ [`${P}/canary`]: 'true', [`${P}/canary-weight`]: '0' });
    await router.setRoutes(canary, split(90, 10));
    expect(await rules('bymatch')).toEqual({
      [`${P}/canary`]: 'true', [`${P}/canary-weight`]: '10', [`${P}/canary-by-header`]: 'x-canary', [`${P}/canary-by-header-pattern`]: '^on.*',
    });
    expect(await router.getRoutes(canary)).toEqual(split(90, 10));
    const cookie = make('bymatch', { cookie: { name: 'canary' } });
    await router.setRoutes(cookie, split(70, 30));
    expect(await rules('bymatch')).toEqual({ [`${P}/canary`]: 'true', [`${P}/canary-weight`]: '30', [`${P}/canary-by-cookie`]: 'canary' });
    await router.setRoutes(cookie, ALL_PRIMARY);
    expect(await rules('bymatch')).toEqual({ [`${P}/canary`]: 'true', [`${P}/canary-weight`]: '0' });

    await expect(router.reconcile(make('conflict', { header: { name: 'x-canary', exact: 'on' } })))
      .rejects.toThrow(`spec.analysis.canaryMatch.header: Ingress conflict.${namespace()} sets ${P}/canary-by-header itself`);
  });

  it('reports a source Ingress without a backend naming the apex Service', async () => {
    const canary = nginxCanary({}, namespace(), 'lonely');
    await expect(router.reconcile(canary)).rejects.toThrow(`Ingress web.${namespace()} has no backend naming the Service lonely`);
  });
});
