import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { HttpsKube } from '../../adapters/kube-https.js';
import { systemClock } from '../../adapters/system-clock.js';
import { installCrdFiles, installCrds } from '../../install-crds.js';
import { loadKubeConfig } from '../../kube/load-kubeconfig.js';
import { ensureLocalCluster, ensureToolchain, localClusterDir, packageRoot, startPrometheus, type RunningPrometheus } from '../../local-cluster/index.js';
import type { Kube } from '../../ports/kube.js';
import type { Logger } from '../../ports/logger.js';
import { startDataPlane, type DataPlane } from '../data-plane/index.js';
import { startLoadTesterChild, type LoadTesterChild } from './loadtester-child.js';
import { startServiceProxy, type ServiceProxy } from './service-proxy.js';

/** The Service name the examples' load-test webhooks call, as in Flagger's tutorials. */
export const loadTesterService = 'flagger-loadtester.test';

/** Everything `npm start` and `npm run demo` run beside the operator on the embedded local cluster. */
export interface LocalStack {
  kubeconfig: string;
  kube: Kube;
  prometheus: RunningPrometheus;
  /** Apps behind the simulated pods and the router that splits requests as the routing objects say. */
  dataPlane: DataPlane;
  loadTester: LoadTesterChild;
  /** Forward proxy for the operator's webhook calls (see service-proxy.ts). */
  serviceProxy: ServiceProxy;
  /** Stops what was started here, newest first; the local cluster keeps running (`npm run cluster:down`). */
  stop(): Promise<void>;
}

/**
 * Brings up, each step logged: the toolchain and the local cluster (built on first use), Songbird's and
 * Istio's CRDs, Prometheus, the data plane (scraped by that Prometheus), the load tester (sending its load
 * through the data plane) and the service proxy. If a step fails, what was started is
 * stopped again before the error goes on.
 */
export async function startLocalStack(logger: Logger): Promise<LocalStack> {
  const step = (message: string): void => logger.info(message);
  step('toolchain: checking (the first run builds Kubernetes: 10–15 minutes on 2 cores)');
  await ensureToolchain();
  const cluster = await ensureLocalCluster((m) => step(`local cluster: ${m}`));
  const kube = new HttpsKube(loadKubeConfig({ kind: 'kubeconfig', path: cluster.kubeconfig }));
  const sleep = (ms: number): Promise<void> => systemClock.sleep(ms);
  const crds = [
    ...await installCrds(kube, join(packageRoot(), 'crds'), sleep),
    ...await installCrdFiles(kube, [join(packageRoot(), 'test', 'fixtures', 'thirdparty-crds', 'istio-networking.yaml')], sleep),
  ];
  step(`CRDs installed: ${crds.join(', ')}`);
  const runDir = join(localClusterDir(), `dev-${process.pid}`);
  mkdirSync(runDir, { recursive: true });
  const stops: (() => Promise<void>)[] = [() => Promise.resolve(rmSync(runDir, { recursive: true, force: true }))];
  const stop = async (): Promise<void> => {
    for (const s of stops.splice(0).reverse()) await s().catch((error: unknown) => logger.warn('stopping failed', { error: String(error) }));
  };
  try {
    const prometheus = await startPrometheus({ runDir });
    stops.push(() => prometheus.stop());
    step(`prometheus: ${prometheus.url}`);
    const dataPlane = await startDataPlane({ kube, runDir, logger: logger.child({ component: 'dataplane' }) });
    stops.push(() => dataPlane.stop());
    prometheus.setJobs([{ job: 'dataplane', targets: dataPlane.scrapeTargets() }]);
    step(`data plane: proxy ${dataPlane.proxyUrl}, metrics ${dataPlane.scrapeTargets().join(', ')} (scraped every second)`);
    const loadTester = await startLoadTesterChild({ ...loadTesterEntry(), args: [`--proxy=${dataPlane.proxyUrl}`], logger });
    stops.push(() => loadTester.stop());
    step(`load tester: ${loadTester.url} (as http://${loadTesterService}/), its load through the data plane`);
    const serviceProxy = await startServiceProxy({ services: new Map([[loadTesterService, new URL(loadTester.url).host]]), upstream: dataPlane.proxyUrl });
    stops.push(() => serviceProxy.stop());
    return { kubeconfig: cluster.kubeconfig, kube, prometheus, dataPlane, loadTester, serviceProxy, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The load tester as this module runs: compiled (`npm start`, `npm run demo` build `dist/` first), or from the
 * sources through tsx when this module itself runs from them (tests).
 */
function loadTesterEntry(): { entry: string; nodeArgs: string[] } {
  if (import.meta.url.endsWith('.ts')) return { entry: join(packageRoot(), 'loadtester', 'src', 'main.ts'), nodeArgs: ['--import', 'tsx'] };
  return { entry: join(packageRoot(), 'dist', 'loadtester', 'src', 'main.js'), nodeArgs: [] };
}

/**
 * The environment the operator's HTTP clients read: webhooks go through the service proxy (axios honours
 * `HTTP_PROXY`, as Go's default transport does in Flagger), Prometheus and the API server on loopback do not.
 */
export function operatorProxyEnv(stack: Pick<LocalStack, 'serviceProxy'>, env: NodeJS.ProcessEnv): Record<string, string> {
  const noProxy = [env.NO_PROXY ?? env.no_proxy, '127.0.0.1', 'localhost'].filter((v) => v !== undefined && v !== '').join(',');
  return { HTTP_PROXY: stack.serviceProxy.url, http_proxy: stack.serviceProxy.url, NO_PROXY: noProxy, no_proxy: noProxy };
}
