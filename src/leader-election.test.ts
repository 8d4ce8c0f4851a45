import { describe, expect, it } from 'vitest';
import { FakeClock, settle } from '../test/fakes/fake-clock.js';
import { FakeKube } from '../test/fakes/fake-kube.js';
import { Resources } from './kube/resources.js';
import { LeaderElector } from './leader-election.js';
import { silentLogger } from './ports/logger.js';

const timing = { leaseDurationMs: 60_000, renewDeadlineMs: 15_000, retryPeriodMs: 5_000 };

describe('leader election', () => {
  it('lets one replica lead, and another take over once the lease expires', async () => {
    const kube = new FakeKube();
    const clock = new FakeClock();
    const deps = { kube, clock, logger: silentLogger, namespace: 'kube-system', timing };
    const first = new LeaderElector(deps);
    const second = new LeaderElector(deps);
    const leading: string[] = [];
    void first.run(() => { leading.push('first'); return Promise.resolve(); }, () => leading.push('first lost'));
    await settle();
    void second.run(() => { leading.push('second'); return Promise.resolve(); }, () => leading.push('second lost'));
    await clock.advance(30_000);
    expect(leading).toEqual(['first']);
    expect((await kube.get(Resources.leases, 'kube-system', 'flagger-leader-election'))?.spec?.holderIdentity).toBe(first.identity);

    // The first replica hangs: its renewals stop, and the lease expires 60 s after the last one.
    kube.failNext.push(...Array.from({ length: 40 }, () => new Error('network down')));
    await clock.advance(20_000);
    expect(leading).toContain('first lost');
    kube.failNext.length = 0;
    await clock.advance(70_000);
    expect(leading).toEqual(['first', 'first lost', 'second']);
    await second.release();
    await first.release();
  });
});
