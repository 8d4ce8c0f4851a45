import type { Registry } from 'prom-client';
import type { GateStore } from '../gates/gate-store.js';
import type { LoadTesterMetrics } from '../metrics.js';
import type { Logger } from '../ports/logger.js';
import type { TaskFactoryDeps } from '../tasks/registry.js';
import type { TaskRunner } from '../tasks/task-runner.js';

/** Everything request handlers use; built once by the composition root. */
export interface HandlerDeps {
  gates: GateStore;
  runner: TaskRunner;
  tasks: TaskFactoryDeps;
  metrics: LoadTesterMetrics;
  registry: Registry;
  logger: Logger;
  /** `--namespace-regexp`: payloads for other namespaces are refused (Flagger's authorizer). */
  namespacePattern: RegExp | undefined;
}
