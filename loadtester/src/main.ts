#!/usr/bin/env node
/** Composition root of `songbird-loadtester`: read the configuration, build the real adapters, serve. */
import { collectDefaultMetrics, Registry } from 'prom-client';
import { createLoadTester } from './app.js';
import { parseConfig, type LoadTesterConfig } from './config.js';
import { configMapGateBackend } from './gates/configmap-backend.js';
import { fileGateBackend } from './gates/file-backend.js';
import { memoryGateBackend, type GateBackend } from './gates/gate-store.js';
import { grpcTargetFactory } from './ghz/grpc-target.js';
import { undiciTargetFactory } from './hey/undici-target.js';
import { systemClock } from './ports/clock.js';
import { nodeFiles, type Files } from './ports/files.js';
import { pinoLogger } from './ports/logger.js';
import { spawnProcessRunner } from './ports/process-runner.js';

const serviceAccountNamespace = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

async function gateBackend(config: LoadTesterConfig, files: Files): Promise<GateBackend> {
  switch (config.gateStore) {
    case 'memory':
      return memoryGateBackend();
    case 'file':
      return fileGateBackend(config.gateFile, files);
    case 'configmap': {
      const namespace = config.gateNamespace ?? (await files.read(serviceAccountNamespace))?.toString('utf8').trim();
      if (namespace === undefined) throw new Error('--gate-namespace is needed outside a pod');
      // Loaded only here: the Kubernetes client takes a while to import and is useless outside a cluster.
      const { kubeConfigMapClient } = await import('./gates/kube-configmaps.js');
      return configMapGateBackend(kubeConfigMapClient(), { namespace, name: config.gateConfigMap });
    }
  }
}

async function token(config: LoadTesterConfig, files: Files): Promise<string | undefined> {
  if (config.tokenFile === undefined) return config.tokenFromEnv;
  const value = (await files.read(config.tokenFile))?.toString('utf8').trim();
  if (value === undefined || value === '') throw new Error(`--token-file ${config.tokenFile} is missing or empty`);
  return value;
}

async function main(): Promise<void> {
  const parsed = parseConfig(process.argv.slice(2), process.env);
  if (!parsed.ok) {
    (parsed.exitCode === 0 ? process.stdout : process.stderr).write(`${parsed.message}\n`);
    process.exit(parsed.exitCode);
  }
  const { config } = parsed;
  const logger = pinoLogger(config.logLevel);
  const files = nodeFiles();
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const backend = await gateBackend(config, files);
  const options = {
    token: await token(config, files),
    namespacePattern: config.namespaceRegexp,
    shell: { enabled: config.enableShell, allow: new Set(config.allowCommands) },
    maxTasks: config.maxTasks,
    timeoutMs: config.timeoutMs,
    maxBodyBytes: config.maxBodyBytes,
    gateAutoClose: config.gateAutoClose,
    maxGates: config.maxGates,
    bodyDir: config.bodyDir,
    protoDir: config.protoDir,
    loadLimits: config.loadLimits,
  };
  const adapters = { clock: systemClock(), logger, files, processes: spawnProcessRunner(), createTarget: undiciTargetFactory(config.proxy === undefined ? {} : { defaultProxy: config.proxy }), createGrpcTarget: grpcTargetFactory(), registry, gateBackend: backend };
  const loadTester = await createLoadTester(options, adapters);
  const port = await loadTester.listen(config.port, config.host);
  const limits = { ...config.loadLimits, maxTasks: config.maxTasks, maxGates: config.maxGates, maxBodyBytes: config.maxBodyBytes };
  logger.info({ node: process.versions.node, port, gates: backend.description, auth: options.token !== undefined, shell: config.enableShell, limits }, 'load tester listening');
  const shutdown = (signal: string): void => {
    logger.info({ signal }, 'stopping');
    loadTester.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`songbird-loadtester: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
