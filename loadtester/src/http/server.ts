/**
 * The node:http adapter: finds the route, checks the bearer token before reading anything, reads the body
 * with a size cap, ties an AbortSignal to the client connection, calls the handler and writes its answer.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
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
  return server;
}

async function handle(request: IncomingMessage, response: ServerResponse, options: ServerOptions): Promise<void> {
  const path = new URL(request.url ?? '/', 'http://loadtester').pathname;
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
