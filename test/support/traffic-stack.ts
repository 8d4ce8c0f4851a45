/**
 * What a release with real traffic needs in one namespace of the e2e control plane: the Istio and Songbird
 * CRDs, the namespace, the local data plane for that namespace's pods only (other e2e files share the control
 * plane and run meanwhile), a real Prometheus scraping it, the load tester, and the operator in process,
 * watching that namespace alone. Used by the e2e files that measure requests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHarness, type Harness } from '../../loadtester/test/support/harness.js';
import { pinoLogger } from '../../src/adapters/pino-logger.js';
import { parseConfig } from '../../src/config.js';
import { startDataPlane, type DataPlane } from '../../src/dev/data-plane/index.js';
import { installCrds as installOurCrds } from '../../src/install-crds.js';
import { Resources } from '../../src/kube/resources.js';
import { startPrometheus, type RunningPrometheus } from '../../src/local-cluster/prometheus.js';
import { startOperator, type RunningOperator } from '../../src/operator.js';
import type { Kube } from '../../src/ports/kube.js';
import { silentLogger } from '../../src/ports/logger.js';
import { installCrds } from './kube.js';

/** The running parts; `stop` ends them in reverse order and removes the run directory. */
export interface TrafficStack {
  dataPlane: DataPlane;
  prometheus: RunningPrometheus;
  loadTester: Harness;
  operator: RunningOperator;
  stop(): Promise<void>;
}

/**
 * Starts the stack for `namespace`. `operatorArgs` are added to the operator's flags (e.g. `--web-port=0`).
 * A part that fails to start stops those already started before the error is thrown.
 */
export async function startTrafficStack(kube: Kube, namespace: string, operatorArgs: readonly string[] = []): Promise<TrafficStack> {
  const runDir = mkdtempSync(join(tmpdir(), `songbird-${namespace}-`));
  const stops: (() => Promise<void>)[] = [() => Promise.resolve(rmSync(runDir, { recursive: true, force: true }))];
  const stop = async (): Promise<void> => {
    for (const end of stops.splice(0).reverse()) await end();
  };
  try {
    await installCrds(join(import.meta.dirname, '..', 'fixtures', 'thirdparty-crds', 'istio-networking.yaml'));
    await installOurCrds(kube, join(import.meta.dirname, '..', '..', 'crds'), (ms) => new Promise((r) => setTimeout(r, ms)));
    await kube.create(Resources.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    const dataPlane = await startDataPlane({ kube, runDir, logger: silentLogger, namespace });
    stops.push(() => dataPlane.stop());
    const prometheus = await startPrometheus({ runDir, jobs: [{ job: 'data-plane', targets: dataPlane.scrapeTargets() }] });
    stops.push(() => prometheus.stop());
    const loadTester = await startHarness();
    stops.push(() => loadTester.close());
    const config = parseConfig(['--port=0', '--mesh-provider=istio', `--metrics-server=${prometheus.url}`, `--namespace=${namespace}`, ...operatorArgs], {});
    const operator = await startOperator({ config, kube, logger: pinoLogger({ level: 'error', format: 'console' }), onFatal: (reason) => { throw new Error(reason); } });
    stops.push(() => operator.stop());
    return { dataPlane, prometheus, loadTester, operator, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
