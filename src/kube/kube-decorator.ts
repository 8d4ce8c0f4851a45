import type {
  CallOptions, Kube, KubeObject, ObjectList, ObjectPage, OpenWatch, PageRequest, PatchKind, ResourceType, Selectors, WatchEvent, WatchOptions,
} from '../ports/kube.js';

/** A {@link Kube} that passes every call to another; subclasses override the calls they change. */
export class KubeDecorator implements Kube {
  constructor(protected readonly inner: Kube) {}

  get<T extends KubeObject>(type: ResourceType<T>, namespace: string | undefined, name: string, opts?: CallOptions): Promise<T | undefined> {
    return this.inner.get(type, namespace, name, opts);
  }

  list<T extends KubeObject>(type: ResourceType<T>, namespace?: string, selectors?: string | Selectors): Promise<ObjectList<T>> {
    return this.inner.list(type, namespace, selectors);
  }

  listPage<T extends KubeObject>(type: ResourceType<T>, request: PageRequest): Promise<ObjectPage<T>> {
    return this.inner.listPage(type, request);
  }

  create<T extends KubeObject>(type: ResourceType<T>, object: T, opts?: CallOptions): Promise<T> {
    return this.inner.create(type, object, opts);
  }

  replace<T extends KubeObject>(type: ResourceType<T>, object: T, opts?: { subresource?: 'status' } & CallOptions): Promise<T> {
    return this.inner.replace(type, object, opts);
  }

  patch<T extends KubeObject>(type: ResourceType<T>, target: { namespace?: string; name: string }, body: unknown,
    opts?: { kind?: PatchKind; subresource?: 'status' } & CallOptions): Promise<T> {
    return this.inner.patch(type, target, body, opts);
  }

  delete(type: ResourceType, target: { namespace?: string; name: string },
    opts?: { propagation?: 'Background' | 'Foreground' | 'Orphan' } & CallOptions): Promise<boolean> {
    return this.inner.delete(type, target, opts);
  }

  watch<T extends KubeObject>(type: ResourceType<T>, opts: WatchOptions, onEvent: (event: WatchEvent<T>) => void): OpenWatch {
    return this.inner.watch(type, opts, onEvent);
  }
}

/** The read calls of `kube`, passed through unchanged: for port wrappers that only change writes. */
export function passThroughReads(kube: Kube): Pick<Kube, 'get' | 'list' | 'listPage' | 'watch'> {
  return {
    get: (type, namespace, name, opts) => kube.get(type, namespace, name, opts),
    list: (type, namespace, selectors) => kube.list(type, namespace, selectors),
    listPage: (type, request) => kube.listPage(type, request),
    watch: (type, opts, onEvent) => kube.watch(type, opts, onEvent),
  };
}
