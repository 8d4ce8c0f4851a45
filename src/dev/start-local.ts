import { homedir } from 'node:os';
import { join } from 'node:path';
import { HttpsKube } from '../adapters/kube-https.js';
import { pinoLogger } from '../adapters/pino-logger.js';
import { systemClock } from '../adapters/system-clock.js';
import { parseConfig } from '../config.js';
import { installCrds } from '../install-crds.js';
import { clusterSource, loadKubeConfig } from '../kube/load-kubeconfig.js';
import { binDir, ensureLocalCluster, ensureToolchain, packageRoot } from '../local-cluster/index.js';
import { exitWithError, runOperatorProcess } from '../operator-process.js';
import type { Logger } from '../ports/logger.js';

/**
 * Development entry (`npm start`), never shipped in the image. With `--kubeconfig`, `KUBECONFIG`, in-cluster
 * credentials or `~/.kube/config` it runs the operator against that cluster, as the `songbird` bin does; with
 * none of them it brings up the embedded local cluster (building it on first use), installs the CRDs and runs
 * there, printing what to try next.
 */
async function main(argv: readonly string[]): Promise<void> {
  const config = parseConfig(argv, process.env);
  const found = clusterSource(config.kubeconfig, process.env, join(homedir(), '.kube', 'config'));
  const local = found.kind === 'none';
  const logger = pinoLogger({ level: config.logLevel, format: local && config.logFormat === 'json' && process.stderr.isTTY ? 'console' : config.logFormat });
  const source = found.kind === 'none' ? { kind: 'kubeconfig' as const, path: await startLocalCluster(logger) } : found;
  await runOperatorProcess({ config, source, logger });
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

main(process.argv.slice(2)).catch(exitWithError);
