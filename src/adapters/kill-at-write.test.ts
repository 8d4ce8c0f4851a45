import { describe, expect, it } from 'vitest';
import { FakeKube } from '../../test/fakes/fake-kube.js';
import { Resources, type Service } from '../kube/resources.js';
import { killAtWrite } from './kill-at-write.js';

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
