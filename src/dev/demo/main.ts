import { join } from 'node:path';
import { parseConfig } from '../../config.js';
import { Resources } from '../../kube/resources.js';
import { packageRoot } from '../../local-cluster/index.js';
import { startOperator, type RunningOperator } from '../../operator.js';
import type { Kube, ResourceType } from '../../ports/kube.js';
import type { Logger } from '../../ports/logger.js';
import { CanaryResource } from '../../reconciler/cluster-caches.js';
import { chooseLogFormat, devLogger } from '../console/log-format.js';
import { splitDevArgs } from '../dev-args.js';
import { operatorProxyEnv, startLocalStack, type LocalStack } from '../stack/local-stack.js';
import { asExpected, summaryTable, type ReleaseResult } from './format.js';
import { demoManifests, releases, type DemoTiming } from './releases.js';
import { runRelease, waitInitialized, type ReleaseDeps } from './run-release.js';
import { Screen } from './screen.js';
import { startTraffic } from './traffic.js';

/**
 * `npm run demo`: the local cluster with Prometheus, the data plane, the load tester and the operator (in
 * this process), then the podinfo example in a namespace of its own and three releases: a good one that must
 * be promoted, one answering errors and one too slow, both of which must be rolled back. A live line shows
 * each release as it goes; a summary table ends the run. Exit status 0 when every release ended as expected,
 * 1 otherwise, 130 when interrupted. The analysis runs every 10 s (the shortest interval, as in Flagger);
 * `--quick` takes 30-point steps instead of 20, one analysis fewer for the good release.
 */
async function main(argv: readonly string[]): Promise<number> {
  const dev = splitDevArgs(argv);
  const quick = dev.operatorArgs.includes('--quick');
  const timing: DemoTiming = { interval: '10s', metricWindow: '10s', stepWeight: quick ? 30 : 20 };
  const screen = new Screen(process.stdout);
  const logger = devLogger({ level: 'info', format: chooseLogFormat(dev.logFormat, process.stdout, process.env), destination: screen.logStream() });
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  const started = Date.now();
  const stack = await startLocalStack(logger);
  if (abort.signal.aborted) {
    await stack.stop();
    return 130;
  }
  // Short enough that `podinfo.<namespace>` fits the log's canary column.
  const namespace = `demo-${Date.now().toString(36)}`;
  let results: ReleaseResult[];
  try {
    results = await withOperator(stack, namespace, logger, (kube) => demo({ stack, kube, namespace, screen, timing, signal: abort.signal }));
  } finally {
    await stack.stop();
  }
  screen.log(`\n${summaryTable(results)}\nDemo took ${Math.round((Date.now() - started) / 1000)} s.`);
  if (abort.signal.aborted) return 130;
  return results.length === releases.length && results.every(asExpected) ? 0 : 1;
}

/**
 * Runs `body` with an operator in this process that watches only the demo's namespace, so that it leaves
 * alone what an `npm start` on the same cluster manages (that operator should not run meanwhile: it would
 * reconcile the demo's Canary too).
 */
async function withOperator<T>(stack: LocalStack, namespace: string, logger: Logger, body: (kube: Kube) => Promise<T>): Promise<T> {
  Object.assign(process.env, operatorProxyEnv(stack, process.env));
  const config = parseConfig([`--metrics-server=${stack.prometheus.url}`, '--port=0', `--namespace=${namespace}`], process.env);
  let operator: RunningOperator | undefined;
  try {
    operator = await startOperator({ config, kube: stack.kube, logger, onFatal: (reason) => logger.error('operator stopped', { reason }) });
    return await body(stack.kube);
  } finally {
    await operator?.stop();
  }
}

/** What the scripted part of the demo works with. */
interface DemoRun { stack: LocalStack; kube: Kube; namespace: string; screen: Screen; timing: DemoTiming; signal: AbortSignal }

async function demo({ stack, kube, namespace, screen, timing, signal }: DemoRun): Promise<ReleaseResult[]> {
  await kube.create(Resources.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  const traffic = startTraffic({ proxyUrl: stack.dataPlane.proxyUrl, target: `http://podinfo.${namespace}:9898/`, perSecond: 10 });
  try {
    screen.log(`Applying examples/podinfo/ in namespace ${namespace} (analysis every ${timing.interval}, steps of ${timing.stepWeight}, checks over ${timing.metricWindow}); 10 requests/s to http://podinfo.${namespace}:9898/ through the data plane`);
    for (const object of demoManifests(join(packageRoot(), 'examples', 'podinfo'), namespace, timing)) {
      await kube.create(typeOf(object.kind), object);
    }
    const deps: ReleaseDeps = { kube, dataPlane: stack.dataPlane, screen, namespace, timeoutMs: 150_000, signal };
    await waitInitialized(deps);
    const results: ReleaseResult[] = [];
    for (const release of releases) {
      if (signal.aborted) break;
      screen.log(`Release ${release.name}: expected to end ${release.expected}`);
      results.push(await runRelease(deps, release));
    }
    return results;
  } finally {
    traffic.stop();
    await kube.delete(Resources.namespaces, { name: namespace }).catch(() => false);
  }
}

function typeOf(kind: string): ResourceType {
  const types: Record<string, ResourceType> = { Deployment: Resources.deployments, ConfigMap: Resources.configMaps, Canary: CanaryResource };
  const type = types[kind];
  if (type === undefined) throw new Error(`the demo cannot create a ${kind} from examples/podinfo/`);
  return type;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`demo: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
