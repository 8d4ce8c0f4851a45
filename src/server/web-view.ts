import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock, Timer } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import { canaryViews, type CanaryObject } from './web-view-model.js';
import { renderPage, renderRows } from './web-view-page.js';

/** Where the web view reads Canaries: the operator's watch cache (`caches.canaries`), so it costs no API call. */
export interface CanarySource {
  list(): CanaryObject[];
  /** Calls `listener` after every change; returns the function that unsubscribes. */
  onChange(listener: () => void): () => void;
}

/** Options of {@link startWebView}. */
export interface WebViewOptions {
  port: number;
  /** Address to listen on; 127.0.0.1 unless the operator is told otherwise (`--web-address`). */
  host: string;
  source: CanarySource;
  clock: Clock;
  logger: Logger;
  /** A comment line to every client this often, so that proxies keep idle streams open (default 15 s). */
  heartbeatMs?: number;
  /** Changes within this window are sent as one update (default 100 ms: a tick's status patch and the weight it set). */
  coalesceMs?: number;
  /** Streams open at once; more are refused with 503 (default 64). */
  maxClients?: number;
  /** A client with more than this many bytes queued (sent, not yet taken by its socket) is dropped (default 1 MiB). */
  maxQueuedBytes?: number;
}

/** A running web view. */
export interface WebView {
  port: number;
  /** Event streams open now. */
  clients(): number;
  close(): Promise<void>;
}

const SECURITY_HEADERS = { 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'cache-control': 'no-store' };

/**
 * The read-only web view (`--web-port`): `/` is the page, `/events` a server-sent event stream that sends the
 * table rows at once and again after every change of a Canary in the cache. Nothing here writes to the
 * cluster, and the server accepts GET and HEAD only.
 */
export async function startWebView(opts: WebViewOptions): Promise<WebView> {
  const clients = new Set<ServerResponse>();
  const maxClients = opts.maxClients ?? 64;
  const rows = (): string => renderRows(canaryViews(opts.source.list()), opts.clock.now());
  const frame = (): string => `event: canaries\ndata: ${JSON.stringify({ html: rows() })}\n\n`;
  const send = (res: ServerResponse, chunk: string): void => {
    if (res.destroyed || res.writableEnded) return;
    res.write(chunk);
    // A client that stops reading is dropped rather than buffered without end.
    if (res.writableLength > (opts.maxQueuedBytes ?? 1 << 20)) {
      opts.logger.warn('web view client too slow, dropping it', { queuedBytes: res.writableLength });
      res.destroy();
    }
  };
  const broadcast = (chunk: string): void => { for (const res of clients) send(res, chunk); };

  let pending: Timer | undefined;
  const unsubscribe = opts.source.onChange(() => {
    if (pending !== undefined || clients.size === 0) return;
    pending = opts.clock.setTimer(opts.coalesceMs ?? 100, () => { pending = undefined; broadcast(frame()); });
  });
  let heartbeat: Timer | undefined;
  const beat = (): void => {
    heartbeat = opts.clock.setTimer(opts.heartbeatMs ?? 15_000, () => { broadcast(': heartbeat\n\n'); beat(); });
  };
  beat();

  const stream = (req: IncomingMessage, res: ServerResponse): void => {
    if (clients.size >= maxClients) {
      res.writeHead(503, { ...SECURITY_HEADERS, 'content-type': 'text/plain', 'retry-after': '10' }).end('too many open event streams');
      return;
    }
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream; charset=utf-8', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    clients.add(res);
    // Whichever ends first (the browser leaves, the socket breaks, we drop it) removes the client once.
    const forget = (): void => { clients.delete(res); };
    req.once('close', forget);
    res.once('close', forget);
    res.on('error', forget);
    send(res, `retry: 2000\n\n${frame()}`);
  };
  const page = (pageNonce: string): string => renderPage(canaryViews(opts.source.list()), opts.clock.now(), pageNonce);
  const server: Server = createServer((req, res) => handle(req, res, stream, page));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    clients: () => clients.size,
    close: async () => {
      unsubscribe();
      pending?.cancel();
      heartbeat?.cancel();
      for (const res of clients) res.end();
      clients.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

const nonce = (): string => randomBytes(16).toString('base64');

// The page allows only its own nonce'd script and style and connections back to this server: even a value that
// escaped escaping could not run.
function csp(pageNonce: string): string {
  return [`default-src 'none'`, `script-src 'nonce-${pageNonce}'`, `style-src 'nonce-${pageNonce}'`, `connect-src 'self'`,
    `base-uri 'none'`, `form-action 'none'`, `frame-ancestors 'none'`].join('; ');
}

function handle(req: IncomingMessage, res: ServerResponse, stream: (req: IncomingMessage, res: ServerResponse) => void, page: (nonce: string) => string): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { ...SECURITY_HEADERS, allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('read-only');
    return;
  }
  const path = (req.url ?? '/').split('?')[0];
  if (path === '/events' && req.method === 'GET') {
    stream(req, res);
  } else if (path === '/events') {
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream; charset=utf-8' }).end();
  } else if (path === '/' || path === '/index.html') {
    const pageNonce = nonce();
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8', 'content-security-policy': csp(pageNonce) }).end(page(pageNonce));
  } else {
    res.writeHead(404, { ...SECURITY_HEADERS, 'content-type': 'text/plain' }).end('not found');
  }
}
