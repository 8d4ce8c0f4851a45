/**
 * A local HTTP target for load-test tests: counts requests and connections, tracks how many requests were
 * in progress at once, records arrival times and the last request's details, and answers as told.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

/** How the target answers a request; `undefined` delay answers at once, `'never'` never answers. */
export interface Answer {
  status: number;
  delayMs?: number | 'never';
  headers?: Record<string, string>;
}

/** What the target saw. */
export interface CountingServer {
  url: string;
  requests: number;
  connections: number;
  inFlight: number;
  maxInFlight: number;
  /** Arrival times in ms (performance.now()). */
  arrivals: number[];
  last: { method: string; path: string; headers: IncomingHttpHeaders; body: string } | undefined;
  /** Decides each answer; defaults to 200 at once. */
  answer: (path: string) => Answer;
  close(): Promise<void>;
}

type State = Omit<CountingServer, 'url' | 'close'>;

function serve(state: State, request: IncomingMessage, response: ServerResponse): void {
  state.requests++;
  state.arrivals.push(performance.now());
  state.inFlight++;
  state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    state.last = { method: request.method ?? '', path: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString() };
    const answer = state.answer(request.url ?? '/');
    const reply = (): void => {
      state.inFlight--;
      response.writeHead(answer.status, answer.headers).end('ok');
    };
    if (answer.delayMs === 'never') return;
    if (answer.delayMs === undefined) reply();
    else setTimeout(reply, answer.delayMs);
  });
}

/** Starts a counting target on 127.0.0.1 and an ephemeral port. */
export async function startCountingServer(): Promise<CountingServer> {
  const state: State = {
    requests: 0,
    connections: 0,
    inFlight: 0,
    maxInFlight: 0,
    arrivals: [],
    last: undefined,
    answer: () => ({ status: 200 }),
  };
  const server: Server = createServer((request, response) => serve(state, request, response));
  server.on('connection', () => state.connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
