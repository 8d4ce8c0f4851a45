/**
 * The app behind one simulated pod: a podinfo-like HTTP server (`/`, `/healthz`, `/readyz`, `/version`) run
 * as its own Node process by the data plane (pod-processes.ts). It imports nothing but Node built-ins, so the
 * same file runs from `src/` (Node strips the types) and from `dist/`.
 *
 * Configured by environment, copied from the pod's container env:
 *  - `APP_VERSION`        the version string served (the image tag)
 *  - `APP_POD`            `namespace/name` of the pod, echoed in answers
 *  - `FAULT_ERROR_RATIO`  0..1: the share of `/` requests answered 500 (e.g. `0.5` fails every other one on average)
 *  - `FAULT_LATENCY_MS`   milliseconds added to every `/` answer
 *
 * The same settings can arrive later over IPC (`{ configure: env }`, answered `{ configured: true }`): the data
 * plane keeps spare processes listening ahead of time, so a pod's process answers as soon as kwok marks it
 * Ready (Node takes up to a second to start on a busy machine; kwok marks pods Ready at once).
 *
 * It listens on a port the kernel chooses and tells the parent over IPC (`{ port }`). It exits when the IPC
 * channel closes (the parent stopped or died: no orphan), and on SIGTERM after finishing the requests in
 * flight, as a pod does in its termination grace period.
 */
import { createServer } from 'node:http';

let version = 'unknown';
let pod = 'unknown';
let errorRatio = 0;
let latencyMs = 0;

function configure(env: Record<string, string | undefined>): void {
  version = env.APP_VERSION ?? 'unknown';
  pod = env.APP_POD ?? 'unknown';
  errorRatio = clamp(Number(env.FAULT_ERROR_RATIO ?? '0'), 0, 1);
  latencyMs = clamp(Number(env.FAULT_LATENCY_MS ?? '0'), 0, 60_000);
}
configure(process.env);

function clamp(value: number, min: number, max: number): number {
  return Number.isFinite(value) ? Math.min(max, Math.max(min, value)) : min;
}

function json(body: unknown): string {
  return `${JSON.stringify(body)}\n`;
}

const server = createServer((req, res) => {
  const path = (req.url ?? '/').split('?')[0];
  if (path === '/healthz' || path === '/readyz') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(json({ status: 'OK' }));
    return;
  }
  if (path === '/version') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(json({ version }));
    return;
  }
  const answer = (): void => {
    const fail = Math.random() < errorRatio;
    res.writeHead(fail ? 500 : 200, { 'content-type': 'application/json', 'x-app-version': version, 'x-app-pod': pod })
      .end(json({ hostname: pod, version, message: fail ? 'injected fault (FAULT_ERROR_RATIO)' : `greetings from podinfo v${version}` }));
  };
  if (latencyMs > 0) setTimeout(answer, latencyMs);
  else answer();
});
server.keepAliveTimeout = 30_000;

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = address !== null && typeof address === 'object' ? address.port : 0;
  if (process.send !== undefined) process.send({ port });
});

// A spare process started ahead of its pod gets the pod's environment over IPC, and says when it has it.
process.on('message', (m: { configure?: Record<string, string> }) => {
  if (m.configure === undefined) return;
  configure(m.configure);
  if (process.send !== undefined) process.send({ configured: true });
});

// The parent's end of the IPC channel closes when it stops us or dies: exit at once, never linger.
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  setTimeout(() => process.exit(0), 5_000).unref();
});
