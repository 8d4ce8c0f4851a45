import { describe, expect, it } from 'vitest';
import { FakeKube } from '../../test/fakes/fake-kube.js';
import { settle } from '../../test/fakes/fake-clock.js';
import { canaries, type CanaryObject } from './canaries.js';
import { followCanaries, untilDone } from './watch-command.js';

function canary(name: string): CanaryObject {
  return {
    apiVersion: 'flagger.app/v1beta1', kind: 'Canary', metadata: { name, namespace: 'test' },
    spec: { targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name }, analysis: { interval: '1m', threshold: 1, iterations: 1 } },
  };
}

const setPhase = (kube: FakeKube, name: string, phase: string): Promise<unknown> =>
  kube.patch(canaries, { namespace: 'test', name }, { status: { phase } }, { subresource: 'status' });

// The status goes through its subresource, as the operator writes it.
async function create(kube: FakeKube, name: string, phase: string): Promise<void> {
  await kube.create(canaries, canary(name));
  await setPhase(kube, name, phase);
}

describe('watch', () => {
  it('renders on every change from the watch and ends with 0 when the run it saw under way Succeeded', async () => {
    const kube = new FakeKube();
    await create(kube, 'podinfo', 'Succeeded');
    const seen: string[] = [];
    const done = untilDone(true);
    const result = followCanaries({
      kube, namespace: 'test', name: 'podinfo', signal: new AbortController().signal,
      onChange: (list) => { seen.push(list.map((c) => c.status?.phase ?? '').join()); return done(list); },
    });
    await settle();
    for (const phase of ['Progressing', 'Promoting', 'Finalising', 'Succeeded']) {
      await setPhase(kube, 'podinfo', phase);
      await settle();
    }
    expect(await result).toBe(0);
    expect(seen).toEqual(['Succeeded', 'Progressing', 'Promoting', 'Finalising', 'Succeeded']);
  });

  it('ends with 1 when the run Failed, and only follows the Canary it names', async () => {
    const kube = new FakeKube();
    await create(kube, 'podinfo', 'Progressing');
    await create(kube, 'other', 'Progressing');
    const seen: string[] = [];
    const done = untilDone(true);
    const result = followCanaries({
      kube, namespace: 'test', name: 'podinfo', signal: new AbortController().signal,
      onChange: (list) => { seen.push(list.map((c) => c.metadata.name).join()); return done(list); },
    });
    await settle();
    await setPhase(kube, 'other', 'Succeeded');
    await setPhase(kube, 'podinfo', 'Failed');
    expect(await result).toBe(1);
    expect(seen).toEqual(['podinfo', 'podinfo']);
  });

  it('reconnects after a broken watch and still sees the run end', async () => {
    const kube = new FakeKube();
    await create(kube, 'podinfo', 'Progressing');
    const delays: number[] = [];
    const result = followCanaries({
      kube, namespace: 'test', name: 'podinfo', signal: new AbortController().signal, onChange: untilDone(true),
      sleep: (ms) => { delays.push(ms); return Promise.resolve(); },
    });
    await settle();
    kube.breakWatches(new Error('connection reset'));
    await settle();
    await setPhase(kube, 'podinfo', 'Succeeded');
    expect(await result).toBe(0);
    expect(delays).toEqual([1000]);
  });

  it('gives up with the error after five broken watches in a row', async () => {
    const kube = new FakeKube();
    await create(kube, 'podinfo', 'Progressing');
    const delays: number[] = [];
    const result = followCanaries({
      kube, namespace: 'test', name: 'podinfo', signal: new AbortController().signal, onChange: untilDone(true),
      // Each reconnection's watch breaks as soon as it is open.
      sleep: (ms) => { delays.push(ms); setTimeout(() => kube.breakWatches(new Error('connection refused')), 1); return Promise.resolve(); },
    });
    await settle();
    kube.breakWatches(new Error('connection refused'));
    await expect(result).rejects.toThrow('connection refused');
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000]);
  });

  it('ends with 0 when interrupted', async () => {
    const kube = new FakeKube();
    await create(kube, 'podinfo', 'Progressing');
    const controller = new AbortController();
    const result = followCanaries({ kube, namespace: 'test', name: undefined, signal: controller.signal, onChange: () => undefined });
    await settle();
    controller.abort();
    expect(await result).toBe(0);
  });
});
