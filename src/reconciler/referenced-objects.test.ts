import { describe, expect, it } from 'vitest';
import { FakeClock, settle } from '../../test/fakes/fake-clock.js';
import { FakeKube } from '../../test/fakes/fake-kube.js';
import { Resources, type Secret } from '../kube/resources.js';
import { KubeApiError } from '../ports/kube.js';
import { silentLogger } from '../ports/logger.js';
import { ReferencedObjects, RELEASE_AFTER_MS } from './referenced-objects.js';
import type { CacheChange } from './resource-cache.js';

const aSecret = (name: string, namespace = 'test'): Secret => ({ metadata: { name, namespace }, data: { k: 'dg==' } });

async function setup(opts: { namespace?: string } = {}): Promise<{ kube: FakeKube; clock: FakeClock; secrets: ReferencedObjects<Secret> }> {
  const kube = new FakeKube();
  const clock = new FakeClock();
  for (const name of ['token', 'unrelated-a', 'unrelated-b']) await kube.create(Resources.secrets, aSecret(name));
  const secrets = new ReferencedObjects({ kube, clock, logger: silentLogger, type: Resources.secrets, ...opts });
  await secrets.start();
  return { kube, clock, secrets };
}

describe('ReferencedObjects', () => {
  it('reads nothing until asked, then lists and watches only the named object, and serves later reads from memory', async () => {
    const { kube, secrets } = await setup();
    expect(kube.reads).toEqual([]);

    expect((await secrets.read('test', 'token'))?.metadata.name).toBe('token');
    for (let i = 0; i < 5; i++) await secrets.read('test', 'token');

    expect(kube.reads).toEqual([
      { verb: 'list', kind: 'Secret', namespace: 'test', fieldSelector: 'metadata.name=token' },
      { verb: 'watch', kind: 'Secret', namespace: 'test', fieldSelector: 'metadata.name=token', labelSelector: undefined },
    ]);
    secrets.stop();
  });

  it('answers undefined for a missing object and tells listeners when it appears and changes, but not about its first read', async () => {
    const { kube, secrets } = await setup();
    const changes: CacheChange<Secret>[] = [];
    secrets.onChange((c) => changes.push(c));
    await secrets.read('test', 'token');
    expect(await secrets.read('test', 'later')).toBeUndefined();

    await kube.create(Resources.secrets, aSecret('later'));
    await kube.patch(Resources.secrets, { namespace: 'test', name: 'token' }, { data: { k: 'dzI=' } });
    await kube.patch(Resources.secrets, { namespace: 'test', name: 'unrelated-a' }, { data: { k: 'dzI=' } });
    await settle();

    expect(changes.map((c) => `${c.type} ${c.object.metadata.name}`)).toEqual(['ADDED later', 'MODIFIED token']);
    expect(secrets.peek('test', 'later')?.metadata.name).toBe('later');
    secrets.stop();
  });

  it('stops the watch of an object nobody holds once it has not been read for 15 minutes, and keeps a held one', async () => {
    const { kube, clock, secrets } = await setup();
    secrets.keepWhile((_namespace, name) => name === 'token');
    await secrets.read('test', 'token');
    await secrets.read('test', 'webhook-headers');
    expect(kube.openWatches()).toBe(2);

    await clock.advance(RELEASE_AFTER_MS - 1000);
    await secrets.read('test', 'webhook-headers');
    await clock.advance(RELEASE_AFTER_MS);
    expect(secrets.watched()).toEqual(['test/token', 'test/webhook-headers']);

    await clock.advance(RELEASE_AFTER_MS);
    expect(secrets.watched()).toEqual(['test/token']);
    expect(kube.openWatches()).toBe(1);
    secrets.stop();
    expect(kube.openWatches()).toBe(0);
  });

  it('never reads outside the operator\'s --namespace', async () => {
    const { kube, secrets } = await setup({ namespace: 'test' });
    await kube.create(Resources.secrets, aSecret('token', 'other'));

    expect(await secrets.read('other', 'token')).toBeUndefined();
    expect(kube.reads).toEqual([]);
    secrets.stop();
  });

  it('rejects a read that fails, and tries again on the next read', async () => {
    const { kube, secrets } = await setup();
    const listPage = kube.listPage.bind(kube);
    kube.listPage = () => Promise.reject(new KubeApiError(404, 'NotFound', 'the server could not find the requested resource'));
    await expect(secrets.read('test', 'token')).rejects.toThrow(/cannot list secrets/);
    expect(secrets.watched()).toEqual([]);

    kube.listPage = listPage;
    expect((await secrets.read('test', 'token'))?.metadata.name).toBe('token');
    secrets.stop();
  });
});
