import { afterEach, describe, expect, it } from 'vitest';
import { findCondition } from '../../src/api/conditions.js';
import type { Condition } from '../../src/api/common.js';
import { CanaryResource } from '../../src/reconciler/cluster-caches.js';
import { settle } from '../fakes/fake-clock.js';
import { aCanary, aDeployment } from '../fixtures/objects.js';
import type { ReleaseEnd } from '../../src/telemetry/domain-events.js';
import { kstatusOf } from '../support/kstatus.js';
import { World } from './world.js';

const INTERVAL = 15_000;

async function initialized(analysis: Record<string, unknown> = {}): Promise<World> {
  const world = await new World().start();
  await world.create('deployment', aDeployment({ replicas: 2 }));
  const canary = aCanary({ provider: 'istio' });
  (canary.spec as Record<string, unknown>).analysis = { interval: '15s', threshold: 2, stepWeight: 50, maxWeight: 50, ...analysis };
  await world.create('canary', canary);
  await world.makeReady('podinfo-primary');
  return world;
}

async function canary(world: World): Promise<{ metadata: { generation?: number }; status: { observedGeneration?: number; conditions?: Condition[]; lastAppliedSpec?: string; lastPromotedSpec?: string } }> {
  const object = await world.kube.get(CanaryResource, 'test', 'podinfo');
  if (object === undefined) throw new Error('no canary');
  return { metadata: object.metadata, status: object.status ?? {} };
}

async function interval(world: World): Promise<void> {
  await world.advance(INTERVAL);
  await world.makeReady('podinfo');
  await world.makeReady('podinfo-primary');
}

describe('kstatus conditions through a release', () => {
  let world: World;
  afterEach(async () => world.stop());

  it('is Current and Ready at rest, naming the promoted revision, with every condition at the observed generation', async () => {
    world = await initialized();
    const c = await canary(world);
    expect(kstatusOf(c).status).toBe('Current');
    const conditions = c.status.conditions ?? [];
    expect(findCondition(conditions, 'Ready')).toMatchObject({ status: 'True', reason: 'Initialized', message: `initialization finished (revision ${c.status.lastPromotedSpec ?? ''})` });
    expect(findCondition(conditions, 'Reconciling')).toMatchObject({ status: 'False', reason: 'Initialized' });
    expect(findCondition(conditions, 'Stalled')).toMatchObject({ status: 'False', reason: 'ValidSpec' });
    expect(conditions.map((x) => x.observedGeneration)).toEqual(conditions.map(() => c.metadata.generation));
  });

  it('is InProgress while the new revision is analysed, names it, and is Current and Ready once it is promoted', async () => {
    world = await initialized();
    const before = (await canary(world)).status.lastPromotedSpec;
    await world.setImage('podinfo', 'ghcr.io/stefanprodan/podinfo:6.0.1');
    await world.makeReady('podinfo');
    const running = await canary(world);
    const revision = running.status.lastAppliedSpec ?? '';
    expect(revision).not.toBe(before);
    expect(kstatusOf(running)).toEqual({ status: 'InProgress', message: `analysing revision ${revision}: canary weight 0, failed checks 0/2` });
    expect(findCondition(running.status.conditions, 'Ready')).toMatchObject({ status: 'Unknown', reason: 'Progressing' });
    await interval(world);
    expect(kstatusOf(await canary(world)).message).toBe(`analysing revision ${revision}: canary weight 50, failed checks 0/2`);
    for (let i = 0; i < 4 && (await world.canaryStatus()).phase !== 'Succeeded'; i++) await interval(world);
    const done = await canary(world);
    expect(kstatusOf(done).status).toBe('Current');
    expect(findCondition(done.status.conditions, 'Ready')).toMatchObject({ status: 'True', reason: 'Succeeded', message: `promotion finished (revision ${revision})` });
    expect(done.status.lastPromotedSpec).toBe(revision);
  });

  it('is Failed (Stalled) once the run rolls back, and InProgress again when the next revision starts', async () => {
    world = await initialized({ metrics: [{ name: 'request-success-rate', thresholdRange: { min: 99 }, interval: '1m' }] });
    world.metricValue = 50;
    await world.setImage('podinfo', 'ghcr.io/stefanprodan/podinfo:6.0.1');
    for (let i = 0; i < 5 && (await world.canaryStatus()).phase !== 'Failed'; i++) await interval(world);
    expect(kstatusOf(await canary(world))).toEqual({
      status: 'Failed', message: 'Rolling back podinfo.test failed checks threshold reached 2, last: metric request-success-rate: success rate 50.00% < 99%',
    });
    world.metricValue = 100;
    await world.setImage('podinfo', 'ghcr.io/stefanprodan/podinfo:6.0.2');
    await world.makeReady('podinfo');
    const next = await canary(world);
    expect(kstatusOf(next).status).toBe('InProgress');
    expect(findCondition(next.status.conditions, 'Stalled')).toMatchObject({ status: 'False', reason: 'ValidSpec' });
  });

  it('moves every condition to the new generation when the Canary spec changes, without a new run', async () => {
    world = await initialized();
    await world.kube.patch(CanaryResource, { namespace: 'test', name: 'podinfo' }, { spec: { analysis: { interval: '15s', threshold: 3, stepWeight: 50, maxWeight: 50 } } });
    await settle();
    await world.advance(INTERVAL);
    const c = await canary(world);
    expect(c.metadata.generation).toBe(2);
    expect(c.status.observedGeneration).toBe(2);
    expect((c.status.conditions ?? []).map((x) => x.observedGeneration)).toEqual((c.status.conditions ?? []).map(() => 2));
    expect(kstatusOf(c).status).toBe('Current');
  });
});

describe('the end of a release, as the outcome metrics hear it', () => {
  let world: World;
  afterEach(async () => world.stop());

  function ends(w: World): { releases: ReleaseEnd[]; phases: [string, number | undefined][] } {
    const heard = { releases: [] as ReleaseEnd[], phases: [] as [string, number | undefined][] };
    w.bus.on('releaseEnded', (end) => heard.releases.push(end));
    w.bus.on('phaseChanged', (change) => heard.phases.push([change.from, change.seconds]));
    return heard;
  }

  it('is one succeeded release, timed from the revision seen to Succeeded, with the time of each phase', async () => {
    world = await initialized();
    const heard = ends(world);
    await world.setImage('podinfo', 'ghcr.io/stefanprodan/podinfo:6.0.1');
    await world.makeReady('podinfo');
    for (let i = 0; i < 6 && (await world.canaryStatus()).phase !== 'Succeeded'; i++) await interval(world);
    await world.advance(INTERVAL * 2);
    expect(heard.releases).toEqual([{ canary: expect.objectContaining({ target: 'podinfo' }), result: 'succeeded', reason: 'Succeeded', seconds: expect.any(Number) }]);
    // Progressing (two intervals: weight 50, then promote), Promoting and Finalising (one interval each).
    expect(heard.releases[0]?.seconds).toBe(4 * INTERVAL / 1000);
    expect(heard.phases).toEqual([['Initialized', expect.any(Number)], ['Progressing', 30], ['Promoting', 15], ['Finalising', 15]]);
  });

  it('is one failed release with the reason of the Ready condition', async () => {
    world = await initialized({ metrics: [{ name: 'request-success-rate', thresholdRange: { min: 99 }, interval: '1m' }] });
    const heard = ends(world);
    world.metricValue = 50;
    await world.setImage('podinfo', 'ghcr.io/stefanprodan/podinfo:6.0.1');
    for (let i = 0; i < 6; i++) await interval(world);
    expect(heard.releases.map((r) => [r.result, r.reason])).toEqual([['failed', 'CheckFailed']]);
  });
});
