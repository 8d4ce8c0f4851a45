import { afterEach, beforeEach } from 'vitest';
import { createAxiosHttpPost, type ClosableHttpPost } from '../../src/webhooks/http-port.js';
/**
 * A local HTTP endpoint for webhook and notifier tests: listens on a free loopback port, records every
 * request (method, path, headers, raw and parsed body) and answers as the test says.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How to answer one request. `delayMs: 'never'` keeps the request open until the server closes. */
export interface Reply {
  status?: number;
  body?: string;
  headers?: Record<string, string>;
  delayMs?: number | 'never';
}

/** One request as the server saw it. */
export interface RecordedRequest {
  method: string;
  /** The request target: a path, or an absolute URL when the server is used as a proxy. */
  url: string;
  headers: IncomingHttpHeaders;
  raw: string;
  /** `raw` parsed as JSON, or `undefined` when it is not JSON. */
  json: unknown;
}

/** A running recording server. */
export interface RecordingServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  requests: RecordedRequest[];
  /** Decides each answer from the request and how many arrived before it; defaults to 200 with no body. */
  reply: (request: RecordedRequest, index: number) => Reply;
  close(): Promise<void>;
}

/** Starts a recording server on 127.0.0.1 and a port chosen by the OS. */
export async function startRecordingServer(reply?: RecordingServer['reply']): Promise<RecordingServer> {
  const requests: RecordedRequest[] = [];
  const state: RecordingServer = {
    url: '',
    requests,
    reply: reply ?? (() => ({ status: 200 })),
    close: () => close(),
  };
  const server = createServer((req, res) => {
    void record(req).then((request) => {
      requests.push(request);
      answer(res, state.reply(request, requests.length - 1));
    });
  });
  const close = (): Promise<void> => new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

async function record(req: IncomingMessage): Promise<RecordedRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    json = undefined;
  }
  return { method: req.method ?? '', url: req.url ?? '', headers: req.headers, raw, json };
}

function answer(res: ServerResponse, reply: Reply): void {
  if (reply.delayMs === 'never') return;
  const send = (): void => {
    res.writeHead(reply.status ?? 200, reply.headers);
    res.end(reply.body ?? '');
  };
  if (reply.delayMs === undefined) send();
  else setTimeout(send, reply.delayMs);
}

/** A recording server and an axios client, fresh for every test of the calling suite and closed after it. */
export function useServerAndClient(): { server: RecordingServer; http: ClosableHttpPost } {
  const env = {} as { server: RecordingServer; http: ClosableHttpPost };
  beforeEach(async () => {
    env.server = await startRecordingServer();
    env.http = createAxiosHttpPost();
  });
  afterEach(async () => {
    env.http.close();
    await env.server.close();
  });
  return env;
}
