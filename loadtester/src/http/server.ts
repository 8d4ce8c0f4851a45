/**
 * The node:http adapter: finds the route, checks the bearer token before reading anything, reads the body
 * with a size cap, ties an AbortSignal to the client connection, calls the handler and writes its answer.
 */
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { HandlerDeps } from '../handlers/deps.js';
import type { Route } from '../routes.js';
import { taskPath } from '../routes.js';
import { hasBearerToken } from './auth.js';
import { readBody } from './read-body.js';
import { text, type LtResponse } from './types.js';

/** What the server needs. */
export interface ServerOptions {
  routes: ReadonlyMap<string, Route>;
  deps: HandlerDeps;
  /** Bearer token required on guarded routes; `undefined` disables authentication. */
  token: string | undefined;
  maxBodyBytes: number;
  /** Longest a client may take to send its whole request (slow-client protection); default 30 s. */
  requestTimeoutMs?: number;
}

/** Creates (but does not start) the HTTP server. */
export function createLoadTesterServer(options: ServerOptions): Server {
  const requestTimeout = options.requestTimeoutMs ?? 30_000;
  // Node checks request deadlines every connectionsCheckingInterval; keep it well under the deadline.
  const checking = { requestTimeout, connectionsCheckingInterval: Math.min(1000, requestTimeout / 2) };
  const server = createServer(checking, (request, response) => {
    handle(request, response, options).catch((error: unknown) => {
      options.deps.logger.error({ error: String(error), path: request.url }, 'request failed');
      send(response, text(500, 'internal error'));
    });
  });
  // requestTimeout bounds receiving a request only: blocking tasks (bash, hey) may still answer minutes later.
  server.keepAliveTimeout = 15_000;
  server.on('clientError', answerClientError);
  // Without a listener Node drops CONNECT requests silently; this server proxies nothing, so it says so.
  server.on('connect', (_request: IncomingMessage, socket: Duplex) => writeRaw(socket, 405, 'CONNECT is not supported'));
  return server;
}

/**
 * Requests Node's parser refuses before any handler runs (a bad method, header or framing, headers over
 * 16 KiB, a client too slow to send its request) get a status and a message naming the problem, where Node
 * alone answers a bare 400. Example: `Content-Length: abc` ⇒ `400 malformed request (HPE_INVALID_CONTENT_LENGTH)`.
 */
function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
  if (error.code === 'HPE_HEADER_OVERFLOW') return writeRaw(socket, 431, 'request headers larger than 16 KiB');
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return writeRaw(socket, 408, 'request not received in time');
  writeRaw(socket, 400, `malformed request (${error.code ?? error.message})`);
}

/** How long a refused connection may take to read its answer before it is cut. */
const lingerMs = 2000;

/**
 * Writes a complete answer on a socket no longer owned by the HTTP parser and closes it. The client's
 * remaining bytes are read and dropped, so its FIN is seen (a paused half-open socket would stay open for
 * ever), and the socket is destroyed after {@link lingerMs} whatever the client does.
 */
function writeRaw(socket: Duplex, status: number, message: string): void {
  const body = `${message}\n`;
  const head = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`, 'Content-Type: text/plain; charset=utf-8', `Content-Length: ${Buffer.byteLength(body)}`, 'Connection: close'];
  socket.on('error', () => undefined);
  socket.resume();
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
  const cut = setTimeout(() => socket.destroy(), lingerMs);
  cut.unref();
  socket.once('close', () => clearTimeout(cut));
}

async function handle(request: IncomingMessage, response: ServerResponse, options: ServerOptions): Promise<void> {
  const path = pathOf(request.url);
  if (path === undefined) return send(response, text(400, 'malformed request target'), true);
  const route = options.routes.get(path) ?? options.routes.get(taskPath);
  if (route === undefined) return send(response, text(404, 'not found'));
  const refusal = refuseEarly(request, route, options);
  if (refusal !== undefined) return send(response, refusal, true);
  const body = await readBody(request, options.maxBodyBytes);
  if (!body.ok) return send(response, text(body.status, body.message), true);
  const gone = new AbortController();
  response.on('close', () => {
    if (!response.writableFinished) gone.abort();
  });
  const method = request.method ?? 'GET';
  const answer = await route.handler({ method, path, headers: request.headers, body: body.body, signal: gone.signal }, options.deps);
  send(response, answer);
}

/** The path of a request target (`/gate/open?x`, `http://host/gate/open`, `*`), or `undefined` when it has none. */
function pathOf(target: string | undefined): string | undefined {
  try {
    return new URL(target ?? '/', 'http://loadtester').pathname;
  } catch {
    return undefined;
  }
}

/** Answers that need no body: a missing token (checked before reading anything) or a declared size over the cap. */
function refuseEarly(request: IncomingMessage, route: Route, options: ServerOptions): LtResponse | undefined {
  if (route.auth && options.token !== undefined && !hasBearerToken(request.headers.authorization, options.token)) {
    return { ...text(401, 'missing or invalid bearer token'), headers: { 'WWW-Authenticate': 'Bearer' } };
  }
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > options.maxBodyBytes) return text(413, `request body larger than ${options.maxBodyBytes} bytes`);
  return undefined;
}

/** Writes an answer; `closeAfter` drops the connection so an unread body is not drained. */
function send(response: ServerResponse, answer: LtResponse, closeAfter = false): void {
  if (response.headersSent || response.destroyed) return;
  const headers: Record<string, string> = { 'Content-Type': answer.contentType ?? 'text/plain; charset=utf-8', ...answer.headers };
  if (closeAfter) headers.Connection = 'close';
  response.writeHead(answer.status, headers);
  response.end(answer.body);
}
