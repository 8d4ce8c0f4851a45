import { afterEach, describe, expect, it } from 'vitest';
import { findCondition } from '../../src/api/conditions.js';
import { Resources } from '../../src/kube/resources.js';
import type { KubeObject } from '../../src/ports/kube.js';
import { aCanary, aDeployment } from '../fixtures/objects.js';
import { World } from './world.js';

const INTERVAL = 15_000;
const DEADLINE_SECONDS = 60;
interface VirtualService extends KubeObject { spec?: { http?: { route?: { destination: { host: string }; weight?: number }[] }[] } }

/** An Istio canary (deadline 60 s, interval 15 s) initialized, then given a new image: phase Progressing. */
async function progressing(analysis: Record<string, unknown>, spec: Record<string, unknown> = {}): Promise<World> {
  const world = await new World().start();
  await world.create('deployment', aDeployment({ replicas: 2 }));
  const canary = aCanary({ provider: 'istio' });
  Object.assign(canary.spec as Record<string, unknown>, { analysis: { interval: '15s', threshold: 2, ...analysis }, ...spec });
  await world.create('canary', canary);
  await world.makeReady('podinfo-primary');
  await world.setImage('podinfo', 'ghcr.io/stefanprodan/podinfo:6.0.1');
  await world.makeReady('podinfo');
  return world;
}

async function ticks(world: World, n: number, opts: { primaryReady: boolean } = { primaryReady: true }): Promise<void> {
  for (let i = 0; i < n; i++) {
    await world.advance(INTERVAL);
    await world.makeReady('podinfo');
    if (opts.primaryReady) await world.makeReady('podinfo-primary');
  }
}

async function routes(world: World): Promise<{ primary?: number; canary?: number }> {
  const vs = await world.kube.get<VirtualService>(Resources.virtualServices, 'test', 'podinfo');
  const route = vs?.spec?.http?.at(-1);
  const weight = (host: string): number | undefined => route?.route?.find((r) => r.destination.host === host)?.weight;
  return { primary: weight('podinfo-primary'), canary: weight('podinfo-canary') };
}

/**
 * Plays a Deployment controller that cannot schedule the new pods (a cordoned node): the new template is
 * observed, one surge pod is created but never becomes available, the two old pods keep serving, so the
 * Deployment stays Available and Progressing (its own 600 s deadline is far away).
 */
async function newPodsUnschedulable(world: World, name: string): Promise<void> {
  const d = await world.deployment(name);
  const since = new Date(world.clock.now()).toISOString();
  await world.kube.patch(Resources.deployments, { namespace: 'test', name }, {
    status: {
      observedGeneration: d?.metadata.generation, replicas: 3, updatedReplicas: 1, readyReplicas: 2, availableReplicas: 2, unavailableReplicas: 1,
      conditions: [
        { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', lastUpdateTime: since, lastTransitionTime: since },
        { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', lastUpdateTime: since, lastTransitionTime: since },
      ],
    },
  }, { subresource: 'status' });
}

describe('deadlines of the phases that wait', () => {
  let world: World;
  afterEach(async () => world.stop());

  it('fails a promotion whose primary cannot roll out within progressDeadlineSeconds, leaving all traffic on the canary', async () => {
    world = await progressing({ stepWeight: 50, maxWeight: 50 });
    await ticks(world, 2);
    expect((await world.canaryStatus()).phase).toBe('Promoting');
    await newPodsUnschedulable(world, 'podinfo-primary');
    await ticks(world, DEADLINE_SECONDS / (INTERVAL / 1000), { primaryReady: false });
    expect((await world.canaryStatus()).phase).toBe('Promoting');
    await ticks(world, 2, { primaryReady: false });
    const status = await world.canaryStatus();
    expect([status.phase, status.canaryWeight]).toEqual(['Failed', 100]);
    expect(await routes(world)).toMatchObject({ primary: 0, canary: 100 });
    expect((await world.deployment('podinfo'))?.spec?.replicas).toBe(2);
    const ready = findCondition(status.conditions, 'Ready');
    expect(ready).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded' });
    expect(ready?.message).toContain('progressDeadlineSeconds (60s)');
    const alerts = world.notices.filter((n) => n.alert === true && n.message.startsWith('Promotion failed'));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.message).toContain('not rolled out within progressDeadlineSeconds (60s)');
  });

  it('does not cut short a promotion that moves in stepWeightPromotion steps longer than the deadline, even if the primary dips meanwhile', async () => {
    world = await progressing({ stepWeight: 50, maxWeight: 50, stepWeightPromotion: 5 });
    await ticks(world, 2);
    expect((await world.canaryStatus()).phase).toBe('Promoting');
    await ticks(world, 6);
    // One replica of the primary restarts: not ready for an interval, 105 s after the promotion began.
    await world.kube.patch(Resources.deployments, { namespace: 'test', name: 'podinfo-primary' }, { status: { availableReplicas: 1 } }, { subresource: 'status' });
    await ticks(world, 1, { primaryReady: false });
    expect((await world.canaryStatus()).phase).toBe('Promoting');
    await ticks(world, 8);
    expect((await world.canaryStatus()).phase).toBe('Succeeded');
  });

  it('fails a run held in WaitingPromotion past approvalDeadlineSeconds and rolls it back', async () => {
    const gate = 'http://loadtester.test/gate/check';
    world = await progressing({ stepWeight: 50, maxWeight: 50, webhooks: [{ name: 'approve', type: 'confirm-promotion', url: gate }] }, { approvalDeadlineSeconds: 60 });
    world.hookStatus.set(gate, 403);
    await ticks(world, 2);
    expect((await world.canaryStatus()).phase).toBe('WaitingPromotion');
    await ticks(world, 4);
    expect((await world.canaryStatus()).phase).toBe('WaitingPromotion');
    await ticks(world, 1);
    const status = await world.canaryStatus();
    expect(status.phase).toBe('Failed');
    expect(await routes(world)).toMatchObject({ primary: 100, canary: 0 });
    expect((await world.deployment('podinfo'))?.spec?.replicas).toBe(0);
    expect(findCondition(status.conditions, 'Ready')).toMatchObject({
      status: 'False', reason: 'ApprovalDeadlineExceeded',
      message: 'Rolling back podinfo.test confirm-promotion approval not given within approvalDeadlineSeconds (60s)',
    });
    expect(world.notices.filter((n) => n.alert === true && n.message.startsWith('Rolling back'))).toHaveLength(1);
  });

  it('fails a run whose weight a closed confirm-traffic-increase gate holds past approvalDeadlineSeconds', async () => {
    const gate = 'http://loadtester.test/gate/check';
    world = await progressing({ stepWeight: 10, maxWeight: 50, webhooks: [{ name: 'more', type: 'confirm-traffic-increase', url: gate }] }, { approvalDeadlineSeconds: 60 });
    await ticks(world, 1);
    expect(await routes(world)).toMatchObject({ primary: 90, canary: 10 });
    world.hookStatus.set(gate, 403);
    await ticks(world, 5);
    expect((await world.canaryStatus()).phase).toBe('Progressing');
    expect(await routes(world)).toMatchObject({ primary: 90, canary: 10 });
    await ticks(world, 1);
    const status = await world.canaryStatus();
    expect(status.phase).toBe('Failed');
    expect(await routes(world)).toMatchObject({ primary: 100, canary: 0 });
    expect(findCondition(status.conditions, 'Ready')?.message).toContain('confirm-traffic-increase approval not given within approvalDeadlineSeconds (60s)');
  });

  it('restarts the hold of confirm-traffic-increase each time the gate opens', async () => {
    const gate = 'http://loadtester.test/gate/check';
    world = await progressing({ stepWeight: 10, maxWeight: 50, webhooks: [{ name: 'more', type: 'confirm-traffic-increase', url: gate }] }, { approvalDeadlineSeconds: 60 });
    await ticks(world, 1);
    for (const canary of [20, 30, 40]) {
      world.hookStatus.set(gate, 403);
      await ticks(world, 4);
      world.hookStatus.set(gate, 200);
      await ticks(world, 1);
      expect(await routes(world)).toMatchObject({ canary });
    }
    expect((await world.canaryStatus()).phase).toBe('Progressing');
  });

  it('fails a revision held in Waiting past approvalDeadlineSeconds without touching the cluster, and waits again for the next one', async () => {
    const gate = 'http://loadtester.test/gate/halt';
    world = await new World().start();
    world.hookStatus.set(gate, 403);
    await world.create('deployment', aDeployment());
    const canary = aCanary({ provider: 'istio' });
    Object.assign(canary.spec as Record<string, unknown>, { approvalDeadlineSeconds: 60 });
    (canary.spec as { analysis: Record<string, unknown> }).analysis.webhooks = [{ name: 'rollout-gate', type: 'confirm-rollout', url: gate }];
    await world.create('canary', canary);
    await world.makeReady('podinfo-primary');
    await world.setImage('podinfo', 'ghcr.io/stefanprodan/podinfo:6.0.1');
    await world.advance(INTERVAL * 3);
    expect((await world.canaryStatus()).phase).toBe('Waiting');
    await world.advance(INTERVAL * 3);
    let status = await world.canaryStatus();
    expect(status.phase).toBe('Failed');
    expect(findCondition(status.conditions, 'Ready')).toMatchObject({ reason: 'ApprovalDeadlineExceeded' });
    expect((await world.deployment('podinfo'))?.spec?.replicas).toBe(0);
    expect(await routes(world)).toMatchObject({ primary: 100, canary: 0 });
    const failures = world.notices.filter((n) => n.alert === true && n.message.includes('confirm-rollout approval not given'));
    expect(failures).toHaveLength(1);
    await world.advance(INTERVAL * 4);
    status = await world.canaryStatus();
    expect(status.phase).toBe('Failed');
    expect(findCondition(status.conditions, 'Ready')).toMatchObject({ reason: 'ApprovalDeadlineExceeded' });
    await world.setImage('podinfo', 'ghcr.io/stefanprodan/podinfo:6.0.2');
    await world.advance(INTERVAL);
    expect((await world.canaryStatus()).phase).toBe('Waiting');
  });

  it('fails an initialization whose primary never becomes ready, keeps the target serving, and initializes once the primary is ready', async () => {
    world = await new World().start();
    await world.create('deployment', aDeployment({ replicas: 2 }));
    await world.create('canary', aCanary({ provider: 'istio' }));
    await world.advance(DEADLINE_SECONDS * 1000);
    expect((await world.canaryStatus()).phase).toBe('Initializing');
    await world.advance(INTERVAL * 2);
    let status = await world.canaryStatus();
    expect(status.phase).toBe('Failed');
    const ready = findCondition(status.conditions, 'Ready');
    expect(ready).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded' });
    expect(ready?.message).toContain('primary not ready within progressDeadlineSeconds (60s)');
    expect((await world.deployment('podinfo'))?.spec?.replicas).toBe(2);
    expect(await world.kube.get(Resources.services, 'test', 'podinfo')).toBeUndefined();
    expect(world.notices.filter((n) => n.alert === true && n.severity === 'error')).toHaveLength(1);
    await world.makeReady('podinfo-primary');
    await world.advance(INTERVAL);
    status = await world.canaryStatus();
    expect(status.phase).toBe('Initialized');
    expect((await world.deployment('podinfo'))?.spec?.replicas).toBe(0);
  });
});
