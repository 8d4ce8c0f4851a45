import { describe, expect, it } from 'vitest';
import { FakeKube } from '../../test/fakes/fake-kube.js';
import { Resources, type Service } from '../kube/resources.js';
import { CanaryResource } from '../reconciler/cluster-caches.js';
import { aCanary } from '../../test/fixtures/objects.js';
import { failStatusPatch, killAtWrite } from './kill-at-write.js';

const aService = (name: string): Service => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'test' }, spec: { ports: [{ port: 80 }] } });

describe('killAtWrite (test hook)', () => {
  it('is the Kube itself when unset', () => {
    const kube = new FakeKube();
    expect(killAtWrite(kube, undefined, () => undefined, () => undefined)).toBe(kube);
  });

  it('kills right after the k-th write has been answered, not before, and not on reads', async () => {
    const kube = new FakeKube();
    const events: string[] = [];
    const hooked = killAtWrite(kube, '2', () => events.push('kill'), (line) => events.push(line));
    await hooked.create(Resources.services, aService('a'));
    await hooked.get(Resources.services, 'test', 'a');
    await hooked.patch(Resources.services, { namespace: 'test', name: 'a' }, { metadata: { labels: { x: 'y' } } });
    expect(events).toEqual(['songbird-test-hook write 1: create Service a', 'songbird-test-hook write 2: patch Service a', 'kill']);
    expect((await kube.get(Resources.services, 'test', 'a'))?.metadata.labels).toEqual({ x: 'y' });
  });

  it('counts only the writes matching the text after the colon', async () => {
    const kube = new FakeKube();
    const kills: number[] = [];
    const hooked = killAtWrite(kube, '1:patch Service', () => kills.push(1), () => undefined);
    await hooked.create(Resources.services, aService('a'));
    expect(kills).toEqual([]);
    await hooked.patch(Resources.services, { namespace: 'test', name: 'a' }, { metadata: { labels: { x: 'y' } } });
    expect(kills).toEqual([1]);
  });

  it('rejects a setting that is not a positive count', () => {
    expect(() => killAtWrite(new FakeKube(), 'zero', () => undefined, () => undefined)).toThrow(/k ≥ 1/);
  });
});

describe('failStatusPatch (test hook)', () => {
  const podinfo = { namespace: 'test', name: 'podinfo' };
  const patchPhase = (kube: ReturnType<typeof failStatusPatch>, phase: string): Promise<unknown> =>
    kube.patch(CanaryResource, podinfo, { status: { phase } }, { subresource: 'status' });
  const phaseIn = async (kube: FakeKube): Promise<unknown> => (await kube.get(CanaryResource, 'test', 'podinfo'))?.status?.phase;

  it('is the Kube itself when unset', () => {
    const kube = new FakeKube();
    expect(failStatusPatch(kube, undefined, () => undefined)).toBe(kube);
  });

  it('answers the k-th Canary status patch with a 500 without sending it, and passes the others', async () => {
    const kube = new FakeKube();
    await kube.create(CanaryResource, aCanary({ namespace: 'test' }));
    const lines: string[] = [];
    const hooked = failStatusPatch(kube, '2:500', (line) => lines.push(line));
    await patchPhase(hooked, 'Initializing');
    await expect(patchPhase(hooked, 'Initialized')).rejects.toMatchObject({ status: 500 });
    expect(await phaseIn(kube)).toBe('Initializing');
    await patchPhase(hooked, 'Progressing');
    expect(await phaseIn(kube)).toBe('Progressing');
    expect(lines).toEqual([1, 2, 3].map((k) => `songbird-test-hook status-patch ${k}: podinfo`));
  });

  it('applies the k-th Canary status patch and then throws a timeout (a lost answer)', async () => {
    const kube = new FakeKube();
    await kube.create(CanaryResource, aCanary({ namespace: 'test' }));
    const hooked = failStatusPatch(kube, '1:lost-answer', () => undefined);
    await expect(patchPhase(hooked, 'Initialized')).rejects.toThrow(/timed out/);
    expect(await phaseIn(kube)).toBe('Initialized');
  });

  it('counts neither Canary spec patches nor other kinds', async () => {
    const kube = new FakeKube();
    await kube.create(CanaryResource, aCanary({ namespace: 'test' }));
    await kube.create(Resources.services, aService('a'));
    const hooked = failStatusPatch(kube, '1:500', () => undefined);
    await hooked.patch(CanaryResource, podinfo, { metadata: { labels: { x: 'y' } } });
    await hooked.patch(Resources.services, { namespace: 'test', name: 'a' }, { metadata: { labels: { x: 'y' } } });
    await expect(patchPhase(hooked, 'Initialized')).rejects.toMatchObject({ status: 500 });
  });

  it('rejects a setting without a count and a known fault', () => {
    expect(() => failStatusPatch(new FakeKube(), '3', () => undefined)).toThrow(/k:500 or k:lost-answer/);
    expect(() => failStatusPatch(new FakeKube(), '0:500', () => undefined)).toThrow(/k:500 or k:lost-answer/);
  });
});
