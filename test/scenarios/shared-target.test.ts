import { afterEach, describe, expect, it } from 'vitest';
import { CanaryResource } from '../../src/reconciler/cluster-caches.js';
import { aCanary, aDeployment } from '../fixtures/objects.js';
import { World } from './world.js';

const HOUR = 3_600_000;

function writesOf(world: World, from: number): { verb: string; kind: string; name: string }[] {
  return world.kube.writes.slice(from);
}

/** Fails every API write past a budget, so that a hot loop ends the test with a failure instead of hanging it. */
function guardWrites(world: World, budget = 2_000): void {
  const writes = world.kube.writes;
  const record = writes.push.bind(writes);
  writes.push = (...entries) => {
    if (writes.length >= budget) throw new Error(`more than ${budget} API writes: a hot loop`);
    return record(...entries);
  };
}

describe('two Canaries that name the same target', () => {
  let world: World;
  afterEach(async () => world.stop());

  async function twoCanaries(): Promise<void> {
    world = await new World().start();
    await world.create('deployment', aDeployment());
    await world.create('canary', aCanary({ name: 'podinfo-a' }));
    await world.makeReady('podinfo-primary');
    await world.advance(15_000);
    guardWrites(world);
    // Another port: left to both, the two canaries rewrite the Services back and forth, each write triggering the other.
    const second = aCanary({ name: 'podinfo-b' });
    (second.spec as { service: { port: number } }).service.port = 8080;
    await world.create('canary', second);
    await world.advance(15_000);
  }

  it('stalls the younger one naming the owner, and stays quiet for an hour', async () => {
    await twoCanaries();
    const from = world.kube.writes.length;
    await world.advance(HOUR);

    const stalled = (await world.canaryStatus('podinfo-b')).conditions?.find((c) => c.type === 'Stalled');
    expect(stalled).toMatchObject({ status: 'True', reason: 'TargetAlreadyManaged' });
    expect(stalled?.message).toContain('spec.targetRef: target podinfo is already managed by Canary podinfo-a');
    // A hot loop writes the shared objects on every tick of either canary; a quiet pair writes (almost) nothing.
    const later = writesOf(world, from);
    expect(later.filter((w) => w.kind !== 'Canary')).toEqual([]);
    expect(later.length).toBeLessThanOrEqual(2);
    expect(world.notices.filter((n) => n.canary.name === 'podinfo-b' && n.message.includes('already managed'))).toHaveLength(1);
    expect((await world.canaryStatus('podinfo-a')).phase).toBe('Initialized');
  });

  it('lets the first one release while the second one waits, writing nothing to the shared objects', async () => {
    await twoCanaries();
    const writesBefore = world.kube.writes.length;
    await world.setImage('podinfo', 'ghcr.io/stefanprodan/podinfo:6.0.1');
    await world.makeReady('podinfo');
    for (let i = 0; i < 12; i++) {
      await world.advance(15_000);
      await world.makeReady('podinfo');
      await world.makeReady('podinfo-primary');
    }
    expect((await world.canaryStatus('podinfo-a')).phase).toBe('Succeeded');
    const primary = await world.deployment('podinfo-primary');
    expect(primary?.spec?.template.spec?.containers[0]?.image).toBe('ghcr.io/stefanprodan/podinfo:6.0.1');
    expect(writesOf(world, writesBefore).filter((w) => w.kind === 'Canary' && w.name === 'podinfo-b').length).toBeLessThanOrEqual(1);
    expect(world.messages().filter((m) => m.includes('Initialization done'))).toHaveLength(1);
  });

  it('hands the target to the second one when the first one is deleted', async () => {
    await twoCanaries();
    await world.kube.delete(CanaryResource, { namespace: 'test', name: 'podinfo-a' });
    await world.advance(15_000);
    await world.makeReady('podinfo-primary');
    await world.advance(15_000);

    const status = await world.canaryStatus('podinfo-b');
    expect(status.conditions?.find((c) => c.type === 'Stalled')?.status).not.toBe('True');
    expect(status.phase).toBe('Initialized');
  });
});
