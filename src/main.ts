#!/usr/bin/env node
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pinoLogger } from './adapters/pino-logger.js';
import { parseConfig } from './config.js';
import { clusterSource } from './kube/load-kubeconfig.js';
import { exitWithError, runOperatorProcess } from './operator-process.js';

/** What the production entry says when it finds no cluster: the embedded one is a development tool. */
const NO_CLUSTER_MESSAGE = 'no cluster configured: pass --kubeconfig, set KUBECONFIG, run in a pod '
  + '(in-cluster credentials) or create ~/.kube/config. To try Songbird on the embedded local cluster, run '
  + '`npm start` in its source tree.';

/**
 * Composition root of the `songbird` bin (the image's entry point). It runs against the cluster named by
 * `--kubeconfig`, `KUBECONFIG`, in-cluster credentials or `~/.kube/config`, and never imports the embedded
 * local cluster: that lives behind the development entry `src/dev/start-local.ts` (`npm start`).
 */
async function main(argv: readonly string[]): Promise<void> {
  const config = parseConfig(argv, process.env);
  const source = clusterSource(config.kubeconfig, process.env, join(homedir(), '.kube', 'config'));
  if (source.kind === 'none') throw new Error(NO_CLUSTER_MESSAGE);
  const logger = pinoLogger({ level: config.logLevel, format: config.logFormat });
  await runOperatorProcess({ config, source, logger });
}

main(process.argv.slice(2)).catch(exitWithError);
