import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../config.js';
import { clusterSource } from '../kube/load-kubeconfig.js';
import { binDir, packageRoot } from '../local-cluster/index.js';
import { exitWithError, runOperatorProcess } from '../operator-process.js';
import type { Logger } from '../ports/logger.js';
import { chooseLogFormat, devLogger } from './console/log-format.js';
import { hasFlag, splitDevArgs } from './dev-args.js';
import { nextSteps } from './next-steps.js';
import { operatorProxyEnv, startLocalStack } from './stack/local-stack.js';

/**
 * Development entry (`npm start`), never shipped in the image. With `--kubeconfig`, `KUBECONFIG`, in-cluster
 * credentials or `~/.kube/config` it runs the operator against that cluster, as the `songbird` bin does; with
 * none of them it brings up the embedded local cluster (building it on first use) with Prometheus, the data
 * plane and the load tester beside the operator, and prints what to try next. Logs are readable lines on a
 * terminal and JSON otherwise or with `--log-format json`.
 */
async function main(argv: readonly string[]): Promise<void> {
  const dev = splitDevArgs(argv);
  const config = parseConfig(dev.operatorArgs, process.env);
  const found = clusterSource(config.kubeconfig, process.env, join(homedir(), '.kube', 'config'));
  const logger = devLogger({ level: config.logLevel, format: chooseLogFormat(dev.logFormat, process.stderr, process.env) });
  if (found.kind !== 'none') {
    await runOperatorProcess({ config, source: found, logger });
    return;
  }
  await runLocal(dev.operatorArgs, logger);
}

async function runLocal(operatorArgs: readonly string[], logger: Logger): Promise<void> {
  logger.info('no cluster configured (no --kubeconfig, KUBECONFIG, in-cluster credentials or ~/.kube/config): using the embedded local cluster');
  // Ctrl-C during start-up ends the start-up step under way, then stops what was started (no orphans).
  let interrupted = false;
  const onSignal = (): void => {
    interrupted = true;
    logger.warn('stopping once the current start-up step ends');
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  const stack = await startLocalStack(logger).finally(() => process.off('SIGINT', onSignal).off('SIGTERM', onSignal));
  if (interrupted) {
    await stack.stop();
    process.exit(0);
  }
  Object.assign(process.env, operatorProxyEnv(stack, process.env));
  // The operator's own flags win; by default it reads the local Prometheus and serves on a kernel-chosen port.
  const defaults = [
    ...(hasFlag(operatorArgs, 'metrics-server') ? [] : [`--metrics-server=${stack.prometheus.url}`]),
    ...(hasFlag(operatorArgs, 'port') ? [] : ['--port=0']),
  ];
  const config = parseConfig([...defaults, ...operatorArgs], process.env);
  const operator = await runOperatorProcess({ config, source: { kind: 'kubeconfig', path: stack.kubeconfig }, logger, afterStop: () => stack.stop() }).catch(async (error: unknown) => {
    await stack.stop();
    throw error;
  });
  process.stderr.write(nextSteps({
    kubeconfig: stack.kubeconfig, kubectl: join(binDir(), 'kubectl'), examples: join(packageRoot(), 'examples', 'podinfo'),
    operatorPort: operator.port, prometheusUrl: stack.prometheus.url, loadTesterUrl: stack.loadTester.url, proxyUrl: stack.dataPlane.proxyUrl,
  }));
}

main(process.argv.slice(2)).catch(exitWithError);
