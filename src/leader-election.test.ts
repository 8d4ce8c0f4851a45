import { describe, expect, it } from 'vitest';
import { FakeClock, settle } from '../test/fakes/fake-clock.js';
import { FakeKube } from '../test/fakes/fake-kube.js';
import { replicaLink, skewedClock, type ReplicaLink } from '../test/fakes/replica-link.js';
import { LeadershipLostError } from './errors.js';
import { Resources } from './kube/resources.js';
import { LeaderElector } from './leader-election.js';
import type { Clock } from './ports/clock.js';
import { KubeApiError } from './ports/kube.js';
import { silentLogger } from './ports/logger.js';

const timing = { leaseDurationMs: 60_000, renewDeadlineMs: 15_000, retryPeriodMs: 5_000 };
const NAMESPACE = 'kube-system';

/** One replica campaigning over its own link, recording (on the shared base clock) when it led and lost. */
function replica(kube: FakeKube, base: FakeClock, clock: Clock = base): { elector: LeaderElector; link: ReplicaLink; ledAt?: number; lostAt?: number } {
  const link = replicaLink(kube);
  const elector = new LeaderElector({ kube: link.kube, clock, logger: silentLogger, namespace: NAMESPACE, timing });
  const r: { elector: LeaderElector; link: ReplicaLink; ledAt?: number; lostAt?: number } = { elector, link };
  void elector.run(() => { r.ledAt = base.now(); return Promise.resolve(); }, () => { r.lostAt = base.now(); });
  return r;
}

const holder = async (kube: FakeKube): Promise<string | undefined> =>
  (await kube.get(Resources.leases, NAMESPACE, 'flagger-leader-election'))?.spec?.holderIdentity;

describe('leader election', () => {
  it('lets one replica lead, and another take over once the lease expires', async () => {
    const kube = new FakeKube();
    const clock = new FakeClock();
    const deps = { kube, clock, logger: silentLogger, namespace: NAMESPACE, timing };
    const first = new LeaderElector(deps);
    const second = new LeaderElector(deps);
    const leading: string[] = [];
    void first.run(() => { leading.push('first'); return Promise.resolve(); }, () => leading.push('first lost'));
    await settle();
    void second.run(() => { leading.push('second'); return Promise.resolve(); }, () => leading.push('second lost'));
    await clock.advance(30_000);
    expect(leading).toEqual(['first']);
    expect(await holder(kube)).toBe(first.identity);

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

  it.each([['behind', -120_000], ['ahead of', 120_000]])(
    'a follower whose clock is 2 minutes %s the holder\'s takes over one lease duration after it last saw a renewal, never earlier or later',
    async (_, skewMs) => {
      const kube = new FakeKube();
      const clock = new FakeClock();
      const first = replica(kube, clock);
      await settle();
      const second = replica(kube, clock, skewedClock(clock, skewMs));
      await clock.advance(120_000);
      expect(await holder(kube)).toBe(first.elector.identity);
      expect(second.ledAt).toBeUndefined();

      // The holder dies: its renewals stop reaching the API server. Its last one was at most one retry period ago.
      first.link.state = 'down';
      const diedAt = clock.now();
      await clock.advance(120_000);
      expect(await holder(kube)).toBe(second.elector.identity);
      const takeover = (second.ledAt ?? Number.NaN) - diedAt;
      expect(takeover).toBeGreaterThanOrEqual(timing.leaseDurationMs - timing.retryPeriodMs);
      expect(takeover).toBeLessThanOrEqual(timing.leaseDurationMs + 2 * timing.retryPeriodMs);
    });

  it('abandons a renewal that hangs longer than the lease and reports leadership lost before any follower may take over', async () => {
    const kube = new FakeKube();
    const clock = new FakeClock();
    const first = replica(kube, clock);
    await settle();
    const second = replica(kube, clock);
    await clock.advance(30_000);
    expect(await holder(kube)).toBe(first.elector.identity);

    // A partition: the holder's requests neither arrive nor fail, for longer than the lease.
    first.link.state = 'hang';
    const partitionedAt = clock.now();
    await clock.advance(3 * timing.leaseDurationMs);

    expect(first.link.aborted).toBeGreaterThan(0);
    expect(first.link.hanging).toBe(0);
    // Lost by the renew deadline after its last renewal (sent at most one retry period before the partition)...
    expect(first.lostAt).toBeDefined();
    expect((first.lostAt ?? Number.NaN) - partitionedAt).toBeLessThanOrEqual(timing.renewDeadlineMs);
    // ...which is before the follower's lease ran out and it took over.
    expect(second.ledAt).toBeGreaterThan(first.lostAt ?? Number.POSITIVE_INFINITY);
    expect((second.ledAt ?? Number.NaN) - partitionedAt).toBeGreaterThanOrEqual(timing.leaseDurationMs - timing.retryPeriodMs);
    expect(await holder(kube)).toBe(second.elector.identity);
  });

  it('reports leadership lost with the last failed renewal as its cause', async () => {
    const kube = new FakeKube();
    const clock = new FakeClock();
    const link = replicaLink(kube);
    const elector = new LeaderElector({ kube: link.kube, clock, logger: silentLogger, namespace: NAMESPACE, timing });
    let lost: LeadershipLostError | undefined;
    void elector.run(() => Promise.resolve(), (error) => { lost = error; });
    await clock.advance(10_000);
    link.state = 'down';
    await clock.advance(timing.renewDeadlineMs + timing.retryPeriodMs);
    expect(lost).toBeInstanceOf(LeadershipLostError);
    expect(lost).toMatchObject({ code: 'LeadershipLost', retriable: false, message: `lost leadership of Lease ${NAMESPACE}/flagger-leader-election` });
    expect((lost?.cause as Error | undefined)?.message).toBe('connect ECONNREFUSED');
  });

  it('keeps campaigning through any API error (server down, 500), and leads once the API server answers', async () => {
    const kube = new FakeKube();
    const clock = new FakeClock();
    const only = replica(kube, clock);
    only.link.state = 'down';
    await clock.advance(30_000);
    only.link.state = 'up';
    kube.failNext.push(new KubeApiError(500, 'InternalError', 'etcdserver: leader changed'));
    await clock.advance(30_000);
    expect(only.ledAt).toBeDefined();
    expect(await holder(kube)).toBe(only.elector.identity);
  });

  it('lets exactly one of two replicas lead when both find the Lease free at the same moment', async () => {
    const kube = new FakeKube();
    const clock = new FakeClock();
    const replicas = [replica(kube, clock), replica(kube, clock)];
    await clock.advance(60_000);
    expect(replicas.filter((r) => r.ledAt !== undefined)).toHaveLength(1);
    const [leader, follower] = replicas[0]?.ledAt !== undefined ? [replicas[0], replicas[1]] : [replicas[1], replicas[0]];
    await leader?.elector.release();
    await clock.advance(timing.retryPeriodMs);
    expect(await holder(kube)).toBe(follower?.elector.identity);
  });

  it('rejects a renew deadline that is not shorter than the lease', () => {
    const deps = { kube: new FakeKube(), clock: new FakeClock(), logger: silentLogger, namespace: NAMESPACE };
    expect(() => new LeaderElector({ ...deps, timing: { leaseDurationMs: 15_000, renewDeadlineMs: 15_000, retryPeriodMs: 5_000 } }))
      .toThrow('the lease duration (15000 ms) must be longer than the renew deadline (15000 ms)');
    expect(() => new LeaderElector({ ...deps, timing: { leaseDurationMs: 60_000, renewDeadlineMs: 5_000, retryPeriodMs: 5_000 } }))
      .toThrow('must be longer than 1.2 × the retry period');
  });
});
