/**
 * Wires the load tester from its options and adapters. `main.ts` passes the real adapters; tests pass
 * fakes (a memory gate backend, a scripted process runner) and get the same server.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { createGateStore, type GateBackend } from './gates/gate-store.js';
import type { HandlerDeps } from './handlers/deps.js';
import type { GrpcRun } from './ghz/grpc-target.js';
import type { TargetFactory } from './hey/engine.js';
import type { LoadLimits } from './hey/limits.js';
import { createLoadTesterServer } from './http/server.js';
import { createMetrics } from './metrics.js';
import type { Clock } from './ports/clock.js';
import type { Files } from './ports/files.js';
import type { Logger } from './ports/logger.js';
import type { ProcessRunner } from './ports/process-runner.js';
import { routeTable } from './routes.js';
import type { ShellPolicy } from './tasks/shell-policy.js';
import { TaskRunner } from './tasks/task-runner.js';

/** Every side effect, as ports. */
export interface LoadTesterAdapters {
  clock: Clock;
  logger: Logger;
  files: Files;
  processes: ProcessRunner;
  createTarget: TargetFactory;
  /** The gRPC side of ghz tasks (grpc-js in production). */
  createGrpcTarget: TargetFactory<GrpcRun>;
  registry: Registry;
  gateBackend: GateBackend;
}

/** Behaviour switches, already validated. */
export interface LoadTesterOptions {
  token: string | undefined;
  namespacePattern: RegExp | undefined;
  shell: ShellPolicy;
  maxTasks: number;
  timeoutMs: number;
  maxBodyBytes: number;
  gateAutoClose: boolean;
  /** Open gates held at most (`--max-gates`). */
  maxGates: number;
  bodyDir: string | undefined;
  /** Folder ghz's `--proto`/`--protoset` files may be read from (`--proto-dir`); `undefined` refuses them. */
  protoDir: string | undefined;
  /** The largest load one hey or ghz task may ask for. */
  loadLimits: LoadLimits;
}

/** A wired load tester. */
export interface LoadTester {
  server: Server;
  runner: TaskRunner;
  /** Starts listening; resolves with the bound port (useful with port 0). */
  listen(port: number, host: string): Promise<number>;
  /** Stops accepting requests, cancels running tasks and closes the server. */
  close(): Promise<void>;
}

/** Builds the load tester: loads the gates, then the handlers' dependencies and the server. */
export async function createLoadTester(
  options: LoadTesterOptions,
  adapters: LoadTesterAdapters,
  server: { requestTimeoutMs?: number } = {},
): Promise<LoadTester> {
  const { clock, logger, registry } = adapters;
  const metrics = createMetrics(registry);
  if (options.token === undefined) warnUnauthenticated(logger);
  const gates = await createGateStore({ backend: adapters.gateBackend, clock, autoClose: options.gateAutoClose, maxGates: options.maxGates });
  const runner = new TaskRunner({ clock, logger, metrics, maxConcurrent: options.maxTasks, timeoutMs: options.timeoutMs });
  const deps: HandlerDeps = {
    gates,
    runner,
    metrics,
    registry,
    logger,
    namespacePattern: options.namespacePattern,
    tasks: {
      shell: options.shell,
      process: { runner: adapters.processes, logger, timeoutMs: options.timeoutMs },
      hey: { load: { clock, createTarget: adapters.createTarget }, metrics, logger, files: adapters.files, bodyDir: options.bodyDir, limits: options.loadLimits },
      ghz: { load: { clock, createTarget: adapters.createGrpcTarget }, metrics, logger, protoDir: options.protoDir, limits: options.loadLimits },
    },
  };
  const http = createLoadTesterServer({ routes: routeTable(), deps, token: options.token, maxBodyBytes: options.maxBodyBytes, ...server });
  return wrap(http, runner);
}

/**
 * Without a token anyone who reaches the port can open gates (promoting a canary) and start load tests, as
 * with Flagger's load tester; that is a choice to make knowingly, so it is said at every start.
 */
function warnUnauthenticated(logger: Logger): void {
  logger.warn(
    { fix: 'start with --token-file <file> (or SONGBIRD_LOADTESTER_TOKEN) and send "Authorization: Bearer <token>" through the webhook\'s headersSecretRef' },
    'AUTHENTICATION IS OFF: anyone who can reach this port can open and close gates and start load tests',
  );
}

function wrap(server: Server, runner: TaskRunner): LoadTester {
  return {
    server,
    runner,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
      }),
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await runner.stop();
      server.closeAllConnections();
      await closed;
    },
  };
}
