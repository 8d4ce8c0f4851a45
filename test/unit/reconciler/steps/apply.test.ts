import { describe, expect, it } from 'vitest';
import { Resources } from '../../../../src/kube/resources.js';
import { applyDesired } from '../../../../src/reconciler/steps/apply.js';
import { aConfigMap } from '../../../fixtures/objects.js';
import { FakeKube } from '../../../fakes/fake-kube.js';

describe('applyDesired', () => {
  it('creates a missing object, patches a differing one and leaves an equal one alone', async () => {
    const kube = new FakeKube();
    const desired = aConfigMap('c', { a: '1' });
    const patch = (e: typeof desired, d: typeof desired): unknown => (e.data?.a === d.data?.a ? undefined : { data: d.data });
    expect(await applyDesired(kube, Resources.configMaps, { existing: undefined, desired }, patch)).toBe(true);
    const created = await kube.get(Resources.configMaps, 'test', 'c');
    expect(await applyDesired(kube, Resources.configMaps, { existing: created, desired }, patch)).toBe(false);
    expect(await applyDesired(kube, Resources.configMaps, { existing: created, desired: aConfigMap('c', { a: '2' }) }, patch)).toBe(true);
    expect((await kube.get(Resources.configMaps, 'test', 'c'))?.data).toEqual({ a: '2' });
  });
});
