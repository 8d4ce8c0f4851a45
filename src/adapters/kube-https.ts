import { Agent, request as httpsRequest, type RequestOptions } from 'node:https';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';
import {
  KubeApiError, type CallOptions, type Kube, type KubeObject, type ObjectList, type OpenWatch, type PatchKind, type ResourceType, type WatchEvent,
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
  signal?: AbortSignal;
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

  async get<T extends KubeObject>(type: ResourceType<T>, namespace: string | undefined, name: string, opts?: CallOptions): Promise<T | undefined> {
    try {
      return await this.call<T>({ method: 'GET', path: resourcePath(type, { namespace, name }), signal: opts?.signal });
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
            readBody(res).then((text) => reject(apiError(res.statusCode ?? 0, text)), reject);
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
    call.signal?.throwIfAborted();
    const options = await this.requestOptions(call.method, call.path);
    // An aborted signal destroys the request (node rejects it with the signal's reason or an AbortError).
    if (call.signal !== undefined) options.signal = call.signal;
    const payload = call.body === undefined ? undefined : JSON.stringify(call.body);
    options.headers.Accept = 'application/json';
    if (payload !== undefined) options.headers['Content-Type'] = call.contentType ?? 'application/json';
    return new Promise<T>((resolve, reject) => {
      const req = this.send(options, (res) => {
        readBody(res).then((text) => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve((text === '' ? {} : JSON.parse(text)) as T);
          else reject(apiError(status, text));
        }, reject);
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

function apiError(status: number, text: string): KubeApiError {
  try {
    const body = JSON.parse(text) as { reason?: string; message?: string };
    return new KubeApiError(status, body.reason ?? 'Unknown', body.message ?? text);
  } catch {
    return new KubeApiError(status, 'Unknown', text.slice(0, 500));
  }
}
