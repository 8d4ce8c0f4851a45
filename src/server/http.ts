import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** What /readyz reports on. */
export interface Readiness {
  /** Null when ready, else why not. */
  notReadyReason(): string | null;
}

/**
 * `/metrics` (the injected registry), `/healthz` (the process serves requests) and `/readyz` (the caches are
 * synced; a follower under leader election is ready too, so that rolling updates proceed).
 */
export async function startHttpServer(opts: { port: number; registry: Registry; readiness: Readiness; host?: string }): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('OK');
    } else if (path === '/readyz') {
      const reason = opts.readiness.notReadyReason();
      res.writeHead(reason === null ? 200 : 503, { 'content-type': 'text/plain' }).end(reason ?? 'OK');
    } else if (path === '/metrics') {
      opts.registry.metrics().then(
        (body) => res.writeHead(200, { 'content-type': opts.registry.contentType }).end(body),
        (error: unknown) => res.writeHead(500).end(String(error)),
      );
    } else {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '0.0.0.0', resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
