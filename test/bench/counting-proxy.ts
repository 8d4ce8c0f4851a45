import { createServer, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Pki } from '../../src/local-cluster/pki.js';

/** A plain-HTTP front for the apiserver that counts every request one client makes (watches included). */
export interface CountingProxy {
  url: string;
  counts(): Map<string, number>;
  total(): number;
  reset(): void;
  close(): Promise<void>;
}

/**
 * Forwards to `server` with the admin client certificate, streaming both ways (watches stay open), and
 * counts requests by `VERB /path` with names and namespaces folded, e.g. `PATCH /apis/apps/v1/deployments`.
 */
export async function startCountingProxy(server: string, pki: Pki): Promise<CountingProxy> {
  const counts = new Map<string, number>();
  const tls = { ca: readFileSync(pki.caCert), cert: readFileSync(pki.adminCert), key: readFileSync(pki.adminKey) };
  const target = new URL(server);
  const proxy: Server = createServer((req, res) => {
    const key = `${req.method ?? ''} ${fold(req.url ?? '/')}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    const upstream = httpsRequest({ ...tls, host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    counts: () => new Map(counts),
    total: () => [...counts.values()].reduce((a, b) => a + b, 0),
    reset: () => counts.clear(),
    close: () => new Promise((resolve) => { proxy.closeAllConnections(); proxy.close(() => resolve()); }),
  };
}

// `/apis/apps/v1/namespaces/bench/deployments/podinfo-7?watch=true` → `/apis/apps/v1/deployments?watch`
function fold(url: string): string {
  const [path = '', query = ''] = url.split('?');
  const kept = withoutNamespace(path.split('/').filter((p) => p !== ''));
  const resourceDepth = kept[0] === 'api' ? 3 : 4;
  const sub = kept.length > resourceDepth + 1 ? `/${kept.slice(resourceDepth + 1).join('/')}` : '';
  const base = `/${kept.slice(0, resourceDepth).join('/')}${sub}`;
  return query.includes('watch=true') ? `${base}?watch` : base;
}

// Drops `namespaces/<ns>` when a resource follows it.
function withoutNamespace(parts: string[]): string[] {
  const at = parts.indexOf('namespaces');
  return at >= 0 && at + 2 < parts.length ? [...parts.slice(0, at), ...parts.slice(at + 2)] : parts;
}
