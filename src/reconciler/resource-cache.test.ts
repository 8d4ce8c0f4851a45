import { describe, expect, it } from 'vitest';
import { FakeClock, settle } from '../../test/fakes/fake-clock.js';
import { FakeKube } from '../../test/fakes/fake-kube.js';
import { Resources, type ConfigMap } from '../kube/resources.js';
import { KubeApiError } from '../ports/kube.js';
import { silentLogger } from '../ports/logger.js';
import { ResourceCache, type CacheChange } from './resource-cache.js';

const cm = (name: string, value = 'v'): ConfigMap => ({ metadata: { name, namespace: 'ns' }, data: { value } });

async function startedCache(kube: FakeKube, clock: FakeClock): Promise<{ cache: ResourceCache<ConfigMap>; changes: CacheChange<ConfigMap>[] }> {
  const cache = new ResourceCache({ kube, clock, logger: silentLogger, type: Resources.configMaps, relistIntervalMs: 60_000,
    // Jitter at its top (random 1): each delay is the full ceiling, 1 s, 2 s, … (jitter: resource-cache-faults.test.ts).
    backoff: { initialMs: 1000, maxMs: 8000 }, random: () => 1 });
  const changes: CacheChange<ConfigMap>[] = [];
  cache.onChange((c) => changes.push(c));
  await cache.start();
  await settle();
  return { cache, changes };
}

describe('ResourceCache', () => {
  it('fills from the first list and then follows watch events', async () => {
    const kube = new FakeKube();
    const clock = new FakeClock();
    await kube.create(Resources.configMaps, cm('a'));
    const { cache, changes } = await startedCache(kube, clock);
    expect(cache.isSynced()).toBe(true);
    expect(cache.get('ns', 'a')?.data).toEqual({ value: 'v' });

    await kube.create(Resources.configMaps, cm('b'));
    await kube.patch(Resources.configMaps, { namespace: 'ns', name: 'a' }, { data: { value: 'w' } });
    await kube.delete(Resources.configMaps, { namespace: 'ns', name: 'b' });
    await settle();

    expect(cache.get('ns', 'a')?.data).toEqual({ value: 'w' });
    expect(cache.get('ns', 'b')).toBeUndefined();
    expect(changes.map((c) => `${c.type} ${c.object.metadata.name}`)).toEqual(['ADDED a', 'ADDED b', 'MODIFIED a', 'DELETED b']);
    cache.stop();
  });

  it('serves reads from memory, making no API calls in steady state', async () => {
    const kube = new FakeKube();
    const clock = new FakeClock();
    await kube.create(Resources.configMaps, cm('a'));
    const { cache } = await startedCache(kube, clock);
    const listSpy = { calls: 0 };
    const originalList = kube.list.bind(kube);
    kube.list = (...args) => { listSpy.calls += 1; return originalList(...args); };
    for (let i = 0; i < 100; i++) cache.get('ns', 'a');
    await clock.advance(59_000);
    expect(listSpy.calls).toBe(0);
    cache.stop();
  });

  it('re-lists after a broken watch with capped exponential backoff, and reports what changed meanwhile', async () => {
    const kube = new FakeKube();
    const clock = new FakeClock();
    await kube.create(Resources.configMaps, cm('a'));
    const { cache, changes } = await startedCache(kube, clock);
    kube.breakWatches(new Error('connection reset'));
    await settle();
    expect(kube.openWatches()).toBe(0);
    await clock.advance(999);
    expect(kube.openWatches()).toBe(0);
    await clock.advance(1);
    expect(kube.openWatches()).toBe(1);

    kube.breakWatches(new Error('connection reset'));
    await clock.advance(1999);
    expect(kube.openWatches()).toBe(0);
    await clock.advance(1);
    expect(kube.openWatches()).toBe(1);
    expect(changes.map((c) => c.type)).toEqual(['ADDED']);
    cache.stop();
  });

  it('re-lists at once after 410 Gone', async () => {
    const kube = new FakeKube();
    const clock = new FakeClock();
    const { cache } = await startedCache(kube, clock);
    kube.breakWatches(new KubeApiError(410, 'Expired', 'too old resource version'));
    await settle();
    expect(kube.openWatches()).toBe(1);
    cache.stop();
  });

  it('re-lists periodically and turns objects missed by a stalled watch into DELETED changes', async () => {
    const kube = new FakeKube();
    const clock = new FakeClock();
    await kube.create(Resources.configMaps, cm('a'));
    const { cache, changes } = await startedCache(kube, clock);
    kube.muteWatches = true;
    await kube.delete(Resources.configMaps, { namespace: 'ns', name: 'a' });
    await clock.advance(59_000);
    expect(cache.get('ns', 'a')).toBeDefined();
    await clock.advance(1000);
    expect(cache.get('ns', 'a')).toBeUndefined();
    expect(changes.map((c) => c.type)).toEqual(['ADDED', 'DELETED']);
    cache.stop();
  });
});
