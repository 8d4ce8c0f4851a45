import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../test/fakes/fake-clock.js';
import { FakeKube } from '../test/fakes/fake-kube.js';
import { Resources } from './kube/resources.js';
import { LeaderElector } from './leader-election.js';
import { KubeApiError } from './ports/kube.js';
import { silentLogger } from './ports/logger.js';

const timing = { leaseDurationMs: 60_000, renewDeadlineMs: 15_000, retryPeriodMs: 5_000 };
const refused = (): Error => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' });

describe('a follower campaigning for the lease', () => {
  const unhandled: unknown[] = [];
  const record = (reason: unknown): void => { unhandled.push(reason); };
  beforeEach(() => { unhandled.length = 0; process.on('unhandledRejection', record); });
  afterEach(() => { process.off('unhandledRejection', record); });

  it('survives any API error while the API server is down (not only 409), and leads once the lease is free', async () => {
    const kube = new FakeKube();
    const clock = new FakeClock();
    const deps = { kube, clock, logger: silentLogger, namespace: 'kube-system', timing };
    // Another replica leads: it holds the Lease and renewed it just now.
    const renewTime = new Date(clock.now()).toISOString() as unknown as Date;
    await kube.create(Resources.leases, {
      apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'flagger-leader-election', namespace: 'kube-system' },
      spec: { holderIdentity: 'other-replica', leaseDurationSeconds: 60, renewTime },
    });
    const follower = new LeaderElector(deps);
    const leading: string[] = [];

    // The API server goes away: every read of the Lease is refused, then throttled, then fails with 500.
    const get = kube.get.bind(kube);
    const errors = [refused(), new KubeApiError(429, 'TooManyRequests', 'slow down', 1000), new KubeApiError(500, 'InternalError', 'etcd leader changed')];
    let failing = 0;
    kube.get = (...args) => (failing < 9 ? Promise.reject(errors[failing++ % 3]!) : get(...args));
    let outcome = 'running';
    follower.run(() => { leading.push('follower'); return Promise.resolve(); }, () => leading.push('follower lost'))
      .then(() => { outcome = 'returned'; }, (error: unknown) => { outcome = `rejected: ${String(error)}`; });
    await clock.advance(50_000);
    expect(outcome).toBe('running');
    expect(failing).toBe(9);

    // The other replica steps down; the follower, still campaigning, takes the Lease.
    const lease = await kube.get(Resources.leases, 'kube-system', 'flagger-leader-election');
    await kube.replace(Resources.leases, { ...lease!, spec: { ...lease!.spec, holderIdentity: undefined, renewTime: undefined } });
    await clock.advance(10_000);
    expect(leading).toEqual(['follower']);
    expect((await kube.get(Resources.leases, 'kube-system', 'flagger-leader-election'))?.spec?.holderIdentity).toBe(follower.identity);
    expect(unhandled).toEqual([]);
    await follower.release();
  });
});
