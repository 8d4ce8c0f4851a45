/** Starts a whole load tester on 127.0.0.1 and an ephemeral port, with fakes where a test wants them. */
import { Registry } from 'prom-client';
import { createLoadTester, type LoadTester, type LoadTesterAdapters, type LoadTesterOptions } from '../../src/app.js';
import { defaultMaxGates } from '../../src/gates/gate-records.js';
import { memoryGateBackend } from '../../src/gates/gate-store.js';
import { grpcTargetFactory } from '../../src/ghz/grpc-target.js';
import { defaultLoadLimits } from '../../src/hey/limits.js';
import { undiciTargetFactory } from '../../src/hey/undici-target.js';
import { systemClock } from '../../src/ports/clock.js';
import { nodeFiles } from '../../src/ports/files.js';
import { silentLogger } from '../../src/ports/logger.js';
import { FakeProcessRunner } from './fake-process-runner.js';

/** A running load tester and a small client for it. */
export interface Harness {
  url: string;
  loadTester: LoadTester;
  registry: Registry;
  /** POSTs a JSON (or raw string) body and returns status and text. */
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<{ status: number; body: string }>;
  get(path: string): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

/** Default options: no token, no namespace filter, shell off. */
export function defaultOptions(): LoadTesterOptions {
  return {
    token: undefined,
    namespacePattern: undefined,
    shell: { enabled: false, allow: new Set() },
    maxTasks: 8,
    timeoutMs: 60_000,
    maxBodyBytes: 1024 * 1024,
    gateAutoClose: false,
    maxGates: defaultMaxGates,
    bodyDir: undefined,
    protoDir: undefined,
    loadLimits: defaultLoadLimits,
  };
}

/** Starts a load tester; options and adapters override the defaults. */
export async function startHarness(
  options: Partial<LoadTesterOptions> = {},
  adapters: Partial<LoadTesterAdapters> = {},
  server: { requestTimeoutMs?: number } = {},
): Promise<Harness> {
  const registry = adapters.registry ?? new Registry();
  const loadTester = await createLoadTester(
    { ...defaultOptions(), ...options },
    {
      clock: systemClock(),
      logger: silentLogger(),
      files: nodeFiles(),
      processes: new FakeProcessRunner(),
      createTarget: undiciTargetFactory(),
      createGrpcTarget: grpcTargetFactory(),
      gateBackend: memoryGateBackend(),
      ...adapters,
      registry,
    },
    server,
  );
  const port = await loadTester.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  const read = async (response: Response): Promise<{ status: number; body: string }> => ({ status: response.status, body: await response.text() });
  return {
    url,
    loadTester,
    registry,
    post: async (path, body, headers = {}) =>
      read(await fetch(url + path, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } })),
    get: async (path) => read(await fetch(url + path)),
    close: () => loadTester.close(),
  };
}

/** Load testers a test file starts; `closeAll` (in `afterEach`) closes every one started since the last call. */
export function harnessPool(): { start: typeof startHarness; closeAll: () => Promise<void> } {
  const started: Harness[] = [];
  return {
    start: async (...args) => {
      const h = await startHarness(...args);
      started.push(h);
      return h;
    },
    closeAll: async () => {
      await Promise.all(started.splice(0).map((h) => h.close()));
    },
  };
}

/** A payload as Flagger sends it for a rollout webhook. */
export function rolloutPayload(metadata: Record<string, string>): object {
  return { name: 'podinfo', namespace: 'test', phase: 'Progressing', checksum: '7d8f9c', metadata };
}

/** Waits until the load tester runs no task (background load tests finished). */
export async function idle(h: Harness, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (h.loadTester.runner.size > 0) {
    if (Date.now() > deadline) throw new Error('tasks still running');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
