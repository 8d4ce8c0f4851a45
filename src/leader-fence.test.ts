import { describe, expect, it } from 'vitest';
import { FakeClock, settle } from '../test/fakes/fake-clock.js';
import { FakeKube } from '../test/fakes/fake-kube.js';
import { replicaLink } from '../test/fakes/replica-link.js';
import { Resources } from './kube/resources.js';
import { LeaderElector } from './leader-election.js';
import { NotLeaderError } from './errors.js';
import { fenceWrites } from './leader-fence.js';
import type { Kube } from './ports/kube.js';
import { silentLogger } from './ports/logger.js';

const timing = { leaseDurationMs: 60_000, renewDeadlineMs: 15_000, retryPeriodMs: 5_000 };
const config = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app', namespace: 'test' }, data: { a: '1' } };

/** A leading replica whose operator writes go through the fence, over a link the test can cut. */
async function leadingReplica(): Promise<{ kube: FakeKube; clock: FakeClock; link: ReturnType<typeof replicaLink>; elector: LeaderElector; lost: () => boolean }> {
  const kube = new FakeKube();
  const clock = new FakeClock();
  const link = replicaLink(kube);
  const elector = new LeaderElector({ kube: link.kube, clock, logger: silentLogger, namespace: 'kube-system', timing });
  let lost = false;
  void elector.run(() => Promise.resolve(), () => { lost = true; });
  await clock.advance(10_000);
  return { kube, clock, link, elector, lost: () => lost };
}

const writesBesidesTheLease = (kube: FakeKube): string[] => kube.writes.filter((w) => w.kind !== 'Lease').map((w) => `${w.verb} ${w.kind} ${w.name}`);

describe('the leadership fence on the operator\'s writes', () => {
  it('passes writes while this replica leads', async () => {
    const { kube, clock, link, elector } = await leadingReplica();
    const fenced = fenceWrites(link.kube, elector, clock);
    await fenced.create(Resources.configMaps, config);
    await fenced.patch(Resources.configMaps, { namespace: 'test', name: 'app' }, { data: { a: '2' } });
    expect(writesBesidesTheLease(kube)).toEqual(['create ConfigMap app', 'update ConfigMap app']);
    expect(await fenced.get(Resources.configMaps, 'test', 'app')).toMatchObject({ data: { a: '2' } });
  });

  it('refuses every write once leadership is lost, and none of them reaches the API server', async () => {
    const { kube, clock, link, elector, lost } = await leadingReplica();
    const fenced = fenceWrites(link.kube, elector, clock);
    await fenced.create(Resources.configMaps, config);
    link.state = 'down';
    await clock.advance(timing.renewDeadlineMs + timing.retryPeriodMs);
    expect(lost()).toBe(true);
    // The API server is reachable again, but this replica is no longer leader: a tick in flight writes nothing.
    link.state = 'up';
    const attempts = [
      fenced.create(Resources.configMaps, { ...config, metadata: { ...config.metadata, name: 'other' } }),
      fenced.patch(Resources.configMaps, { namespace: 'test', name: 'app' }, { data: { a: '3' } }),
      fenced.patch(Resources.deployments, { namespace: 'test', name: 'app' }, { status: {} }, { subresource: 'status' }),
      fenced.delete(Resources.configMaps, { namespace: 'test', name: 'app' }),
      fenced.create(Resources.events, { apiVersion: 'v1', kind: 'Event', metadata: { name: 'app.1', namespace: 'test' }, involvedObject: {} }),
    ];
    for (const attempt of attempts) await expect(attempt).rejects.toBeInstanceOf(NotLeaderError);
    await expect(attempts[1]).rejects.toThrow('patch ConfigMap test/app refused: this replica does not hold the leader Lease');
    expect(writesBesidesTheLease(kube)).toEqual(['create ConfigMap app']);
  });

  it('aborts a write that is still in flight when leadership ends', async () => {
    const { kube, clock, link, elector } = await leadingReplica();
    const fenced = fenceWrites(link.kube, elector, clock);
    link.state = 'hang';
    const write = fenced.create(Resources.configMaps, config);
    const outcome = write.then(() => 'written', (error: unknown) => error);
    await clock.advance(timing.renewDeadlineMs);
    expect(await outcome).toBeInstanceOf(NotLeaderError);
    expect(link.hanging).toBe(0);
    await settle();
    expect(writesBesidesTheLease(kube)).toEqual([]);
  });

  it('keeps a slow write that outlasts one renew deadline while renewals keep leadership', async () => {
    const { clock, link, elector } = await leadingReplica();
    const slowKube: Kube = { ...link.kube, create: (type, object, opts) => clock.sleep(timing.renewDeadlineMs + 1_000).then(() => link.kube.create(type, object, opts)) };
    const fenced = fenceWrites(slowKube, elector, clock);
    const write = fenced.create(Resources.configMaps, config).then(() => 'written', (error: unknown) => String(error));
    await clock.advance(timing.renewDeadlineMs + 2_000);
    expect(await write).toBe('written');
  });
});
