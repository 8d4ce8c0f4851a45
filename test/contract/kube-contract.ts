import { beforeAll, describe, expect, it } from 'vitest';
import { listAllPages } from '../../src/kube/list-pages.js';
import { Resources, type ConfigMap } from '../../src/kube/resources.js';
import { KubeApiError, type Kube, type KubeObject, type ObjectPage, type ResourceType, type WatchEvent } from '../../src/ports/kube.js';

/** A namespaced custom resource with spec and a status subresource, like Canary. */
export interface Widget extends KubeObject {
  spec?: { size?: number; color?: string };
  status?: { phase?: string };
}

/** The resource type of {@link widgetCrd}. */
export const Widgets: ResourceType<Widget> = {
  group: 'contract.songbird.dev', version: 'v1', kind: 'Widget', plural: 'widgets', namespaced: true, hasStatus: true,
};

/** The CRD the contract suite needs on a real API server. */
export const widgetCrd: KubeObject & { spec: unknown } = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.contract.songbird.dev' },
  spec: {
    group: 'contract.songbird.dev', scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
    versions: [{
      name: 'v1', served: true, storage: true, subresources: { status: {} },
      schema: { openAPIV3Schema: { type: 'object', properties: {
        spec: { type: 'object', properties: { size: { type: 'integer' }, color: { type: 'string' } } },
        status: { type: 'object', properties: { phase: { type: 'string' } } },
      } } },
    }],
  },
};

async function eventsOf<T extends KubeObject>(events: WatchEvent<T>[], until: (events: WatchEvent<T>[]) => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!until(events) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

async function rejectionOf(call: Promise<unknown>): Promise<KubeApiError> {
  try {
    await call;
  } catch (error) {
    if (error instanceof KubeApiError) return error;
    throw error;
  }
  throw new Error('expected the call to be rejected');
}

/**
 * The behaviour of the Kube port that the operator relies on, run against both the in-memory fake and a real
 * kube-apiserver, so that the fake cannot drift from the server.
 */
export function describeKubeContract(name: string, setup: () => Promise<{ kube: Kube; namespace: string }>): void {
  describe(`Kube port contract: ${name}`, () => {
    let kube: Kube;
    let ns: string;
    const widget = (n: string, spec: Widget['spec'] = { size: 1 }): Widget =>
      ({ apiVersion: 'contract.songbird.dev/v1', kind: 'Widget', metadata: { name: n, namespace: ns }, spec });

    beforeAll(async () => {
      ({ kube, namespace: ns } = await setup());
    });

    it('creates an object with a uid, a resourceVersion and generation 1, and reads it back', async () => {
      const created = await kube.create(Widgets, widget('create'));
      expect(created.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
      expect(created.metadata.generation).toBe(1);
      const read = await kube.get(Widgets, ns, 'create');
      expect(read?.spec).toEqual({ size: 1 });
      expect(read?.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
    });

    it('answers undefined for a missing object and 409 AlreadyExists for a duplicate', async () => {
      expect(await kube.get(Widgets, ns, 'missing')).toBeUndefined();
      await kube.create(Widgets, widget('dup'));
      const error = await rejectionOf(kube.create(Widgets, widget('dup')));
      expect([error.status, error.reason]).toEqual([409, 'AlreadyExists']);
    });

    it('rejects a replace with a stale resourceVersion with 409 Conflict and keeps the object', async () => {
      const created = await kube.create(Widgets, widget('stale'));
      await kube.replace(Widgets, { ...created, spec: { size: 2 } });
      const error = await rejectionOf(kube.replace(Widgets, { ...created, spec: { size: 3 } }));
      expect([error.status, error.reason]).toEqual([409, 'Conflict']);
      expect((await kube.get(Widgets, ns, 'stale'))?.spec?.size).toBe(2);
    });

    it('merges a merge patch and deletes keys patched to null', async () => {
      await kube.create(Widgets, { ...widget('merge', { size: 1, color: 'red' }), metadata: { name: 'merge', namespace: ns, labels: { a: '1', b: '2' } } });
      const patched = await kube.patch(Widgets, { namespace: ns, name: 'merge' }, { metadata: { labels: { b: null, c: '3' } }, spec: { color: null } });
      expect(patched.metadata.labels).toEqual({ a: '1', c: '3' });
      expect(patched.spec).toEqual({ size: 1 });
    });

    it('applies a JSON patch, and rejects one whose test operation fails with 422', async () => {
      await kube.create(Widgets, widget('json', { size: 1 }));
      const patched = await kube.patch(Widgets, { namespace: ns, name: 'json' },
        [{ op: 'test', path: '/spec/size', value: 1 }, { op: 'replace', path: '/spec/size', value: 5 }], { kind: 'json' });
      expect(patched.spec?.size).toBe(5);
      const error = await rejectionOf(kube.patch(Widgets, { namespace: ns, name: 'json' },
        [{ op: 'test', path: '/spec/size', value: 1 }, { op: 'replace', path: '/spec/size', value: 6 }], { kind: 'json' }));
      expect(error.status).toBe(422);
    });

    it('rejects a merge patch carrying a stale resourceVersion with 409', async () => {
      const created = await kube.create(Widgets, widget('patch-rv'));
      await kube.patch(Widgets, { namespace: ns, name: 'patch-rv' }, { spec: { size: 2 } });
      const error = await rejectionOf(kube.patch(Widgets, { namespace: ns, name: 'patch-rv' },
        { metadata: { resourceVersion: created.metadata.resourceVersion }, spec: { size: 3 } }));
      expect(error.status).toBe(409);
    });

    it('keeps status and spec apart: the status subresource changes only status, the object only spec', async () => {
      await kube.create(Widgets, { ...widget('status'), status: { phase: 'ignored-on-create' } });
      expect((await kube.get(Widgets, ns, 'status'))?.status).toBeUndefined();
      const afterStatus = await kube.patch(Widgets, { namespace: ns, name: 'status' }, { spec: { size: 9 }, status: { phase: 'Initialized' } }, { subresource: 'status' });
      expect(afterStatus.status?.phase).toBe('Initialized');
      expect(afterStatus.spec?.size).toBe(1);
      const afterSpec = await kube.patch(Widgets, { namespace: ns, name: 'status' }, { spec: { size: 2 }, status: { phase: 'Failed' } });
      expect(afterSpec.status?.phase).toBe('Initialized');
      expect(afterSpec.spec?.size).toBe(2);
    });

    it('bumps generation on spec changes only', async () => {
      await kube.create(Widgets, widget('gen'));
      const labelled = await kube.patch(Widgets, { namespace: ns, name: 'gen' }, { metadata: { labels: { x: 'y' } } });
      expect(labelled.metadata.generation).toBe(1);
      const status = await kube.patch(Widgets, { namespace: ns, name: 'gen' }, { status: { phase: 'X' } }, { subresource: 'status' });
      expect(status.metadata.generation).toBe(1);
      const spec = await kube.patch(Widgets, { namespace: ns, name: 'gen' }, { spec: { size: 4 } });
      expect(spec.metadata.generation).toBe(2);
    });

    it('lists by label selector', async () => {
      const cm = (n: string, app: string): ConfigMap => ({ metadata: { name: n, namespace: ns, labels: { app } }, data: { k: n } });
      await kube.create(Resources.configMaps, cm('list-a', 'one'));
      await kube.create(Resources.configMaps, cm('list-b', 'two'));
      const listed = await kube.list(Resources.configMaps, ns, 'app=two');
      expect(listed.items.map((i) => i.metadata.name)).toEqual(['list-b']);
      expect(listed.items[0]?.kind).toBe('ConfigMap');
      expect(listed.resourceVersion).not.toBe('');
    });

    it('lists page by page: limit and continue give every object once, in name order, the last page without a token', async () => {
      const names = ['page-g', 'page-c', 'page-a', 'page-e', 'page-b', 'page-f', 'page-d'];
      for (const n of names) await kube.create(Resources.configMaps, { metadata: { name: n, namespace: ns, labels: { paged: 'yes' } }, data: {} });
      const pages: ObjectPage<ConfigMap>[] = [];
      let token: string | undefined;
      do {
        const page = await kube.listPage(Resources.configMaps, { namespace: ns, labelSelector: 'paged=yes', limit: 3, ...(token === undefined ? {} : { continue: token }) });
        pages.push(page);
        token = page.continue;
      } while (token !== undefined);
      expect(pages.map((p) => p.items.map((i) => i.metadata.name))).toEqual([['page-a', 'page-b', 'page-c'], ['page-d', 'page-e', 'page-f'], ['page-g']]);
      expect(pages[0]?.items[0]?.kind).toBe('ConfigMap');

      const all = await listAllPages((type, request) => kube.listPage(type, request), Resources.configMaps, { namespace: ns, labelSelector: 'paged=yes' }, 2);
      expect(all.items.map((i) => i.metadata.name)).toEqual([...names].sort());
      expect((await kube.list(Resources.configMaps, ns, 'paged=yes')).items).toHaveLength(7);
    });

    it('selects one object by metadata.name in a list and in a watch', async () => {
      for (const n of ['by-name', 'by-name-other']) await kube.create(Resources.configMaps, { metadata: { name: n, namespace: ns }, data: { v: '1' } });
      const listed = await kube.list(Resources.configMaps, ns, { fieldSelector: 'metadata.name=by-name' });
      expect(listed.items.map((i) => i.metadata.name)).toEqual(['by-name']);

      const events: WatchEvent<ConfigMap>[] = [];
      const watch = kube.watch(Resources.configMaps, { namespace: ns, resourceVersion: listed.resourceVersion, fieldSelector: 'metadata.name=by-name' }, (e) => events.push(e));
      try {
        await kube.patch(Resources.configMaps, { namespace: ns, name: 'by-name-other' }, { data: { v: '2' } });
        await kube.patch(Resources.configMaps, { namespace: ns, name: 'by-name' }, { data: { v: '2' } });
        await eventsOf(events, (e) => e.some((x) => x.type === 'MODIFIED'));
      } finally {
        watch.stop();
      }
      const seen = events.filter((e) => e.type !== 'BOOKMARK').map((e) => `${e.type} ${e.object.metadata.name}`);
      expect(seen).toEqual(['MODIFIED by-name']);
    });

    it('keeps an object with a finalizer until the finalizer is removed', async () => {
      await kube.create(Widgets, { ...widget('final'), metadata: { name: 'final', namespace: ns, finalizers: ['songbird.dev/test'] } });
      expect(await kube.delete(Widgets, { namespace: ns, name: 'final' })).toBe(true);
      const terminating = await kube.get(Widgets, ns, 'final');
      expect(terminating?.metadata.deletionTimestamp).toBeDefined();
      await kube.patch(Widgets, { namespace: ns, name: 'final' }, { metadata: { finalizers: null } });
      expect(await kube.get(Widgets, ns, 'final')).toBeUndefined();
      expect(await kube.delete(Widgets, { namespace: ns, name: 'final' })).toBe(false);
    });

    it('streams ADDED, MODIFIED and DELETED events after the listed resourceVersion', async () => {
      const { resourceVersion } = await kube.list(Widgets, ns);
      const events: WatchEvent<Widget>[] = [];
      const watch = kube.watch(Widgets, { namespace: ns, resourceVersion }, (e) => events.push(e));
      try {
        await kube.create(Widgets, widget('watched'));
        await kube.patch(Widgets, { namespace: ns, name: 'watched' }, { spec: { size: 7 } });
        await kube.delete(Widgets, { namespace: ns, name: 'watched' });
        const deadline = Date.now() + 10_000;
        while (events.filter((e) => e.object.metadata.name === 'watched').length < 3 && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 50));
        }
      } finally {
        watch.stop();
      }
      const mine = events.filter((e) => e.type !== 'BOOKMARK' && e.object.metadata.name === 'watched');
      expect(mine.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
      expect(mine[1]?.object.spec?.size).toBe(7);
    });
  });
}
