import { KubeDecorator } from '../../src/kube/kube-decorator.js';
import { selectorsOf } from '../../src/kube/list-pages.js';
import type { KubeObject, ObjectList, ObjectPage, OpenWatch, PageRequest, ResourceType, Selectors, WatchEvent, WatchOptions } from '../../src/ports/kube.js';

/** One read the operator made through the port: a get, a list (all its pages), a page, or a watch. */
export type RecordedRead = { verb: 'get' | 'list' | 'page' | 'watch'; kind: string; namespace?: string; name?: string } & Selectors;

/** The Kube port of a real cluster, logging every read, for tests that check what the operator reads. */
export class RecordingKube extends KubeDecorator {
  readonly reads: RecordedRead[] = [];

  override get<T extends KubeObject>(type: ResourceType<T>, namespace: string | undefined, name: string): Promise<T | undefined> {
    this.reads.push({ verb: 'get', kind: type.kind, ...(namespace === undefined ? {} : { namespace }), name });
    return super.get(type, namespace, name);
  }

  override list<T extends KubeObject>(type: ResourceType<T>, namespace?: string, selectors?: string | Selectors): Promise<ObjectList<T>> {
    this.reads.push({ verb: 'list', kind: type.kind, ...(namespace === undefined ? {} : { namespace }), ...selectorsOf(selectors) });
    return super.list(type, namespace, selectors);
  }

  override listPage<T extends KubeObject>(type: ResourceType<T>, request: PageRequest): Promise<ObjectPage<T>> {
    const { namespace, labelSelector, fieldSelector } = request;
    this.reads.push({ verb: 'page', kind: type.kind, ...(namespace === undefined ? {} : { namespace }), labelSelector, fieldSelector });
    return super.listPage(type, request);
  }

  override watch<T extends KubeObject>(type: ResourceType<T>, opts: WatchOptions, onEvent: (event: WatchEvent<T>) => void): OpenWatch {
    const { namespace, labelSelector, fieldSelector } = opts;
    this.reads.push({ verb: 'watch', kind: type.kind, ...(namespace === undefined ? {} : { namespace }), labelSelector, fieldSelector });
    return super.watch(type, opts, onEvent);
  }
}

/**
 * The ConfigMaps and Secrets read, as `Kind/namespace/name`, with `*` for a read not narrowed to one object.
 * Example: a list of every Secret in `test` → `Secret/test/*`; a watch by name → `Secret/test/podinfo-token`.
 */
export function configReads(reads: readonly (Selectors & { verb: string; kind: string; namespace?: string; name?: string })[]): string[] {
  const names = reads.filter((r) => r.kind === 'ConfigMap' || r.kind === 'Secret').map((r) => {
    const byName = r.verb === 'get' ? r.name : /^metadata\.name=(.+)$/.exec(r.fieldSelector ?? '')?.[1];
    return `${r.kind}/${r.namespace ?? '*'}/${byName ?? '*'}`;
  });
  return [...new Set(names)].sort();
}
