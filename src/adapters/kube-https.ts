import type { ClientRequest, IncomingMessage } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';
import { ClusterAccess, type AccessRequestOptions } from '../kube/cluster-access.js';
import type { Clock } from '../ports/clock.js';
import {
  KubeApiError, type CallOptions, type Kube, type KubeObject, type ObjectList, type ObjectPage, type OpenWatch, type PageRequest, type PatchKind,
  type ResourceType, type Selectors, type WatchEvent, type WatchOptions,
} from '../ports/kube.js';
import { listAllPages, selectorsOf } from '../kube/list-pages.js';
import { PATCH_CONTENT_TYPES, resourcePath } from './kube-rest-paths.js';
import { systemClock } from './system-clock.js';
import { readWatchStream } from './watch-stream.js';

/** A request the apiserver does not answer within this time fails (and the tick retries), instead of hanging. */
const REQUEST_TIMEOUT_MS = 30_000;
/** A watch asks for timeoutSeconds=300 unless told otherwise. */
const DEFAULT_WATCH_SECONDS = 300;
/**
 * The server sends a bookmark at least every minute to a watch that allows them (and one just before the
 * watch's timeout), so no byte for longer than this means the connection is dead, however long the watch.
 */
const WATCH_IDLE_TIMEOUT_MS = 330_000;

interface HttpCall {
  method: string;
  path: string;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
}

/**
 * The {@link Kube} port over HTTPS (or plain HTTP) with the credentials of a KubeConfig, on keep-alive
 * connections, uncapped: watches hold theirs for minutes to hours, one per watched kind or referenced object.
 * Direct REST keeps full control of subresources, patch types and watch streams. A 401 renews an expiring
 * credential (token file, exec plugin) and retries the request once.
 */
export class HttpsKube implements Kube {
  private readonly access: ClusterAccess;

  constructor(kubeConfig: KubeConfig, clock: Clock = systemClock) {
    this.access = new ClusterAccess(kubeConfig, clock);
  }

  async get<T extends KubeObject>(type: ResourceType<T>, namespace: string | undefined, name: string, opts?: CallOptions): Promise<T | undefined> {
    try {
      return await this.call<T>({ method: 'GET', path: resourcePath(type, { namespace, name }), signal: opts?.signal });
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  list<T extends KubeObject>(type: ResourceType<T>, namespace?: string, selectors?: string | Selectors): Promise<ObjectList<T>> {
    return listAllPages((t, request) => this.listPage(t, request), type, { namespace, ...selectorsOf(selectors) });
  }

  async listPage<T extends KubeObject>(type: ResourceType<T>, request: PageRequest): Promise<ObjectPage<T>> {
    const params = new URLSearchParams({ limit: String(request.limit) });
    if (request.continue !== undefined) params.set('continue', request.continue);
    setSelectors(params, request);
    const list = await this.call<{ items: T[]; metadata: { resourceVersion: string; continue?: string } }>({
      method: 'GET', path: `${resourcePath(type, { namespace: request.namespace })}?${params.toString()}`,
    });
    // Lists omit kind/apiVersion on items; restore them so objects are self-describing like a GET's.
    const apiVersion = type.group === '' ? type.version : `${type.group}/${type.version}`;
    for (const item of list.items) Object.assign(item, { apiVersion, kind: type.kind });
    const next = list.metadata.continue;
    return { items: list.items, resourceVersion: list.metadata.resourceVersion, ...(next === undefined || next === '' ? {} : { continue: next }) };
  }

  create<T extends KubeObject>(type: ResourceType<T>, object: T, opts?: CallOptions): Promise<T> {
    return this.call<T>({ method: 'POST', path: resourcePath(type, { namespace: object.metadata.namespace }), body: object, signal: opts?.signal });
  }

  replace<T extends KubeObject>(type: ResourceType<T>, object: T, opts?: { subresource?: 'status' } & CallOptions): Promise<T> {
    const { namespace, name } = object.metadata;
    return this.call<T>({ method: 'PUT', path: resourcePath(type, { namespace, name, subresource: opts?.subresource }), body: object, signal: opts?.signal });
  }

  patch<T extends KubeObject>(type: ResourceType<T>, target: { namespace?: string; name: string }, body: unknown,
    opts?: { kind?: PatchKind; subresource?: 'status' } & CallOptions): Promise<T> {
    return this.call<T>({
      method: 'PATCH',
      path: resourcePath(type, { ...target, subresource: opts?.subresource }),
      body,
      contentType: PATCH_CONTENT_TYPES[opts?.kind ?? 'merge'],
      signal: opts?.signal,
    });
  }

  async delete(type: ResourceType, target: { namespace?: string; name: string },
    opts?: { propagation?: 'Background' | 'Foreground' | 'Orphan' } & CallOptions): Promise<boolean> {
    try {
      await this.call({ method: 'DELETE', path: resourcePath(type, target), body: { propagationPolicy: opts?.propagation ?? 'Background' }, signal: opts?.signal });
      return true;
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) return false;
      throw error;
    }
  }

  watch<T extends KubeObject>(type: ResourceType<T>, opts: WatchOptions, onEvent: (event: WatchEvent<T>) => void): OpenWatch {
    const params = new URLSearchParams({
      watch: 'true', allowWatchBookmarks: 'true', resourceVersion: opts.resourceVersion, timeoutSeconds: String(opts.timeoutSeconds ?? DEFAULT_WATCH_SECONDS),
    });
    setSelectors(params, opts);
    let req: ClientRequest | undefined;
    let stopped = false;
    const open = async (): Promise<void> => {
      const options = await this.requestOptions('GET', `${resourcePath(type, { namespace: opts.namespace })}?${params.toString()}`);
      await new Promise<void>((resolve, reject) => {
        req = this.send(options, (res) => {
          if ((res.statusCode ?? 0) >= 300) {
            readBody(res).then((text) => reject(apiError(res, text, options)), reject);
            return;
          }
          readWatchStream<T>(res, onEvent).then(resolve, (error: Error) => (stopped ? resolve() : reject(error)));
        });
        req.on('error', (error) => (stopped ? resolve() : reject(error)));
        // The server ends a watch after timeoutSeconds and sends bookmarks meanwhile; silence past that is a dead connection.
        req.setTimeout(WATCH_IDLE_TIMEOUT_MS, () => req?.destroy(new Error('watch went silent')));
        req.end();
      });
    };
    // A watch stopped while its credential was being renewed is not opened again.
    const done = this.retryOnceIfUnauthorized(() => (stopped ? Promise.resolve() : open()));
    return { stop: () => { stopped = true; req?.destroy(); }, done };
  }

  private call<T>(call: HttpCall): Promise<T> {
    return this.retryOnceIfUnauthorized(() => this.callOnce<T>(call));
  }

  /** A 401 means the credential expired or was revoked: renew it, and when that yields a new one, retry once. */
  private async retryOnceIfUnauthorized<T>(attempt: () => Promise<T>): Promise<T> {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof UnauthorizedError) || !(await this.access.renewAfterRejection(error.options))) throw error;
      return attempt();
    }
  }

  private async callOnce<T>(call: HttpCall): Promise<T> {
    call.signal?.throwIfAborted();
    const options = await this.requestOptions(call.method, call.path);
    // An aborted signal destroys the request (node rejects it with the signal's reason or an AbortError).
    if (call.signal !== undefined) options.signal = call.signal;
    const payload = call.body === undefined ? undefined : JSON.stringify(call.body);
    options.headers.Accept = 'application/json';
    if (payload !== undefined) options.headers['Content-Type'] = call.contentType ?? 'application/json';
    // Node sends a DELETE body with neither Content-Length nor chunked encoding: the server would not read it
    // (losing propagationPolicy) and, on a kept-alive connection, would parse it as the next request (400).
    if (payload !== undefined) options.headers['Content-Length'] = String(Buffer.byteLength(payload));
    return new Promise<T>((resolve, reject) => {
      const req = this.send(options, (res) => {
        readBody(res).then((text) => {
          const status = res.statusCode ?? 0;
          if (status < 200 || status >= 300) reject(apiError(res, text, options));
          else resolve(parseBody<T>(text, call));
        }, reject).catch(reject);
      });
      req.on('error', reject);
      req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`${call.method} ${call.path} timed out after ${REQUEST_TIMEOUT_MS / 1000} s`)));
      req.end(payload);
    });
  }

  private requestOptions(method: string, path: string): Promise<AccessRequestOptions> {
    return this.access.requestOptions(method, path);
  }

  private send(options: AccessRequestOptions, onResponse: (res: IncomingMessage) => void): ClientRequest {
    return this.access.send(options, onResponse);
  }
}

/** A 401, with the request options (and so the credential) that were refused. */
class UnauthorizedError extends KubeApiError {
  constructor(reason: string, message: string, readonly options: AccessRequestOptions) {
    super(401, reason, message);
  }
}

function setSelectors(params: URLSearchParams, selectors: Selectors): void {
  if (selectors.labelSelector !== undefined) params.set('labelSelector', selectors.labelSelector);
  if (selectors.fieldSelector !== undefined) params.set('fieldSelector', selectors.fieldSelector);
}

function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => (text += chunk));
    res.on('end', () => resolve(text));
    res.on('error', reject);
  });
}

// A 2xx body that is not JSON (a proxy's page, a truncated answer) throws here, and so rejects the call
// instead of escaping as an unhandled rejection.
function parseBody<T>(text: string, call: HttpCall): T {
  try {
    return (text === '' ? {} : JSON.parse(text)) as T;
  } catch {
    throw new Error(`${call.method} ${call.path}: the answer is not JSON: ${text.slice(0, 200)}`);
  }
}

// A 401 keeps the refused request's options (and so its credential), for the renewal to compare.
function apiError(res: IncomingMessage, text: string, options: AccessRequestOptions): KubeApiError {
  const status = res.statusCode ?? 0;
  const retryAfterMs = retryAfter(res.headers['retry-after']);
  let reason = 'Unknown';
  let message = text.slice(0, 500);
  try {
    const body = JSON.parse(text) as { reason?: string; message?: string };
    reason = body.reason ?? reason;
    message = body.message ?? text;
  } catch {
    // not a Status object: keep the start of the text
  }
  return status === 401 ? new UnauthorizedError(reason, message, options) : new KubeApiError(status, reason, message, retryAfterMs);
}

// `Retry-After: 5` → 5000 ms (the API server sends seconds; an HTTP date is not used by it and is ignored).
function retryAfter(header: string | undefined): number | undefined {
  const seconds = Number(header);
  return header === undefined || header === '' || !Number.isFinite(seconds) || seconds < 0 ? undefined : seconds * 1000;
}
