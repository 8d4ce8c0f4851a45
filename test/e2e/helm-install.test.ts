import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { HttpsKube } from '../../src/adapters/kube-https.js';
import { installCrdFiles } from '../../src/install-crds.js';
import { Resources } from '../../src/kube/resources.js';
import { auditLogPath, binaryPath, ensureToolchain, startControlPlane, stopControlPlane } from '../../src/local-cluster/index.js';
import type { Kube, KubeObject } from '../../src/ports/kube.js';
import { CanaryResource } from '../../src/reconciler/cluster-caches.js';
import { helmInstall, previousChart } from '../support/chart-install.js';
import { adminConfig, missingObjects, permissionReport, startChartOperator, type ChartOperator, type PermissionReport } from '../support/chart-operator.js';
import { ChartRelease, IMAGES, startRolloutHook, type RolloutHook } from '../support/chart-release.js';
import { auditedCalls, grantedPermissions, usedPermissions } from '../support/audit-log.js';
import { startChartLoadTester } from '../support/chart-loadtester.js';
import { chartDir, only, type Manifest } from '../support/helm.js';
import { retrying } from '../support/retrying.js';

const run = promisify(execFile);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const thirdPartyCrds = ['istio-networking.yaml', 'gateway-api.yaml'].map((f) => join(import.meta.dirname, '..', 'fixtures', 'thirdparty-crds', f));
const suffix = (): string => randomBytes(3).toString('hex');

/**
 * Grants of the chart that no release here can exercise, each with the reason; every other grant must show in
 * the audit log, and nothing may show there that the chart does not grant.
 */
const NEVER_CALLED: Readonly<Record<string, string>> = {
  // Checked by admission, not called: OwnerReferencesPermissionEnforcement (OpenShift) requires it to set
  // blockOwnerDeletion on the primaries' owner references (src/kube/rbac-rules.ts, ownerReferenceGrants).
  'flagger.app/canaries/finalizers update': 'admission (OwnerReferencesPermissionEnforcement), no request',
  // ALB weight verification reads TargetGroupBindings only when it asks the AWS API for the weights applied:
  // test/e2e/alb-release.test.ts runs that release against moto.
  'elbv2.k8s.aws/targetgroupbindings list': 'ALB provider with AWS, covered by alb-release.test.ts',
  // Canaries are read from the watch cache; a single `get` happens only after a status patch failed (a 409
  // conflict with another writer, or an error that may have been carried out: src/reconciler/tick.ts,
  // afterFailedPatch), which a clean release never meets; test/e2e/status-patch-faults.test.ts provokes it.
  'flagger.app/canaries get': 'only after a failed status patch',
  // The releases here target Deployments, and DaemonSets are watched only once a DaemonSet target is read
  // (src/reconciler/cluster-caches.ts, StartedOnFirstRead): its watch, primary create, promotion replace and
  // park/unpark patches run in test/e2e/daemonset-release.test.ts.
  'apps/daemonsets list': 'DaemonSet targets, covered by daemonset-release.test.ts',
  'apps/daemonsets watch': 'DaemonSet targets, covered by daemonset-release.test.ts',
  'apps/daemonsets create': 'DaemonSet targets, covered by daemonset-release.test.ts',
  'apps/daemonsets update': 'DaemonSet targets, covered by daemonset-release.test.ts',
  'apps/daemonsets patch': 'DaemonSet targets, covered by daemonset-release.test.ts',
  // KEDA is not installed here, and ScaledObjects are read only for a Canary whose autoscalerRef names one:
  // test/integration/keda-scaledobject.test.ts runs those calls against KEDA's CRD, test/scenarios/autoscaler-and-targets.test.ts a release.
  'keda.sh/scaledobjects get': 'KEDA autoscalerRef, covered by keda-scaledobject.test.ts',
  'keda.sh/scaledobjects list': 'KEDA autoscalerRef, covered by keda-scaledobject.test.ts',
  'keda.sh/scaledobjects watch': 'KEDA autoscalerRef, covered by keda-scaledobject.test.ts',
  'keda.sh/scaledobjects create': 'KEDA autoscalerRef, covered by keda-scaledobject.test.ts',
  'keda.sh/scaledobjects patch': 'KEDA autoscalerRef, covered by keda-scaledobject.test.ts',
  // Read only by a MetricTemplate of type keptn, which the releases here do not use; the calls are made on the
  // real API server with the Keptn CRDs in test/integration/keptn-metrics.test.ts.
  'metrics.keptn.sh/keptnmetrics get': 'keptn MetricTemplates only, covered by keptn-metrics.test.ts',
  'metrics.keptn.sh/analyses get': 'keptn MetricTemplates only, covered by keptn-metrics.test.ts',
  'metrics.keptn.sh/analyses create': 'keptn MetricTemplates only, covered by keptn-metrics.test.ts',
  'metrics.keptn.sh/analyses delete': 'keptn MetricTemplates only, covered by keptn-metrics.test.ts',
  // Read only by a MetricTemplate of type externalmetrics without an address; test/integration/external-metrics.test.ts
  // makes the call on the real API server.
  'external.metrics.k8s.io/* list': 'externalmetrics MetricTemplates only, covered by external-metrics.test.ts',
};

interface Snapshot { canary: unknown; primary: { spec: unknown } }
const NAMES = ['podinfo', 'web'];

/** Each Canary's spec, status, generation and resourceVersion, and its -primary Deployment's, as the API serves them. */
async function snapshot(kube: Kube, namespace: string): Promise<Snapshot[]> {
  const meta = (o: KubeObject | undefined): object => ({ generation: o?.metadata.generation, resourceVersion: o?.metadata.resourceVersion });
  return Promise.all(NAMES.map(async (name) => {
    const canary = await kube.get(CanaryResource, namespace, name);
    const primary = await kube.get(Resources.deployments, namespace, `${name}-primary`);
    return { canary: { ...meta(canary), spec: canary?.spec, status: canary?.status }, primary: { ...meta(primary), spec: primary?.spec } };
  }));
}

/** An Istio release (`podinfo`) and an NGINX one (`web`) in `namespace`, decided by `hook`. */
function releases(kube: Kube, namespace: string, hook: RolloutHook, operatorExit: () => string | undefined): [ChartRelease, ChartRelease] {
  return [new ChartRelease(kube, namespace, hook, { provider: 'istio', name: 'podinfo', operatorExit }),
    new ChartRelease(kube, namespace, hook, { provider: 'nginx', name: 'web', operatorExit })];
}

/**
 * Helm-installs the load tester chart into `namespace`, checks every object it renders exists, then runs the load
 * tester with the chart's flags as its ServiceAccount: a gate opened and closed through the chart's token is kept
 * in the chart's ConfigMap with exactly the verbs its Role grants, on that ConfigMap alone, and no 403.
 */
async function installLoadTester(kubeconfig: string, namespace: string, auditLog: string, dir: string): Promise<void> {
  const manifests = await helmInstall({ kubeconfig, release: `loadtester-${suffix()}`, namespace, chart: chartDir('loadtester') });
  expect(manifests.map((m) => m.kind).sort()).toEqual(expect.arrayContaining(['ConfigMap', 'Deployment', 'Role', 'RoleBinding', 'Secret', 'Service', 'ServiceAccount']));
  expect(await missingObjects(adminConfig(kubeconfig), manifests, namespace)).toEqual([]);
  const loadTester = await startChartLoadTester(adminConfig(kubeconfig), namespace, manifests, dir);
  try {
    const answers = [];
    for (const path of ['/gate/check', '/gate/open', '/gate/check', '/gate/close', '/gate/check']) answers.push(await loadTester.gate(path, 'podinfo', 'app'));
    expect(answers).toEqual([403, 202, 200, 202, 403]);
  } finally {
    await loadTester.stop();
  }
  const calls = auditedCalls(auditLog, loadTester.username, loadTester.startedAt);
  const gates = only(manifests, 'ConfigMap').metadata.name;
  expect(calls.filter((c) => c.code === 403 || c.name !== gates)).toEqual([]);
  expect(usedPermissions(calls)).toEqual(grantedPermissions(manifests));
}

/**
 * Every release initialized and promoted, the Istio one (first) then rolled back, and every Canary deleted. The
 * Gateway API one is created here: the previous chart, under which the others may have started, has no grant
 * for HTTPRoutes.
 */
async function releaseThrough([istio, ...others]: ChartRelease[], gatewayApi: ChartRelease): Promise<void> {
  if (istio === undefined) throw new Error('releaseThrough needs the Istio release first');
  await gatewayApi.create();
  const all = [istio, ...others, gatewayApi];
  await Promise.all(all.map((release) => release.until('Initialized', 60_000)));
  await Promise.all(all.map((release) => release.promote()));
  expect(await Promise.all(all.map((release) => release.primaryImage()))).toEqual(all.map(() => IMAGES.good));
  await istio.rollBack();
  expect(await istio.primaryImage()).toBe(IMAGES.good);
  await Promise.all(all.map((release) => release.remove()));
  expect(istio.phases).toEqual(expect.arrayContaining(['Initialized', 'Progressing', 'Promoting', 'Succeeded', 'Failed']));
  for (const release of [...others, gatewayApi]) expect(release.phases).toEqual(expect.arrayContaining(['Initialized', 'Progressing', 'Promoting', 'Succeeded']));
}

/** No 403 anywhere, and the audited calls match the chart's rules exactly (up to {@link NEVER_CALLED}). */
async function expectLeastPrivilege(operator: ChartOperator, release: ChartRelease, report: PermissionReport): Promise<void> {
  console.error(`[helm-install] ${operator.username}: ${report.calls} calls; used: ${report.used.join(', ')}`);
  expect(operator.process.forbidden().slice(0, 3)).toEqual([]); // the first few tell why
  expect((await release.warnings()).filter((w) => /forbidden|\b403\b/i.test(w))).toEqual([]);
  expect(report.forbidden).toEqual([]);
  expect({ usedNotGranted: report.usedNotGranted, grantedNotUsed: report.grantedNotUsed, staleExceptions: report.staleExceptions })
    .toEqual({ usedNotGranted: [], grantedNotUsed: [], staleExceptions: [] });
}

interface Upgrade {
  kube: Kube;
  namespace: string;
  releases: [ChartRelease, ChartRelease];
  /** The operator the releases' waits watch for an early exit; the caller moves it to the new one. */
  current: { operator: ChartOperator };
  /** The operator under the previous chart (stopped). */
  first: ChartOperator;
  previous: ReturnType<typeof previousChart>;
  /** What the upgrade applied. */
  manifests: Manifest[];
  before: Snapshot[];
}

/**
 * The previous chart version installed cluster-wide (its CRDs with it) and its operator run until both Canaries
 * are Initialized; then stopped, as the chart's Recreate strategy stops it, the new CRDs applied and the chart
 * upgraded as README says, checking that neither Canary nor its primary changed in any way.
 */
async function upgradeUnderRunningCanaries(kubeconfig: string, auditLog: string, hook: RolloutHook, dir: string): Promise<Upgrade> {
  const admin = adminConfig(kubeconfig);
  const kube = new HttpsKube(admin);
  const previous = previousChart(join(dir, 'previous'));
  const values = { leaderElection: { enabled: true } };
  const old = await helmInstall({ kubeconfig, release: 'songbird', namespace: 'songbird-system', chart: previous.dir, values });
  await installLoadTester(kubeconfig, 'songbird-system', auditLog, dir);
  const namespace = `app-${suffix()}`;
  await kube.create(Resources.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  const first = await startChartOperator(admin, 'songbird-system', old, dir);
  const current = { operator: first };
  const both = releases(kube, namespace, hook, () => current.operator.process.exited());
  await retrying(() => kube.list(CanaryResource, namespace));
  for (const release of both) await release.create();
  await Promise.all(both.map((release) => release.until('Initialized', 60_000)));
  await first.process.stop();
  const before = await snapshot(kube, namespace);
  await run(binaryPath('kubectl'), ['apply', '--server-side', '--force-conflicts', '-f', join(chartDir('songbird'), 'crds'), '--kubeconfig', kubeconfig]);
  const manifests = await helmInstall({ kubeconfig, release: 'songbird', namespace: 'songbird-system', chart: chartDir('songbird'), values, upgrade: true });
  expect(manifests.map((m) => m.kind)).toEqual(expect.arrayContaining(['ClusterRole', 'ClusterRoleBinding']));
  expect(await snapshot(kube, namespace)).toEqual(before);
  return { kube, namespace, releases: both, current, first, previous, manifests, before };
}

describe('Songbird installed with its Helm charts, running as their ServiceAccount', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'songbird-helm-e2e-'));
  const hooks: RolloutHook[] = [];
  afterAll(async () => {
    for (const hook of hooks) await hook.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it.concurrent('namespace-scoped (Role and RoleBinding): a full release makes no 403 and uses exactly what the Role grants', async () => {
    const started = Date.now();
    const kubeconfig = inject('kubeconfig');
    const kube = new HttpsKube(adminConfig(kubeconfig));
    const [system, app] = [`songbird-ns-${suffix()}`, `app-ns-${suffix()}`];
    await installCrdFiles(kube, [...thirdPartyCrds, ...['canaries', 'metrictemplates', 'alertproviders'].map((k) => join(chartDir('songbird'), 'crds', `flagger.app_${k}.yaml`))], sleep);
    await kube.create(Resources.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: app } });
    const manifests = await helmInstall({ kubeconfig, release: 'songbird', namespace: system, chart: chartDir('songbird'),
      values: { namespace: app, leaderElection: { enabled: true } } });
    expect(manifests.filter((m) => m.kind.startsWith('Cluster'))).toEqual([]);
    expect(manifests.filter((m) => m.kind === 'Role').map((m) => m.metadata.namespace)).toEqual([app, app]);
    expect(await missingObjects(adminConfig(kubeconfig), manifests, system)).toEqual([]);
    await installLoadTester(kubeconfig, app, auditLogPath(inject('clusterRunDir')), scratch);
    const operator = await startChartOperator(adminConfig(kubeconfig), system, manifests, scratch);
    expect(operator.args).toContain(`--namespace=${app}`);
    const hook = await startRolloutHook();
    hooks.push(hook);
    const both = releases(kube, app, hook, () => operator.process.exited());
    try {
      for (const release of both) await release.create();
      await releaseThrough(both, new ChartRelease(kube, app, hook, { provider: 'gatewayapi:v1', name: 'route', operatorExit: () => operator.process.exited() }));
    } finally {
      await operator.process.stop();
    }
    await expectLeastPrivilege(operator, both[0], permissionReport(auditLogPath(inject('clusterRunDir')), operator, manifests, NEVER_CALLED));
    // The shared control plane outlives this file: its namespaces (and with them the releases' objects) go.
    for (const name of [app, system]) await kube.delete(Resources.namespaces, { name });
    console.error(`[helm-install] namespace-scoped: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }, 240_000);

  it.concurrent('cluster-wide (ClusterRole), upgraded from the previous chart version: the running Canaries are untouched, then a full release makes no 403 and uses exactly what the ClusterRole grants', async () => {
    const started = Date.now();
    await ensureToolchain();
    // Its own control plane: a cluster-wide operator would reconcile the other files' canaries.
    const cluster = await startControlPlane({ runDir: join(scratch, 'cluster'), tier: 'full' });
    try {
      const admin = adminConfig(cluster.kubeconfig);
      await installCrdFiles(new HttpsKube(admin), thirdPartyCrds, sleep);
      const hook = await startRolloutHook();
      hooks.push(hook);
      const upgrade = await upgradeUnderRunningCanaries(cluster.kubeconfig, auditLogPath(cluster.runDir), hook, scratch);
      const operator = await startChartOperator(admin, 'songbird-system', upgrade.manifests, scratch);
      upgrade.current.operator = operator;
      try {
        // A tick later the new operator has taken the Canaries over and left them and their primaries as they were.
        await sleep(12_000);
        expect(await Promise.all(upgrade.releases.map(async (release) => (await release.status()).phase))).toEqual(['Initialized', 'Initialized']);
        expect((await snapshot(upgrade.kube, upgrade.namespace)).map((s) => s.primary.spec)).toEqual(upgrade.before.map((s) => s.primary.spec));
        await releaseThrough(upgrade.releases, new ChartRelease(upgrade.kube, upgrade.namespace, hook, { provider: 'gatewayapi:v1', name: 'route', operatorExit: () => operator.process.exited() }));
      } finally {
        await operator.process.stop();
      }
      // Both operators ran the same code, under the old chart's rules and then the new one's: every call of
      // either must be granted by the new chart, and the new chart must grant nothing neither used.
      await expectLeastPrivilege(operator, upgrade.releases[0], permissionReport(auditLogPath(cluster.runDir), upgrade.first, upgrade.manifests, NEVER_CALLED));
      expect(upgrade.first.process.forbidden().slice(0, 3)).toEqual([]);
      console.error(`[helm-install] cluster-wide from chart ${upgrade.previous.version} (${upgrade.previous.commit.slice(0, 8)}): ${((Date.now() - started) / 1000).toFixed(1)} s`);
    } finally {
      await stopControlPlane(cluster);
    }
  }, 300_000);
});
