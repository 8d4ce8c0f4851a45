import { describe, expect, it } from 'vitest';
import { FakeClock, settle } from '../../test/fakes/fake-clock.js';
import { FakeKube } from '../../test/fakes/fake-kube.js';
import { Resources } from '../kube/resources.js';
import { KubeApiError } from '../ports/kube.js';
import { silentLogger } from '../ports/logger.js';
import { OnDemandCaches } from './on-demand-caches.js';

const vs = (name: string): { apiVersion: string; kind: string; metadata: { name: string; namespace: string } } =>
  ({ apiVersion: 'networking.istio.io/v1beta1', kind: 'VirtualService', metadata: { name, namespace: 'test' } });

describe('OnDemandCaches', () => {
  it('starts a watch cache for a kind on first read, and serves later reads from memory', async () => {
    const kube = new FakeKube();
    await kube.create(Resources.virtualServices, vs('podinfo'));
    const caches = new OnDemandCaches({ kube, clock: new FakeClock(), logger: silentLogger });
    const reader = caches.reader();
    expect((await reader.get(Resources.virtualServices, 'test', 'podinfo'))?.metadata.name).toBe('podinfo');
    await settle();
    let gets = 0;
    const originalGet = kube.get.bind(kube);
    kube.get = (...args) => { gets += 1; return originalGet(...args); };
    for (let i = 0; i < 10; i++) expect((await reader.get(Resources.virtualServices, 'test', 'podinfo'))?.metadata.name).toBe('podinfo');
    expect(gets).toBe(0);
    await kube.create(Resources.virtualServices, vs('other'));
    expect((await reader.get(Resources.virtualServices, 'test', 'other'))?.metadata.name).toBe('other');
    caches.stop();
  });

  it('reads from the API when a kind cannot be listed (e.g. its CRD is missing)', async () => {
    const kube = new FakeKube();
    await kube.create(Resources.virtualServices, vs('podinfo'));
    kube.list = () => Promise.reject(new KubeApiError(404, 'NotFound', 'the server could not find the requested resource'));
    const caches = new OnDemandCaches({ kube, clock: new FakeClock(), logger: silentLogger });
    const reader = caches.reader();
    await reader.get(Resources.virtualServices, 'test', 'podinfo');
    await settle();
    expect((await reader.get(Resources.virtualServices, 'test', 'podinfo'))?.metadata.name).toBe('podinfo');
    caches.stop();
  });
});
