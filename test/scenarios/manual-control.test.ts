import { afterEach, describe, expect, it } from 'vitest';
import { ACTION_ANNOTATION } from '../../src/api/manual-action.js';
import { CanaryResource } from '../../src/reconciler/cluster-caches.js';
import { settle } from '../fakes/fake-clock.js';
import { aCanary, aDeployment } from '../fixtures/objects.js';
import { failStatusPatchOnce, NEW_IMAGE, primaryImage, progressing, routes, ticks } from './release.js';
import { World } from './world.js';

/** Writes a manual action request, as `kubectl songbird <verb>` or `kubectl annotate` does. */
async function act(world: World, request: Record<string, unknown> | string, name = 'podinfo'): Promise<void> {
  const value = typeof request === 'string' ? request : JSON.stringify(request);
  await world.kube.patch(CanaryResource, { namespace: 'test', name }, { metadata: { annotations: { [ACTION_ANNOTATION]: value } } });
  await settle();
}

function events(world: World, reason: string): string[] {
  return world.notices.filter((n) => n.reason === reason).map((n) => n.message);
}

describe('manual control of a release', () => {
  let world: World;
  afterEach(async () => world.stop());

  it('promote skips the rest of the analysis and promotes through stepWeightPromotion, answered in status and an event', async () => {
    world = await progressing({ stepWeight: 10, maxWeight: 50, stepWeightPromotion: 5 });
    await ticks(world, 1);
    expect(await routes(world)).toEqual({ primary: 90, canary: 10 });
    await act(world, { id: 'p1', verb: 'promote' });
    const status = await world.canaryStatus();
    expect(status.lastAction).toMatchObject({ id: 'p1', verb: 'promote', outcome: 'Accepted' });
    expect(status.phase).toBe('Promoting');
    expect(await primaryImage(world)).toBe(NEW_IMAGE);
    expect(events(world, 'ActionAccepted')).toEqual(['podinfo.test promote accepted: the rest of the analysis is skipped; the run goes on to promotion (request p1)']);
    await world.makeReady('podinfo-primary');
    await ticks(world, 1);
    expect(await routes(world)).toEqual({ primary: 95, canary: 5 });
    await ticks(world, 3);
    expect((await world.canaryStatus()).phase).toBe('Succeeded');
  });

  it('promote-full promotes at once and shifts all traffic back to the primary in one step', async () => {
    world = await progressing({ stepWeight: 10, maxWeight: 50, stepWeightPromotion: 10 });
    await ticks(world, 2);
    await act(world, { id: 'f1', verb: 'promote-full' });
    expect((await world.canaryStatus()).phase).toBe('Promoting');
    await world.makeReady('podinfo-primary');
    await ticks(world, 1);
    expect(await routes(world)).toEqual({ primary: 100, canary: 0 });
    expect((await world.canaryStatus()).phase).toBe('Finalising');
    await ticks(world, 1);
    expect((await world.canaryStatus()).phase).toBe('Succeeded');
  });

  it('abort rolls back at once, with the reason in the Ready condition, and scales the target down', async () => {
    world = await progressing({ stepWeight: 10, maxWeight: 50 });
    await ticks(world, 2);
    await act(world, { id: 'a1', verb: 'abort', reason: 'p99 latency spikes in the logs' });
    const status = await world.canaryStatus();
    expect(status.phase).toBe('Failed');
    expect(await routes(world)).toEqual({ primary: 100, canary: 0 });
    expect(status.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False', reason: 'Aborted', message: 'Rolling back podinfo.test aborted by request a1: p99 latency spikes in the logs',
    });
    await ticks(world, 1);
    expect((await world.deployment('podinfo'))?.spec?.replicas).toBe(0);
    expect((await world.canaryStatus()).conditions?.find((c) => c.type === 'Ready')?.reason).toBe('Aborted');
  });

  it('retry runs the same revision again after a failed run, and it can succeed', async () => {
    world = await progressing({ stepWeight: 50, maxWeight: 50 });
    world.metricValue = 50;
    await ticks(world, 4);
    const failed = await world.canaryStatus();
    expect(failed.phase).toBe('Failed');
    world.metricValue = 100;
    await ticks(world, 1);
    expect((await world.canaryStatus()).phase).toBe('Failed');
    await act(world, { id: 'r1', verb: 'retry' });
    const retried = await world.canaryStatus();
    expect(retried).toMatchObject({ phase: 'Progressing', lastAppliedSpec: failed.lastAppliedSpec, failedChecks: 0, lastAction: { id: 'r1', outcome: 'Accepted' } });
    expect((await world.deployment('podinfo'))?.spec?.replicas).toBe(2);
    await world.makeReady('podinfo');
    await ticks(world, 5);
    expect((await world.canaryStatus()).phase).toBe('Succeeded');
    expect(await primaryImage(world)).toBe(NEW_IMAGE);
  });

  it('pause holds the weight and counts no failed check; resume goes on stepping', async () => {
    world = await progressing({ stepWeight: 10, maxWeight: 50 });
    await ticks(world, 1);
    await act(world, { id: 'h1', verb: 'pause' });
    world.metricValue = 50;
    await ticks(world, 5);
    const held = await world.canaryStatus();
    expect(held).toMatchObject({ phase: 'Progressing', canaryWeight: 10, failedChecks: 0, paused: { id: 'h1' } });
    expect(held.conditions?.find((c) => c.type === 'Ready')?.reason).toBe('Paused');
    world.metricValue = 100;
    await act(world, { id: 'h2', verb: 'resume' });
    expect((await world.canaryStatus()).paused).toBeUndefined();
    await ticks(world, 2);
    expect(await routes(world)).toEqual({ primary: 70, canary: 30 });
  });

  it('no deadline runs while paused: a confirm-promotion wait keeps what was left of its approval deadline', async () => {
    world = await progressing({
      stepWeight: 50, maxWeight: 50, webhooks: [{ name: 'gate', type: 'confirm-promotion', url: 'http://gate.test/' }],
    });
    await world.kube.patch(CanaryResource, { namespace: 'test', name: 'podinfo' }, { spec: { approvalDeadlineSeconds: 60 } });
    world.hookStatus.set('http://gate.test/', 403);
    await ticks(world, 3);
    expect((await world.canaryStatus()).phase).toBe('WaitingPromotion');
    await act(world, { id: 'h1', verb: 'pause' });
    await ticks(world, 20);
    expect((await world.canaryStatus()).phase).toBe('WaitingPromotion');
    await act(world, { id: 'h2', verb: 'resume' });
    await ticks(world, 1);
    expect((await world.canaryStatus()).phase).toBe('WaitingPromotion');
    await ticks(world, 4);
    expect((await world.canaryStatus()).conditions?.find((c) => c.type === 'Ready')?.reason).toBe('ApprovalDeadlineExceeded');
  });

  it('set-weight moves the weight at once and holds it until resumed', async () => {
    world = await progressing({ stepWeight: 10, maxWeight: 50 });
    await ticks(world, 1);
    await act(world, { id: 'w1', verb: 'set-weight', weight: 40 });
    expect(await routes(world)).toEqual({ primary: 60, canary: 40 });
    expect(await world.canaryStatus()).toMatchObject({ canaryWeight: 40, paused: { id: 'w1', weight: 40 } });
    await ticks(world, 3);
    expect(await routes(world)).toEqual({ primary: 60, canary: 40 });
    await act(world, { id: 'w2', verb: 'resume' });
    await ticks(world, 1);
    expect(await routes(world)).toEqual({ primary: 50, canary: 50 });
  });
});

describe('manual requests that make no sense, or were answered already', () => {
  let world: World;
  afterEach(async () => world.stop());

  it('refuses promote on a canary at rest, with a Warning event, and changes nothing', async () => {
    world = await progressing({ stepWeight: 50, maxWeight: 50 });
    await ticks(world, 4);
    expect((await world.canaryStatus()).phase).toBe('Succeeded');
    await act(world, { id: 'p1', verb: 'promote' });
    expect((await world.canaryStatus()).lastAction).toMatchObject({
      id: 'p1', outcome: 'Refused', message: 'promote refused: there is no run to promote: the canary is Succeeded',
    });
    expect(world.notices.filter((n) => n.reason === 'ActionRefused').map((n) => n.severity)).toEqual(['warn']);
    expect((await world.canaryStatus()).phase).toBe('Succeeded');
  });

  it('refuses set-weight on a blue/green canary', async () => {
    world = await new World().start();
    await world.create('deployment', aDeployment());
    await world.create('canary', aCanary());
    await world.makeReady('podinfo-primary');
    await world.setImage('podinfo', NEW_IMAGE);
    await world.makeReady('podinfo');
    await ticks(world, 1);
    await act(world, { id: 'w1', verb: 'set-weight', weight: 10 });
    expect((await world.canaryStatus()).lastAction).toMatchObject({ outcome: 'Refused', message: expect.stringContaining('this Canary runs blue-green') as string });
  });

  it('refuses a request to a canary whose provider is not implemented, and still shows why it is stalled', async () => {
    world = await new World().start();
    await world.create('deployment', aDeployment());
    await world.create('canary', aCanary({ provider: 'linkerd' }));
    await act(world, { id: 's1', verb: 'pause' });
    const status = await world.canaryStatus();
    expect(status.lastAction).toMatchObject({ id: 's1', outcome: 'Refused', message: 'pause refused: the spec cannot be acted on: see the Stalled condition' });
    expect(status.conditions?.find((c) => c.type === 'Stalled')?.status).toBe('True');
  });

  it('refuses an annotation that is not JSON once, and keeps reconciling', async () => {
    world = await progressing({ stepWeight: 10, maxWeight: 50 });
    await act(world, 'promote now please');
    await ticks(world, 3);
    const status = await world.canaryStatus();
    expect(status.lastAction).toMatchObject({ outcome: 'Refused', message: expect.stringContaining('annotation is not JSON') as string });
    expect(status.canaryWeight).toBe(30);
    expect(events(world, 'ActionRefused')).toHaveLength(1);
  });

  it('announces an answer only once it is saved: a failed status patch sends no event, and the retry answers once', async () => {
    world = await progressing({ stepWeight: 10, maxWeight: 50 });
    await ticks(world, 1);
    const fault = failStatusPatchOnce(world, (status) => status.lastAction !== undefined);
    await act(world, { id: 'h1', verb: 'pause' });
    expect(fault.fired()).toBe(true);
    expect(events(world, 'ActionAccepted')).toEqual([]);
    await ticks(world, 2);
    expect((await world.canaryStatus()).lastAction).toMatchObject({ id: 'h1', outcome: 'Accepted' });
    expect(events(world, 'ActionAccepted')).toHaveLength(1);
    expect((await world.canaryStatus()).canaryWeight).toBe(10);
  });

  it('never applies a request id twice: an abort left in the annotation does not abort the next release', async () => {
    world = await progressing({ stepWeight: 50, maxWeight: 50 });
    await ticks(world, 1);
    await act(world, { id: 'a1', verb: 'abort' });
    expect((await world.canaryStatus()).phase).toBe('Failed');
    await world.setImage('podinfo', 'ghcr.io/stefanprodan/podinfo:6.0.2');
    await world.makeReady('podinfo');
    await ticks(world, 5);
    expect((await world.canaryStatus()).phase).toBe('Succeeded');
    expect(events(world, 'ActionAccepted')).toHaveLength(1);
    expect((await world.kube.get(CanaryResource, 'test', 'podinfo'))?.metadata.annotations?.[ACTION_ANNOTATION]).toBe('{"id":"a1","verb":"abort"}');
  });
});
