#!/usr/bin/env node
import { homedir } from 'node:os';
import { join } from 'node:path';
import { HttpsKube } from './adapters/kube-https.js';
import { killAtWrite } from './adapters/kill-at-write.js';
import { pinoLogger } from './adapters/pino-logger.js';
import { systemClock } from './adapters/system-clock.js';
import { parseConfig } from './config.js';
import { installCrds } from './install-crds.js';
import { clusterSource, loadKubeConfig } from './kube/load-kubeconfig.js';
import { binDir, ensureLocalCluster, ensureToolchain, packageRoot } from './local-cluster/index.js';
import type { Logger } from './ports/logger.js';
import { startOperator } from './operator.js';

/**
 * Composition root. With `--kubeconfig`, `KUBECONFIG`, in-cluster credentials or `~/.kube/config` the operator
 * runs against that cluster; with none of them it brings up the embedded local cluster (building it on first
 * use), installs the CRDs and runs there, printing what to try next.
 */
async function main(argv: readonly string[]): Promise<void> {
  const config = parseConfig(argv, process.env);
  const local = clusterSource(config.kubeconfig, process.env, join(homedir(), '.kube', 'config')).kind === 'none';
  const logger = pinoLogger({ level: config.logLevel, format: local && config.logFormat === 'json' && process.stderr.isTTY ? 'console' : config.logFormat });
  let source = clusterSource(config.kubeconfig, process.env, join(homedir(), '.kube', 'config'));
  if (source.kind === 'none') {
    const cluster = await startLocalCluster(logger);
    source = { kind: 'kubeconfig', path: cluster };
  }
  // Test-only: the fault-injection suites kill the operator at a chosen API write (see adapters/kill-at-write.ts).
  const kube = killAtWrite(new HttpsKube(loadKubeConfig(source)), process.env.SONGBIRD_TEST_KILL_AT_WRITE,
    () => process.kill(process.pid, 'SIGKILL'), (line) => process.stderr.write(`${line}\n`));
  const operator = await startOperator({ config, kube, logger, onFatal: (reason) => shutdown(reason, 1) });
  let stopping = false;
  function shutdown(reason: string, code: number): void {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { reason });
    operator.stop().then(() => process.exit(code), () => process.exit(1));
  }
  // Every loop handles its own errors (API faults are retried with backoff); this is the last net for a bug,
  // counted in songbird_unhandled_rejections_total, so that one stray rejection cannot end the process.
  process.on('unhandledRejection', (reason) => operator.onUnhandledRejection(reason));
  process.on('SIGINT', () => shutdown('SIGINT', 0));
  process.on('SIGTERM', () => shutdown('SIGTERM', 0));
}

async function startLocalCluster(logger: Logger): Promise<string> {
  logger.info('no cluster configured (no --kubeconfig, KUBECONFIG, in-cluster credentials or ~/.kube/config): using the embedded local cluster');
  await ensureToolchain();
  const cluster = await ensureLocalCluster((m) => logger.info(`local cluster: ${m}`));
  const kube = new HttpsKube(loadKubeConfig({ kind: 'kubeconfig', path: cluster.kubeconfig }));
  const crds = await installCrds(kube, join(packageRoot(), 'crds'), (ms) => systemClock.sleep(ms));
  logger.info('CRDs installed', { crds });
  const kubectl = join(binDir(), 'kubectl');
  process.stderr.write([
    '',
    'Songbird runs on the embedded local cluster. In another terminal, try:',
    `  export KUBECONFIG=${cluster.kubeconfig}`,
    `  alias kubectl=${kubectl}`,
    `  kubectl apply -f ${join(packageRoot(), 'examples', 'podinfo')}/`,
    '  kubectl -n test get canary podinfo -w            # Initializing → Initialized',
    '  kubectl -n test set image deployment/podinfo podinfod=ghcr.io/stefanprodan/podinfo:6.0.1',
    '  kubectl -n test get canary podinfo               # Progressing',
    'Stop the local cluster with: npm run cluster:down',
    '',
  ].join('\n') + '\n');
  return cluster.kubeconfig;
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`songbird: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
