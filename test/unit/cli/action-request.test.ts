import { afterEach, describe, expect, it } from 'vitest';
import { sendAction, type ActionFlags } from '../../../src/cli/action-request.js';
import type { Io } from '../../../src/cli/output.js';
import { CanaryResource } from '../../../src/reconciler/cluster-caches.js';
import { FakeKube } from '../../fakes/fake-kube.js';
import { aCanary } from '../../fixtures/objects.js';
import { progressing, ticks } from '../../scenarios/release.js';
import type { World } from '../../scenarios/world.js';

function capture(): Io & { stdout: string; stderr: string } {
  const c = { stdout: '', stderr: '', out: (t: string) => { c.stdout += t; }, err: (t: string) => { c.stderr += t; } };
  return c;
}
const flags = (over: Partial<ActionFlags> = {}): ActionFlags => ({ wait: true, timeout: '5s', ...over });
let n = 0;
const newId = () => `req-${++n}`;

describe('sendAction: a verb of the kubectl plugin against the operator', () => {
  let world: World | undefined;
  afterEach(async () => {
    process.exitCode = undefined;
    await world?.stop();
    world = undefined;
  });

  it('prints the accepted answer and leaves the exit code at 0', async () => {
    world = await progressing({ stepWeight: 10, maxWeight: 50 });
    await ticks(world, 1);
    const streams = capture();
    await sendAction('podinfo', flags(), { verb: 'set-weight', weight: 30 }, { cli: { kube: world.kube, namespace: 'test' }, io: streams, newId });
    expect(streams.stdout).toBe(`canary/podinfo set-weight accepted: the canary weight moves to 30 and holds there until resumed (request req-${n})\n`);
    expect(streams.stderr).toBe('');
    expect(process.exitCode).toBeUndefined();
  });

  it('prints a refusal on stderr, in the format asked for, with exit code 1', async () => {
    world = await progressing({ stepWeight: 10, maxWeight: 50 });
    const streams = capture();
    await sendAction('podinfo', flags({ output: 'json' }), { verb: 'retry' }, { cli: { kube: world.kube, namespace: 'test' }, io: streams, newId });
    expect(JSON.parse(streams.stderr)).toMatchObject({ id: `req-${n}`, verb: 'retry', outcome: 'Refused', message: 'retry refused: retry needs a Failed run: the canary is Progressing' });
    expect(streams.stdout).toBe('');
    expect(process.exitCode).toBe(1);
  });

  it('fails after --timeout when no operator answers, naming the request and the namespace', async () => {
    const kube = new FakeKube();
    await kube.create(CanaryResource, aCanary());
    const streams = capture();
    await sendAction('podinfo', flags({ timeout: '200ms' }), { verb: 'pause' }, { cli: { kube, namespace: 'test' }, io: streams, newId });
    expect(streams.stderr).toBe(`error: no answer from the operator to request req-${n} within 0.2s (is Songbird running and watching namespace test?)\n`);
    expect(process.exitCode).toBe(1);
    const annotated = await kube.get(CanaryResource, 'test', 'podinfo');
    expect(annotated?.metadata.annotations).toEqual({ 'songbird.flagger.app/action': `{"id":"req-${n}","verb":"pause"}` });
  });

  it('with --no-wait only writes the request', async () => {
    const kube = new FakeKube();
    await kube.create(CanaryResource, aCanary());
    const streams = capture();
    await sendAction('podinfo', flags({ wait: false }), { verb: 'abort', reason: 'why not' }, { cli: { kube, namespace: 'test' }, io: streams, newId });
    expect(streams.stdout).toBe(`canary/podinfo abort requested (request req-${n})\n`);
    expect(process.exitCode).toBeUndefined();
  });

  it('says so when the Canary does not exist, and writes nothing', async () => {
    const kube = new FakeKube();
    const streams = capture();
    await sendAction('nothing', flags(), { verb: 'pause' }, { cli: { kube, namespace: 'test' }, io: streams, newId });
    expect(streams.stderr).toBe('error: canaries.flagger.app "nothing" not found in namespace "test"\n');
    expect(process.exitCode).toBe(1);
    expect(kube.writes).toEqual([]);
  });

  it('refuses a --timeout that is not a duration before sending anything', async () => {
    const kube = new FakeKube();
    const streams = capture();
    await sendAction('podinfo', flags({ timeout: '10' }), { verb: 'pause' }, { cli: { kube, namespace: 'test' }, io: streams, newId });
    expect(streams.stderr).toBe('error: --timeout: "10" is not a duration such as 30s or 2m\n');
    expect(kube.writes).toEqual([]);
  });
});
