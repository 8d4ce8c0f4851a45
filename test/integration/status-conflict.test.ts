import { CustomObjectsApi } from '@kubernetes/client-node';
import { Resources } from '../../src/kube/resources.js';
import type { ResourceType } from '../../src/ports/kube.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { rejection, testKube, testKubeConfig, useTestNamespace, waitFor } from '../support/kube.js';

// A throw-away CRD with a status subresource: the same mechanics the Canary status patch relies on.
const widgetCrd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.test.songbird.dev' },
  spec: {
    group: 'test.songbird.dev',
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
    versions: [{
      name: 'v1', served: true, storage: true, subresources: { status: {} },
      schema: { openAPIV3Schema: { type: 'object', properties: {
        spec: { type: 'object', properties: { size: { type: 'integer' } } },
        status: { type: 'object', properties: { phase: { type: 'string' } } },
      } } },
    }],
  },
};

interface Widget { metadata: { name: string; resourceVersion: string }; spec?: { size: number }; status?: { phase: string } }

describe('status subresource on the real API server', () => {
  const namespace = useTestNamespace();
  const target = (): { group: string; version: string; namespace: string; plural: string } =>
    ({ group: 'test.songbird.dev', version: 'v1', namespace: namespace(), plural: 'widgets' });

  beforeAll(async () => {
    const kc = testKubeConfig();
    if ((await testKube().get(Resources.customResourceDefinitions, undefined, widgetCrd.metadata.name)) === undefined) {
      await testKube().create(Resources.customResourceDefinitions, widgetCrd);
    }
    const api = kc.makeApiClient(CustomObjectsApi);
    await waitFor('widgets served', async () => {
      await api.listNamespacedCustomObject(target());
      return true;
    });
  });

  it('rejects a status update with a stale resourceVersion with 409 Conflict', async () => {
    const api = testKubeConfig().makeApiClient(CustomObjectsApi);
    const created = (await api.createNamespacedCustomObject({
      ...target(), body: { apiVersion: 'test.songbird.dev/v1', kind: 'Widget', metadata: { name: 'w1' }, spec: { size: 1 } },
    })) as Widget;
    const stale = created.metadata.resourceVersion;

    const first = (await api.replaceNamespacedCustomObjectStatus({
      ...target(), name: 'w1', body: { ...created, status: { phase: 'Initialized' } },
    })) as Widget;
    expect(first.status?.phase).toBe('Initialized');
    expect(first.metadata.resourceVersion).not.toBe(stale);

    const conflict = await rejection(api.replaceNamespacedCustomObjectStatus({
      ...target(), name: 'w1', body: { ...created, status: { phase: 'Progressing' } },
    }));
    expect(conflict.code).toBe(409);
    expect(conflict.message).toContain('the object has been modified');

    const current = (await api.getNamespacedCustomObject({ ...target(), name: 'w1' })) as Widget;
    expect(current.status?.phase).toBe('Initialized');
  });

  it('ignores spec changes sent to the status subresource', async () => {
    const api = testKubeConfig().makeApiClient(CustomObjectsApi);
    const created = (await api.createNamespacedCustomObject({
      ...target(), body: { apiVersion: 'test.songbird.dev/v1', kind: 'Widget', metadata: { name: 'w2' }, spec: { size: 1 } },
    })) as Widget;
    const updated = (await api.replaceNamespacedCustomObjectStatus({
      ...target(), name: 'w2', body: { ...created, spec: { size: 5 }, status: { phase: 'Succeeded' } },
    })) as Widget;
    expect(updated.spec?.size).toBe(1);
    expect(updated.status?.phase).toBe('Succeeded');
  });
});

describe('status patches conditioned on the object read (as the operator sends them)', () => {
  const namespace = useTestNamespace();
  const widgets: ResourceType = { group: 'test.songbird.dev', version: 'v1', kind: 'Widget', plural: 'widgets', namespaced: true, hasStatus: true };

  it('never reach a deleted and re-created object of the same name: 409, and its status stays its own', async () => {
    const kube = testKube();
    const target = { namespace: namespace(), name: 'w3' };
    const old = await kube.create(widgets, { apiVersion: 'test.songbird.dev/v1', kind: 'Widget', metadata: { ...target } });
    await kube.delete(widgets, target);
    await waitFor('w3 deleted', async () => (await kube.get(widgets, target.namespace, target.name)) === undefined);
    const recreated = await kube.create(widgets, { apiVersion: 'test.songbird.dev/v1', kind: 'Widget', metadata: { ...target } });
    expect(recreated.metadata.uid).not.toBe(old.metadata.uid);
    const stale = { metadata: { resourceVersion: old.metadata.resourceVersion, uid: old.metadata.uid }, status: { phase: 'Stale' } };
    await expect(kube.patch(widgets, target, stale, { subresource: 'status' })).rejects.toMatchObject({ status: 409 });
    const current = { metadata: { resourceVersion: recreated.metadata.resourceVersion, uid: recreated.metadata.uid }, status: { phase: 'Fresh' } };
    const patched = await kube.patch(widgets, target, current, { subresource: 'status' }) as { status?: { phase?: string } };
    expect(patched.status?.phase).toBe('Fresh');
  });

  // The status strategy copies the stored metadata over the patched object before validation, so a UID in the
  // body is no precondition there: the resourceVersion (unique across re-creations) is what guards, and the
  // operator never re-sends a status patch with a fresher one (see reconciler/tick.ts).
  it('ignores a foreign UID when no resourceVersion is given: only the resourceVersion guards the status', async () => {
    const kube = testKube();
    const target = { namespace: namespace(), name: 'w4' };
    await kube.create(widgets, { apiVersion: 'test.songbird.dev/v1', kind: 'Widget', metadata: target });
    const foreign = { metadata: { uid: '00000000-0000-4000-8000-000000000001' }, status: { phase: 'Foreign' } };
    const outcome = await kube.patch(widgets, target, foreign, { subresource: 'status' }).then(
      (o) => `accepted, phase ${String((o as { status?: { phase?: string } }).status?.phase)}`, (e: { status?: number }) => `rejected ${e.status ?? '?'}`);
    expect(outcome).toBe('accepted, phase Foreign');
  });
});
