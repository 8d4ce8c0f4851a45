import { describe, expect, it } from 'vitest';
import { Resources } from '../kube/resources.js';
import { KubeApiError } from '../ports/kube.js';
import { silentLogger } from '../ports/logger.js';
import { FakeClock, settle } from '../../test/fakes/fake-clock.js';
import { FakeKube } from '../../test/fakes/fake-kube.js';
import { aDaemonSet } from '../../test/fixtures/objects.js';
import { RecordingKube } from '../../test/support/recording-kube.js';
import { createClusterCaches, startClusterCaches, stopClusterCaches } from './cluster-caches.js';

describe('the DaemonSet cache', () => {
  it('lists nothing at startup and starts watching DaemonSets on the first read, which then finds them', async () => {
    const fake = new FakeKube();
    await fake.create(Resources.daemonSets, aDaemonSet({ namespace: 'test' }));
    const kube = new RecordingKube(fake);
    const caches = createClusterCaches({ kube, clock: new FakeClock(), logger: silentLogger });
    await startClusterCaches(caches);
    expect(kube.reads.filter((r) => r.kind === 'DaemonSet')).toEqual([]);

    expect(caches.daemonSets.get('test', 'podinfo-ds')).toBeUndefined();
    await settle();
    expect(caches.daemonSets.get('test', 'podinfo-ds')?.metadata.name).toBe('podinfo-ds');
    expect(kube.reads.filter((r) => r.kind === 'DaemonSet').map((r) => r.verb)).toContain('list');
    stopClusterCaches(caches);
  });

  it('retries on the next read when the first list is refused', async () => {
    const fake = new FakeKube();
    let refuse = true;
    const kube = new (class extends RecordingKube {
      override list: RecordingKube['list'] = (type, namespace, selectors) =>
        (refuse && type.kind === 'DaemonSet' ? Promise.reject(new KubeApiError(403, 'Forbidden', 'daemonsets.apps is forbidden')) : super.list(type, namespace, selectors));
    })(fake);
    const caches = createClusterCaches({ kube, clock: new FakeClock(), logger: silentLogger });
    await startClusterCaches(caches);
    caches.daemonSets.get('test', 'podinfo-ds');
    await settle();
    refuse = false;
    await fake.create(Resources.daemonSets, aDaemonSet({ namespace: 'test' }));
    caches.daemonSets.get('test', 'podinfo-ds');
    await settle();
    expect(caches.daemonSets.get('test', 'podinfo-ds')?.metadata.name).toBe('podinfo-ds');
    stopClusterCaches(caches);
  });
});
