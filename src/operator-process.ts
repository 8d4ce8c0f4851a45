import { HttpsKube } from './adapters/kube-https.js';
import { failStatusPatch, killAtWrite } from './adapters/kill-at-write.js';
import type { OperatorConfig } from './config.js';
import { loadKubeConfig, type ClusterSource } from './kube/load-kubeconfig.js';
import type { Logger } from './ports/logger.js';
import { startOperator, type RunningOperator } from './operator.js';

/**
 * The operator as a process, shared by the production entry (`src/main.ts`) and the development one
 * (`src/dev/start-local.ts`): connects to the cluster, starts the operator, and stops it in order on SIGINT or
 * SIGTERM (exit 0) or on a fatal error (exit 1). `afterStop` runs once the operator has stopped, before the
 * exit (the development entry stops what it started beside the operator).
 */
export async function runOperatorProcess(deps: {
  config: OperatorConfig; source: Exclude<ClusterSource, { kind: 'none' }>; logger: Logger; afterStop?: () => Promise<void>;
}): Promise<RunningOperator> {
  const { config, logger } = deps;
  // Test-only: the fault-injection suites kill the operator at a chosen API write, or fail one Canary status
  // patch (see adapters/kill-at-write.ts).
  const report = (line: string): boolean => process.stderr.write(`${line}\n`);
  const api = failStatusPatch(new HttpsKube(loadKubeConfig(deps.source)), process.env.SONGBIRD_TEST_FAIL_STATUS_PATCH, report);
  const kube = killAtWrite(api, process.env.SONGBIRD_TEST_KILL_AT_WRITE, () => process.kill(process.pid, 'SIGKILL'), report);
  const operator = await startOperator({ config, kube, logger, onFatal: (reason) => shutdown(reason, 1) });
  let stopping = false;
  function shutdown(reason: string, code: number): void {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { reason });
    const afterStop = deps.afterStop ?? (() => Promise.resolve());
    operator.stop().then(afterStop).then(() => process.exit(code), () => process.exit(1));
  }
  // Every loop handles its own errors (API faults are retried with backoff); this is the last net for a bug,
  // counted in songbird_unhandled_rejections_total, so that one stray rejection cannot end the process.
  process.on('unhandledRejection', (reason) => operator.onUnhandledRejection(reason));
  process.on('SIGINT', () => shutdown('SIGINT', 0));
  process.on('SIGTERM', () => shutdown('SIGTERM', 0));
  return operator;
}

/** Prints `songbird: <message>` and exits 1: how both entries end on an error before the operator runs. */
export function exitWithError(error: unknown): never {
  process.stderr.write(`songbird: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
