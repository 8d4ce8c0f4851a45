/** Object metadata as the API server returns it; only the fields the operator reads are typed. */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
}

/** An owner reference, as in `metadata.ownerReferences`. */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** Any Kubernetes object. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
}

/**
 * Describes one resource type: enough to build its REST path. `T` is the object type it holds (phantom).
 * Example: `{ group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', namespaced: true }`.
 */
export interface ResourceType<T extends KubeObject = KubeObject> {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  /** True when the type has a `status` subresource (updates to the object ignore status, and vice versa). */
  hasStatus: boolean;
  /** Never set; carries `T` for type inference. */
  readonly __object?: T;
}

/** How a patch body is interpreted. */
export type PatchKind = 'merge' | 'json' | 'strategic';

/** A watch event, as the API server streams it. */
export interface WatchEvent<T extends KubeObject> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';
  object: T;
}

/** The result of a list call: every item, and the resourceVersion to watch from. */
export interface ObjectList<T extends KubeObject> {
  items: T[];
  resourceVersion: string;
}

/**
 * Which objects a list or watch selects. `fieldSelector` as the API server takes it, e.g.
 * `metadata.name=podinfo-config` (the operator selects only by name).
 */
export interface Selectors {
  labelSelector?: string;
  fieldSelector?: string;
}

/** One page of a list: at most `limit` items, in the server's order, and the token for the next page. */
export interface PageRequest extends Selectors {
  namespace?: string;
  limit: number;
  continue?: string;
}

/** A page of a list call; `continue` is set while more pages follow. */
export interface ObjectPage<T extends KubeObject> extends ObjectList<T> {
  continue?: string;
}

/** Options of a watch. `timeoutSeconds` asks the server to end it after that long (default 300). */
export interface WatchOptions extends Selectors {
  namespace?: string;
  resourceVersion: string;
  timeoutSeconds?: number;
}

/** An open watch; `done` settles when the server or the caller closes it (rejects on a stream error). */
export interface OpenWatch {
  stop(): void;
  done: Promise<void>;
}

/**
 * Per-call options every request accepts. `signal` aborts the request (the call then rejects): leader
 * election gives each renewal one, so that a hung request cannot outlive the renew deadline, and the
 * leadership fence gives each write one that fires when leadership is no longer sure.
 */
export interface CallOptions {
  signal?: AbortSignal;
}

/**
 * The Kubernetes API as the operator uses it. Errors are {@link KubeApiError}s carrying the HTTP status,
 * so that callers can tell NotFound (404), Conflict (409), Invalid (422) and Gone (410) apart.
 */
export interface Kube {
  get<T extends KubeObject>(type: ResourceType<T>, namespace: string | undefined, name: string, opts?: CallOptions): Promise<T | undefined>;
  /** Every matching object, read page by page (see {@link listAllPages}). */
  list<T extends KubeObject>(type: ResourceType<T>, namespace?: string, selectors?: string | Selectors): Promise<ObjectList<T>>;
  /** One page of a list. */
  listPage<T extends KubeObject>(type: ResourceType<T>, request: PageRequest): Promise<ObjectPage<T>>;
  create<T extends KubeObject>(type: ResourceType<T>, object: T, opts?: CallOptions): Promise<T>;
  /** Full update; fails with 409 when `metadata.resourceVersion` is stale. */
  replace<T extends KubeObject>(type: ResourceType<T>, object: T, opts?: { subresource?: 'status' } & CallOptions): Promise<T>;
  patch<T extends KubeObject>(type: ResourceType<T>, target: { namespace?: string; name: string }, body: unknown,
    opts?: { kind?: PatchKind; subresource?: 'status' } & CallOptions): Promise<T>;
  /** Returns false when the object did not exist. */
  delete(type: ResourceType, target: { namespace?: string; name: string },
    opts?: { propagation?: 'Background' | 'Foreground' | 'Orphan' } & CallOptions): Promise<boolean>;
  watch<T extends KubeObject>(type: ResourceType<T>, opts: WatchOptions, onEvent: (event: WatchEvent<T>) => void): OpenWatch;
}

/**
 * An error answered by the API server (or the fake), with its HTTP status and the server's reason, and, when
 * the server sent a `Retry-After` header (429, 503), how long it asked clients to wait.
 */
export class KubeApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }
}

/** True for a 404 NotFound. */
export function isNotFound(error: unknown): boolean {
  return error instanceof KubeApiError && error.status === 404;
}

/** True for a 409 Conflict (stale resourceVersion or AlreadyExists). */
export function isConflict(error: unknown): boolean {
  return error instanceof KubeApiError && error.status === 409;
}

/** True for a 410 Gone (watch resourceVersion too old). */
export function isGone(error: unknown): boolean {
  return error instanceof KubeApiError && error.status === 410;
}

/** `group/version`, or `version` for the core group. */
export function apiVersionOf(type: ResourceType): string {
  return type.group === '' ? type.version : `${type.group}/${type.version}`;
}
