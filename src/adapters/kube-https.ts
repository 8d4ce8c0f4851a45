import { Agent, request as httpsRequest, type RequestOptions } from 'node:https';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';
import {
  KubeApiError, type Kube, type KubeObject, type ObjectList, type OpenWatch, type PatchKind, type ResourceType, type WatchEvent,
} from '../ports/kube.js';
import { PATCH_CONTENT_TYPES, resourcePath } from './kube-rest-paths.js';
import { readWatchStream } from './watch-stream.js';

/** A request the apiserver does not answer within this time fails (and the tick retries), instead of hanging. */
const REQUEST_TIMEOUT_MS = 30_000;
/** A watch asks for timeoutSeconds=300; no byte for longer than this means the connection is dead. */
const WATCH_IDLE_TIMEOUT_MS = 330_000;

interface HttpCall {
  method: string;
  path: string;
  body?: unknown;
  contentType?: string;
}

/**
 * The {@link Kube} port over plain HTTPS with the credentials of a KubeConfig, on one keep-alive agent.
 * Direct REST keeps full control of subresources, patch types and watch streams.
 */
export class HttpsKube implements Kube {
  private readonly server: URL;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });

  constructor(private readonly kubeConfig: KubeConfig) {
    const cluster = kubeConfig.getCurrentCluster();
    if (cluster === null) throw new Error('the kubeconfig has no current cluster');
    this.server = new URL(cluster.server);
  }

  async get<T extends KubeObject>(type: ResourceType<T>, namespace: string | undefined, name: string): Promise<T | undefined> {
    try {
      return await this.call<T>({ method: 'GET', path: resourcePath(type, { namespace, name }) });
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  async list<T extends KubeObject>(type: ResourceType<T>, namespace?: string, labelSelector?: string): Promise<ObjectList<T>> {
    const query = labelSelector === undefined ? '' : `?labelSelector=${encodeURIComponent(labelSelector)}`;
    const list = await this.call<{ items: T[]; metadata: { resourceVersion: string } }>({
      method: 'GET', path: resourcePath(type, { namespace }) + query,
    });
    // Lists omit kind/apiVersion on items; restore them so objects are self-describing like a GET's.
    const apiVersion = type.group === '' ? type.version : `${type.group}/${type.version}`;
    for (const item of list.items) Object.assign(item, { apiVersion, kind: type.kind });
    return { items: list.items, resourceVersion: list.metadata.resourceVersion };
  }

  create<T extends KubeObject>(type: ResourceType<T>, object: T): Promise<T> {
    return this.call<T>({ method: 'POST', path: resourcePath(type, { namespace: object.metadata.namespace }), body: object });
  }

  replace<T extends KubeObject>(type: ResourceType<T>, object: T, opts?: { subresource?: 'status' }): Promise<T> {
    const { namespace, name } = object.metadata;
    return this.call<T>({ method: 'PUT', path: resourcePath(type, { namespace, name, subresource: opts?.subresource }), body: object });
  }

  patch<T extends KubeObject>(type: ResourceType<T>, target: { namespace?: string; name: string }, body: unknown,
    opts?: { kind?: PatchKind; subresource?: 'status' }): Promise<T> {
    return this.call<T>({
      method: 'PATCH',
      path: resourcePath(type, { ...target, subresource: opts?.subresource }),
      body,
      contentType: PATCH_CONTENT_TYPES[opts?.kind ?? 'merge'],
    });
  }

  async delete(type: ResourceType, target: { namespace?: string; name: string },
    opts?: { propagation?: 'Background' | 'Foreground' | 'Orphan' }): Promise<boolean> {
    try {
      await this.call({ method: 'DELETE', path: resourcePath(type, target), body: { propagationPolicy: opts?.propagation ?? 'Background' } });
      return true;
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) return false;
      throw error;
    }
  }

  watch<T extends KubeObject>(type: ResourceType<T>, opts: { namespace?: string; resourceVersion: string; labelSelector?: string },
    onEvent: (event: WatchEvent<T>) => void): OpenWatch {
    const params = new URLSearchParams({ watch: 'true', allowWatchBookmarks: 'true', resourceVersion: opts.resourceVersion, timeoutSeconds: '300' });
    if (opts.labelSelector !== undefined) params.set('labelSelector', opts.labelSelector);
    let req: ReturnType<typeof httpsRequest> | undefined;
    let stopped = false;
    const done = (async (): Promise<void> => {
      const options = await this.requestOptions('GET', `${resourcePath(type, { namespace: opts.namespace })}?${params.toString()}`);
      await new Promise<void>((resolve, reject) => {
        req = this.send(options, (res) => {
          if ((res.statusCode ?? 0) >= 300) {
            readBody(res).then((text) => reject(apiError(res, text)), reject);
            return;
          }
          readWatchStream<T>(res, onEvent).then(resolve, (error: Error) => (stopped ? resolve() : reject(error)));
        });
        req.on('error', (error) => (stopped ? resolve() : reject(error)));
        // The server ends a watch after timeoutSeconds and sends bookmarks meanwhile; silence past that is a dead connection.
        req.setTimeout(WATCH_IDLE_TIMEOUT_MS, () => req?.destroy(new Error('watch went silent')));
        req.end();
      });
    })();
    return { stop: () => { stopped = true; req?.destroy(); }, done };
  }

  private async call<T>(call: HttpCall): Promise<T> {
    const options = await this.requestOptions(call.method, call.path);
    const payload = call.body === undefined ? undefined : JSON.stringify(call.body);
    options.headers.Accept = 'application/json';
    if (payload !== undefined) options.headers['Content-Type'] = call.contentType ?? 'application/json';
    return new Promise<T>((resolve, reject) => {
      const req = this.send(options, (res) => {
        readBody(res).then((text) => {
          const status = res.statusCode ?? 0;
          if (status < 200 || status >= 300) reject(apiError(res, text));
          else resolve(parseBody<T>(text, call));
        }, reject).catch(reject);
      });
      req.on('error', reject);
      req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`${call.method} ${call.path} timed out after ${REQUEST_TIMEOUT_MS / 1000} s`)));
      req.end(payload);
    });
  }

  private async requestOptions(method: string, path: string): Promise<RequestOptions & { headers: Record<string, string> }> {
    const options: RequestOptions & { headers: Record<string, string> } = {
      method, host: this.server.hostname, port: this.server.port, path: `${this.server.pathname.replace(/\/$/, '')}${path}`,
      headers: {}, agent: this.agent,
    };
    await this.kubeConfig.applyToHTTPSOptions(options);
    return options;
  }

  private send(options: RequestOptions, onResponse: (res: IncomingMessage) => void): ReturnType<typeof httpsRequest> {
    return this.server.protocol === 'https:' ? httpsRequest(options, onResponse) : httpRequest({ ...options, agent: undefined }, onResponse);
  }
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

function apiError(res: IncomingMessage, text: string): KubeApiError {
  const status = res.statusCode ?? 0;
  const retryAfterMs = retryAfter(res.headers['retry-after']);
  try {
    const body = JSON.parse(text) as { reason?: string; message?: string };
    return new KubeApiError(status, body.reason ?? 'Unknown', body.message ?? text, retryAfterMs);
  } catch {
    return new KubeApiError(status, 'Unknown', text.slice(0, 500), retryAfterMs);
  }
}

// `Retry-After: 5` → 5000 ms (the API server sends seconds; an HTTP date is not used by it and is ignored).
function retryAfter(header: string | undefined): number | undefined {
  const seconds = Number(header);
  return header === undefined || header === '' || !Number.isFinite(seconds) || seconds < 0 ? undefined : seconds * 1000;
}
