import { describe, expect, it } from 'vitest';
import { FakeKube } from '../../test/fakes/fake-kube.js';
import { KubeApiError, type ObjectPage, type PageRequest } from '../ports/kube.js';
import { listAllPages, selectorsOf } from './list-pages.js';
import { Resources, type ConfigMap } from './resources.js';

async function kubeWith(count: number): Promise<FakeKube> {
  const kube = new FakeKube();
  for (let i = 0; i < count; i++) {
    await kube.create(Resources.configMaps, { metadata: { name: `cm-${String(i).padStart(3, '0')}`, namespace: 'test' }, data: {} });
  }
  return kube;
}

const names = (items: ConfigMap[]): string[] => items.map((i) => i.metadata.name);

describe('listAllPages', () => {
  it('reads a list of 7 objects in pages of 3 (3, 3, 1) and returns all of them with the first page\'s resourceVersion', async () => {
    const kube = await kubeWith(7);
    const pages: PageRequest[] = [];
    const list = await listAllPages((type, request) => {
      pages.push(request);
      return kube.listPage(type, request);
    }, Resources.configMaps, { namespace: 'test' }, 3);

    expect(names(list.items)).toEqual(['cm-000', 'cm-001', 'cm-002', 'cm-003', 'cm-004', 'cm-005', 'cm-006']);
    expect(pages.map((p) => [p.limit, p.continue === undefined])).toEqual([[3, true], [3, false], [3, false]]);
    expect(list.resourceVersion).not.toBe('');
  });

  it('starts over from the first page when a continue token has expired (410), so the result is one snapshot', async () => {
    const kube = await kubeWith(5);
    kube.expireContinueTokens = 1;
    const list = await listAllPages((type, request) => kube.listPage(type, request), Resources.configMaps, { namespace: 'test' }, 2);

    expect(names(list.items)).toEqual(['cm-000', 'cm-001', 'cm-002', 'cm-003', 'cm-004']);
    expect(kube.reads.filter((r) => r.verb === 'list')).toHaveLength(1 + 1 + 3);
  });

  it('gives up with the 410 when the continue token keeps expiring', async () => {
    const kube = await kubeWith(5);
    kube.expireContinueTokens = 100;

    await expect(listAllPages((type, request) => kube.listPage(type, request), Resources.configMaps, { namespace: 'test' }, 2))
      .rejects.toMatchObject({ status: 410 });
    expect(kube.reads.filter((r) => r.verb === 'list')).toHaveLength(4 * 2);
  });

  it('passes any other error through without a retry', async () => {
    let calls = 0;
    const failing = (): Promise<ObjectPage<ConfigMap>> => {
      calls += 1;
      return Promise.reject(new KubeApiError(403, 'Forbidden', 'no'));
    };

    await expect(listAllPages(failing, Resources.configMaps, {})).rejects.toMatchObject({ status: 403 });
    expect(calls).toBe(1);
  });

  it('takes a bare string as a label selector, as callers have always passed it', () => {
    expect(selectorsOf('app=podinfo')).toEqual({ labelSelector: 'app=podinfo' });
    expect(selectorsOf({ fieldSelector: 'metadata.name=a' })).toEqual({ fieldSelector: 'metadata.name=a' });
    expect(selectorsOf(undefined)).toEqual({});
  });
});
