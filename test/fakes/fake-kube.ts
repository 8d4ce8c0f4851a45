import { randomUUID } from 'node:crypto';
import {
  apiVersionOf, KubeApiError, type Kube, type KubeObject, type ObjectList, type ObjectPage, type OpenWatch, type PageRequest, type PatchKind,
  type ResourceType, type Selectors, type WatchEvent, type WatchOptions,
} from '../../src/ports/kube.js';
import { listAllPages, selectorsOf } from '../../src/kube/list-pages.js';
import { jsonPatch, mergePatch } from './json-patch.js';

type Stored = KubeObject & { status?: unknown; spec?: unknown };
type Listener = { type: ResourceType; namespace?: string; selectors: Selectors; onEvent: (e: WatchEvent<KubeObject>) => void; fail: (e: Error) => void };
/** One read request, as the API server would log it. */
export type ReadRequest = { verb: 'get' | 'list' | 'watch'; kind: string; namespace?: string; name?: string } & Selectors;
type LoggedEvent = { type: ResourceType; event: WatchEvent<KubeObject> };

/** A mutating call, as a fault injector sees it before the fake carries it out. */
export interface WriteCall {
  verb: 'create' | 'replace' | 'patch' | 'delete';
  type: ResourceType;
  namespace?: string;
  name: string;
  subresource?: 'status';
  body?: unknown;
}

/**
 * What a fault injector makes of one write: fail it without effect (a 500 before anything happened), or carry
 * it out and then fail it (a timeout whose request the server did complete).
 */
export interface WriteFault {
  error: Error;
  applied: boolean;
}

const key = (t: ResourceType, ns: string | undefined, name: string): string => `${apiVersionOf(t)}/${t.plural}/${ns ?? ''}/${name}`;

/**
 * An in-memory API server for the unit and scenario layers. It keeps the semantics the operator relies on,
 * and the contract suite checks them against a real kube-apiserver: resourceVersion conflicts, the status
 * subresource split, generation bumps on spec changes, merge and JSON patches, finalizers, watches, label and
 * `metadata.name` field selectors, paginated lists (in name order, like the server's), and (like
 * kube-controller-manager's garbage collector) background deletion of owned objects.
 */
export class FakeKube implements Kube {
  private readonly objects = new Map<string, { type: ResourceType; object: Stored }>();
  private readonly listeners = new Set<Listener>();
  // Every event, so that a watch started from an older resourceVersion replays what it missed.
  private readonly eventLog: LoggedEvent[] = [];
  private revision = 1;
  /** Every mutating call, for tests that count API writes. */
  readonly writes: { verb: string; kind: string; name: string }[] = [];
  /** When true, watches receive nothing (a silently stalled connection); only a re-list sees changes. */
  muteWatches = false;
  /** Set to make the next calls fail, e.g. `failNext.push(new KubeApiError(500, ...))`. */
  readonly failNext: Error[] = [];
  /** Every read (get, list page, watch), for tests that check what the operator reads. */
  readonly reads: ReadRequest[] = [];
  /** While above 0, a list page asked with a continue token fails with 410 Expired (and this counts down). */
  expireContinueTokens = 0;
  /** Consulted before every mutating call (after `failNext`); returning a fault fails the call. */
  writeFault: ((call: WriteCall) => WriteFault | undefined) | undefined;

  get<T extends KubeObject>(type: ResourceType<T>, namespace: string | undefined, name: string): Promise<T | undefined> {
    this.reads.push({ verb: 'get', kind: type.kind, ...(namespace === undefined ? {} : { namespace }), name });
    const entry = this.objects.get(key(type, namespace, name));
    return Promise.resolve(entry === undefined ? undefined : (structuredClone(entry.object) as T));
  }

  list<T extends KubeObject>(type: ResourceType<T>, namespace?: string, selectors?: string | Selectors): Promise<ObjectList<T>> {
    return listAllPages((t, request) => this.listPage(t, request), type, { namespace, ...selectorsOf(selectors) });
  }

  /**
   * A page in name order (namespace, then name), as the API server returns it. The continue token names the
   * last key returned; later pages show the objects as they are now, where the server would show the first
   * page's snapshot.
   */
  listPage<T extends KubeObject>(type: ResourceType<T>, request: PageRequest): Promise<ObjectPage<T>> {
    const { namespace, limit, continue: token, ...selectors } = request;
    this.reads.push({ verb: 'list', kind: type.kind, ...(namespace === undefined ? {} : { namespace }), ...selectors });
    if (token !== undefined && this.expireContinueTokens > 0) {
      this.expireContinueTokens -= 1;
      return Promise.reject(new KubeApiError(410, 'Expired', 'The provided continue parameter is too old to display a consistent list result.'));
    }
    const after = token === undefined ? '' : Buffer.from(token, 'base64url').toString('utf8');
    const matching = [...this.objects.values()]
      .filter((e) => sameType(e.type, type) && (namespace === undefined || e.object.metadata.namespace === namespace))
      .filter((e) => matchesSelectors(e.object, selectors))
      .map((e) => ({ sortKey: `${e.object.metadata.namespace ?? ''}/${e.object.metadata.name}`, object: e.object }))
      .filter((e) => e.sortKey > after)
      .sort((a, b) => (a.sortKey < b.sortKey ? -1 : 1));
    const page = matching.slice(0, limit);
    const last = page.at(-1);
    const next = matching.length > limit && last !== undefined ? Buffer.from(last.sortKey, 'utf8').toString('base64url') : undefined;
    const items = page.map((e) => structuredClone(e.object) as T);
    return Promise.resolve({ items, resourceVersion: String(this.revision), ...(next === undefined ? {} : { continue: next }) });
  }

  create<T extends KubeObject>(type: ResourceType<T>, object: T): Promise<T> {
    return this.mutate({ verb: 'create', type, namespace: object.metadata.namespace, name: object.metadata.name, body: object }, () => {
      const { namespace, name } = object.metadata;
      if (type.namespaced && namespace === undefined) throw new KubeApiError(422, 'Invalid', 'metadata.namespace: Required value');
      const k = key(type, namespace, name);
      if (this.objects.has(k)) throw new KubeApiError(409, 'AlreadyExists', `${type.plural} "${name}" already exists`);
      const stored: Stored = structuredClone({ ...object, apiVersion: apiVersionOf(type), kind: type.kind });
      if (type.hasStatus) delete stored.status;
      stored.metadata = { ...stored.metadata, uid: randomUUID(), generation: 1, creationTimestamp: new Date().toISOString() };
      return this.store(type, stored, 'ADDED', 'create') as T;
    });
  }

  replace<T extends KubeObject>(type: ResourceType<T>, object: T, opts?: { subresource?: 'status' }): Promise<T> {
    const call: WriteCall = { verb: 'replace', type, namespace: object.metadata.namespace, name: object.metadata.name, body: object, ...(opts?.subresource === undefined ? {} : { subresource: opts.subresource }) };
    return this.mutate(call, () => {
      const current = this.current(type, object.metadata.namespace, object.metadata.name);
      const rv = object.metadata.resourceVersion;
      if (rv === undefined || rv === '') throw new KubeApiError(422, 'Invalid', 'metadata.resourceVersion: Invalid value: 0: must be specified for an update');
      if (rv !== current.metadata.resourceVersion) {
        throw new KubeApiError(409, 'Conflict', `Operation cannot be fulfilled on ${type.plural} "${object.metadata.name}": the object has been modified; please apply your changes to the latest version and try again`);
      }
      return this.update(type, current, structuredClone(object), opts?.subresource) as T;
    });
  }

  patch<T extends KubeObject>(type: ResourceType<T>, target: { namespace?: string; name: string }, body: unknown,
    opts?: { kind?: PatchKind; subresource?: 'status' }): Promise<T> {
    return this.mutate({ verb: 'patch', type, ...target, body, ...(opts?.subresource === undefined ? {} : { subresource: opts.subresource }) }, () => {
      const current = this.current(type, target.namespace, target.name);
      const patched = applyPatch(current, body, opts?.kind ?? 'merge');
      const rv = patched.metadata.resourceVersion;
      if (rv !== undefined && rv !== current.metadata.resourceVersion) {
        throw new KubeApiError(409, 'Conflict', `Operation cannot be fulfilled on ${type.plural} "${target.name}": the object has been modified; please apply your changes to the latest version and try again`);
      }
      return this.update(type, current, patched, opts?.subresource) as T;
    });
  }

  delete(type: ResourceType, target: { namespace?: string; name: string }): Promise<boolean> {
    return this.mutate({ verb: 'delete', type, ...target }, () => {
      const entry = this.objects.get(key(type, target.namespace, target.name));
      if (entry === undefined) return false;
      this.writes.push({ verb: 'delete', kind: type.kind, name: target.name });
      const { object } = entry;
      if ((object.metadata.finalizers ?? []).length > 0) {
        if (object.metadata.deletionTimestamp === undefined) {
          object.metadata.deletionTimestamp = new Date().toISOString();
          this.bump(type, object, 'MODIFIED');
        }
        return true;
      }
      this.remove(type, object);
      return true;
    });
  }

  watch<T extends KubeObject>(type: ResourceType<T>, opts: WatchOptions, onEvent: (event: WatchEvent<T>) => void): OpenWatch {
    const { namespace, labelSelector, fieldSelector } = opts;
    this.reads.push({ verb: 'watch', kind: type.kind, ...(namespace === undefined ? {} : { namespace }), labelSelector, fieldSelector });
    let close = (): void => undefined;
    let fail = (_e: Error): void => undefined;
    const done = new Promise<void>((resolve, reject) => { close = resolve; fail = reject; });
    const listener: Listener = { type, namespace, selectors: { labelSelector, fieldSelector }, onEvent: onEvent as (e: WatchEvent<KubeObject>) => void, fail };
    const since = Number(opts.resourceVersion || '0');
    for (const logged of this.eventLog) {
      if (Number(logged.event.object.metadata.resourceVersion) > since && matches(listener, logged.type, logged.event.object)) {
        listener.onEvent(structuredClone(logged.event));
      }
    }
    this.listeners.add(listener);
    return { stop: () => { this.listeners.delete(listener); close(); }, done };
  }

  /** Ends every open watch with `error`, as a dropped connection or a 410 Gone would. */
  breakWatches(error: Error): void {
    for (const l of [...this.listeners]) {
      this.listeners.delete(l);
      l.fail(error);
    }
  }

  /** Number of watches open now. */
  openWatches(): number {
    return this.listeners.size;
  }

  private mutate<R>(call: WriteCall, fn: () => R): Promise<R> {
    const failure = this.failNext.shift();
    if (failure !== undefined) return Promise.reject(failure);
    const fault = this.writeFault?.(call);
    if (fault !== undefined && !fault.applied) return Promise.reject(fault.error);
    try {
      const result = fn();
      return fault === undefined ? Promise.resolve(result) : Promise.reject(fault.error);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private current(type: ResourceType, namespace: string | undefined, name: string): Stored {
    const entry = this.objects.get(key(type, namespace, name));
    if (entry === undefined) throw new KubeApiError(404, 'NotFound', `${type.plural} "${name}" not found`);
    return entry.object;
  }

  private update(type: ResourceType, current: Stored, next: Stored, subresource: 'status' | undefined): Stored {
    const merged = subresource === 'status' ? statusUpdate(current, next) : objectUpdate(type, current, next);
    merged.metadata.generation = nextGeneration(type, current, merged);
    dropUndefined(merged);
    if (merged.metadata.deletionTimestamp !== undefined && (merged.metadata.finalizers ?? []).length === 0) {
      this.remove(type, merged);
      return structuredClone(merged);
    }
    return this.store(type, merged, 'MODIFIED', subresource === 'status' ? 'status' : 'update');
  }

  private store(type: ResourceType, object: Stored, event: 'ADDED' | 'MODIFIED', verb: string): Stored {
    this.writes.push({ verb, kind: type.kind, name: object.metadata.name });
    this.objects.set(key(type, object.metadata.namespace, object.metadata.name), { type, object });
    this.bump(type, object, event);
    return structuredClone(object);
  }

  private bump(type: ResourceType, object: Stored, event: WatchEvent<KubeObject>['type']): void {
    this.revision += 1;
    object.metadata.resourceVersion = String(this.revision);
    this.emit(type, event, object);
  }

  private remove(type: ResourceType, object: Stored): void {
    this.objects.delete(key(type, object.metadata.namespace, object.metadata.name));
    this.revision += 1;
    this.emit(type, 'DELETED', { ...object, metadata: { ...object.metadata, resourceVersion: String(this.revision) } });
    this.collectGarbage(object.metadata.uid);
  }

  // Background cascading deletion, as kube-controller-manager's garbage collector does.
  private collectGarbage(ownerUid: string | undefined): void {
    if (ownerUid === undefined) return;
    for (const { type, object } of [...this.objects.values()]) {
      if (object.metadata.ownerReferences?.some((o) => o.uid === ownerUid)) {
        void this.delete(type, { namespace: object.metadata.namespace, name: object.metadata.name });
      }
    }
  }

  private emit(type: ResourceType, eventType: WatchEvent<KubeObject>['type'], object: Stored): void {
    const event: WatchEvent<KubeObject> = { type: eventType, object: structuredClone(object) };
    if (this.muteWatches) return;
    this.eventLog.push({ type, event });
    for (const l of [...this.listeners]) {
      if (matches(l, type, object)) l.onEvent(structuredClone(event));
    }
  }
}

// A status update changes nothing but status.
function statusUpdate(current: Stored, next: Stored): Stored {
  return { ...structuredClone(current), status: next.status };
}

// An object update keeps the server-owned metadata, and keeps status when it lives in a subresource.
function objectUpdate(type: ResourceType, current: Stored, next: Stored): Stored {
  const { uid, creationTimestamp, deletionTimestamp } = current.metadata;
  const merged: Stored = { ...next, apiVersion: current.apiVersion, kind: current.kind, metadata: { ...next.metadata, uid, creationTimestamp, deletionTimestamp } };
  if (type.hasStatus) merged.status = current.status;
  return merged;
}

function dropUndefined(object: Stored): void {
  if (object.status === undefined) delete object.status;
  for (const k of ['generation', 'deletionTimestamp'] as const) if (object.metadata[k] === undefined) delete object.metadata[k];
}

function matches(l: Listener, type: ResourceType, object: KubeObject): boolean {
  return sameType(l.type, type) && (l.namespace === undefined || l.namespace === object.metadata.namespace) && matchesSelectors(object, l.selectors);
}

function sameType(a: ResourceType, b: ResourceType): boolean {
  return a.group === b.group && a.plural === b.plural;
}

function nextGeneration(type: ResourceType, current: Stored, next: Stored): number | undefined {
  const generation = current.metadata.generation;
  if (generation === undefined) return undefined;
  const specChanged = JSON.stringify(stripForGeneration(current)) !== JSON.stringify(stripForGeneration(next));
  return type.hasStatus && specChanged ? generation + 1 : generation;
}

// Generation counts changes to everything but metadata and status.
function stripForGeneration(o: Stored): unknown {
  const { metadata: _m, status: _s, ...rest } = o;
  return rest;
}

function applyPatch(current: Stored, body: unknown, kind: PatchKind): Stored {
  try {
    if (kind === 'json') return jsonPatch(current, body as Parameters<typeof jsonPatch>[1]) as Stored;
    // A strategic merge patch behaves like a merge patch for the fields the operator patches.
    return mergePatch(current, body) as Stored;
  } catch (error) {
    throw new KubeApiError(422, 'Invalid', (error as Error).message);
  }
}

function matchesSelectors(object: KubeObject, selectors: Selectors): boolean {
  const fields: Record<string, string> = { 'metadata.name': object.metadata.name, 'metadata.namespace': object.metadata.namespace ?? '' };
  return matchesTerms(object.metadata.labels ?? {}, selectors.labelSelector) && matchesTerms(fields, selectors.fieldSelector);
}

// Equality terms only (`a=b,c=d`), the form the operator uses for both label and field selectors.
function matchesTerms(values: Record<string, string>, selector: string | undefined): boolean {
  if (selector === undefined || selector === '') return true;
  return selector.split(',').every((term) => {
    const [k, v] = term.split('=');
    return k !== undefined && values[k.trim()] === v?.trim();
  });
}
