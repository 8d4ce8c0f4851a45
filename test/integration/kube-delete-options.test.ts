import { describe, expect, it } from 'vitest';
import { Resources } from '../../src/kube/resources.js';
import { testKube, useTestNamespace } from '../support/kube.js';

const namespace = useTestNamespace('delete-opts');

describe('HttpsKube delete', () => {
  it('sends the propagation policy: a Foreground delete leaves the object with the foregroundDeletion finalizer', async () => {
    const kube = testKube();
    const name = 'foreground';
    await kube.create(Resources.configMaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: namespace() } });
    expect(await kube.delete(Resources.configMaps, { namespace: namespace(), name }, { propagation: 'Foreground' })).toBe(true);
    // This tier has no garbage collector, so the finalizer stays until removed here.
    const terminating = await kube.get(Resources.configMaps, namespace(), name);
    expect(terminating?.metadata.finalizers).toEqual(['foregroundDeletion']);
    await kube.patch(Resources.configMaps, { namespace: namespace(), name }, { metadata: { finalizers: null } });
    expect(await kube.get(Resources.configMaps, namespace(), name)).toBeUndefined();
  });
});
