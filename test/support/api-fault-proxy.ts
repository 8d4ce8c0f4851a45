import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { AddressInfo } from 'node:net';
import { stringify } from 'yaml';
import type { Pki } from '../../src/local-cluster/pki.js';

/** One request the proxy saw: when, what, and the status it answered (0 when the connection was cut). */
export interface ProxiedRequest {
  at: number;
  method: string;
  url: string;
  watch: boolean;
  status: number;
}

/** A plain-HTTP front for a real kube-apiserver that injects API faults on demand. */
export interface FaultProxy {
  url: string;
  /** Writes a kubeconfig that points at the proxy (plain HTTP, which client-node accepts only with skip-TLS-verify set; no credentials: the proxy holds the admin certificate). */
  writeKubeconfig(path: string): void;
  /** Cuts every open watch connection at once (both sides), as a restarting apiserver or load balancer does. */
  dropWatches(): number;
  /** Answers every request with `status` (a Kubernetes Status body, plus `Retry-After` when given) for `ms`. */
  failFor(status: 429 | 500 | 503, ms: number, retryAfterSeconds?: number): Promise<void>;
  /** Stops listening and cuts every connection for `ms` (clients get ECONNREFUSED), then listens again. */
  refuseFor(ms: number): Promise<void>;
  /** Every request seen so far. */
  requests(): readonly ProxiedRequest[];
  close(): Promise<void>;
}

const REASONS: Record<number, string> = { 429: 'TooManyRequests', 500: 'InternalError', 503: 'ServiceUnavailable' };

/** Starts a fault proxy on a free loopback port in front of `server`, using the cluster's admin certificate. */
export async function startFaultProxy(server: string, pki: Pki): Promise<FaultProxy> {
  const tls = { ca: readFileSync(pki.caCert), cert: readFileSync(pki.adminCert), key: readFileSync(pki.adminKey) };
  const target = new URL(server);
  const log: ProxiedRequest[] = [];
  const watches = new Set<{ res: ServerResponse; cut: () => void }>();
  let failing: { status: number; until: number; retryAfterSeconds?: number } | undefined;

  const forward = (req: IncomingMessage, res: ServerResponse, entry: ProxiedRequest): void => {
    const options: RequestOptions = { ...tls, host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } };
    const upstream = httpsRequest(options, (up) => {
      entry.status = up.statusCode ?? 0;
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    const watch = { res, cut: (): void => { upstream.destroy(); res.destroy(); } };
    if (entry.watch) watches.add(watch);
    res.on('close', () => { watches.delete(watch); upstream.destroy(); });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const entry: ProxiedRequest = { at: Date.now(), method: req.method ?? '', url: req.url ?? '/', watch: (req.url ?? '').includes('watch=true'), status: 0 };
    log.push(entry);
    if (failing !== undefined && Date.now() < failing.until) {
      entry.status = failing.status;
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (failing.retryAfterSeconds !== undefined) headers['retry-after'] = String(failing.retryAfterSeconds);
      const reason = REASONS[failing.status] ?? 'Unknown';
      res.writeHead(failing.status, headers).end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: failing.status, reason, message: `injected fault: ${reason}` }));
      req.resume();
      return;
    }
    forward(req, res, entry);
  };

  const proxy: Server = createServer(handle);
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const port = (proxy.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const cutAll = (): number => {
    const open = [...watches];
    for (const w of open) w.cut();
    return open.length;
  };
  const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

  return {
    url,
    writeKubeconfig: (path) => writeFileSync(path, stringify({
      apiVersion: 'v1', kind: 'Config', clusters: [{ name: 'proxy', cluster: { server: url, 'insecure-skip-tls-verify': true } }], users: [{ name: 'proxy', user: {} }],
      contexts: [{ name: 'proxy', context: { cluster: 'proxy', user: 'proxy' } }], 'current-context': 'proxy',
    })),
    dropWatches: cutAll,
    failFor: async (status, ms, retryAfterSeconds) => {
      failing = { status, until: Date.now() + ms, ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) };
      // Open watches would otherwise keep streaming through the fault.
      cutAll();
      await sleep(ms);
      failing = undefined;
    },
    refuseFor: async (ms) => {
      const closed = new Promise<void>((resolve) => proxy.close(() => resolve()));
      cutAll();
      proxy.closeAllConnections();
      await closed;
      await sleep(ms);
      await new Promise<void>((resolve, reject) => {
        proxy.once('error', reject);
        proxy.listen(port, '127.0.0.1', () => { proxy.off('error', reject); resolve(); });
      });
    },
    requests: () => log,
    close: () => new Promise((resolve) => { cutAll(); proxy.closeAllConnections(); proxy.close(() => resolve()); }),
  };
}
