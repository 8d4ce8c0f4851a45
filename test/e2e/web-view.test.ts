import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../../loadtester/test/support/harness.js';
import type { DataPlane } from '../../src/dev/data-plane/index.js';
import { flaggerType, Resources, type Ingress } from '../../src/kube/resources.js';
import type { RunningPrometheus } from '../../src/local-cluster/prometheus.js';
import type { RunningOperator } from '../../src/operator.js';
import type { KubeObject } from '../../src/ports/kube.js';
import { CanaryResource } from '../../src/reconciler/cluster-caches.js';
import { aCanary, aDeployment } from '../fixtures/objects.js';
import { launchChromium } from '../support/chromium.js';
import { canaryProbe } from '../support/e2e-canary.js';
import { dashboardQueries, instantQuery, type PanelQuery } from '../support/grafana-dashboard.js';
import { testKube, waitFor } from '../support/kube.js';
import { startTrafficStack, type TrafficStack } from '../support/traffic-stack.js';

// Two releases at once in one namespace, on the local data plane: `podinfo` on Istio, `webapp` on NGINX.
const NAMESPACE = `webview-${Math.random().toString(16).slice(2, 8)}`;
const IMAGE = 'ghcr.io/stefanprodan/podinfo';
const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts');
const DASHBOARD = join(import.meta.dirname, '..', '..', 'charts', 'songbird', 'dashboards', 'songbird-dashboard.json');
// A check whose name is markup: the page must show it as text, and nothing in it may run.
const HOSTILE = `<img src=x onerror="window.xss=1">`;
const kube = testKube();
const istio = canaryProbe(NAMESPACE, 'podinfo');
const nginx = canaryProbe(NAMESPACE, 'webapp');

describe('the web view and the Grafana dashboard during real releases', () => {
  let stack: TrafficStack | undefined;
  let prometheus: RunningPrometheus;
  let dataPlane: DataPlane;
  let loadTester: Harness;
  let operator: RunningOperator;
  let browser: Browser;

  beforeAll(async () => {
    stack = await startTrafficStack(kube, NAMESPACE, ['--web-port=0']);
    ({ prometheus, dataPlane, loadTester, operator } = stack);
    // The operator's own flagger_* metrics, scraped like the data plane's.
    prometheus.setJobs([{ job: 'data-plane', targets: dataPlane.scrapeTargets() }, { job: 'songbird', targets: [`127.0.0.1:${operator.port}`] }]);
    browser = await launchChromium();
    await createCanaries();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  async function createCanaries(): Promise<void> {
    await kube.create(flaggerType<KubeObject & { spec: unknown }>('MetricTemplate'), {
      apiVersion: 'flagger.app/v1beta1', kind: 'MetricTemplate', metadata: { name: 'constant', namespace: NAMESPACE },
      spec: { provider: { type: 'prometheus', address: prometheus.url }, query: 'vector(1)' },
    });
    await kube.create(Resources.deployments, aDeployment({ name: 'podinfo', namespace: NAMESPACE, replicas: 1, image: `${IMAGE}:6.0.0` }));
    await kube.create(Resources.deployments, aDeployment({ name: 'webapp', namespace: NAMESPACE, replicas: 1, image: `${IMAGE}:6.0.0` }));
    const ingress: Ingress = {
      apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'webapp', namespace: NAMESPACE },
      spec: { ingressClassName: 'nginx', rules: [{ host: `webapp.${NAMESPACE}.example`, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'webapp', port: { number: 80 } } } }] } }] },
    };
    await kube.create(Resources.ingresses, ingress);
    // Five steps of 5 s: long enough for the page to see the weight change and for every panel to have data.
    const steps = { interval: '5s', threshold: 5, maxWeight: 50, stepWeight: 10 };
    const podinfo = aCanary({ name: 'podinfo', namespace: NAMESPACE, target: 'podinfo', provider: 'istio' });
    (podinfo.spec as Record<string, unknown>).analysis = {
      ...steps,
      metrics: [
        // Loose bounds: this test is about showing the checks, and a busy test machine slows answers down.
        { name: 'request-success-rate', thresholdRange: { min: 90 }, interval: '15s' },
        { name: 'request-duration', thresholdRange: { max: 5000 }, interval: '15s' },
        { name: HOSTILE, templateRef: { name: 'constant' }, thresholdRange: { max: 10 } },
      ],
    };
    const webapp = aCanary({ name: 'webapp', namespace: NAMESPACE, target: 'webapp', provider: 'nginx' });
    Object.assign(webapp.spec as Record<string, unknown>, { ingressRef: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'webapp' }, analysis: steps });
    await kube.create(CanaryResource, podinfo);
    await kube.create(CanaryResource, webapp);
    await waitFor('both Initialized', async () => (await istio.phase()) === 'Initialized' && (await nginx.phase()) === 'Initialized', 60_000);
    for (const [name, url] of [['podinfo', `http://podinfo.${NAMESPACE}/`], ['webapp', `http://webapp.${NAMESPACE}.example/`]]) {
      const started = await loadTester.post('/', { name, namespace: NAMESPACE, metadata: { cmd: `hey -z 200s -q 10 -c 2 -x ${dataPlane.proxyUrl} ${url}` } });
      expect(started.status).toBe(202);
    }
  }

  const bothProgressing = async (): Promise<boolean> => (await istio.phase()) === 'Progressing' && (await nginx.phase()) === 'Progressing';

  it('shows each canary live while the releases run: phase, weight, check values, time in phase, markup as text', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 700 } });
    await page.goto(`http://127.0.0.1:${operator.webPort}/`);
    const row = page.locator(`tr[data-canary="${NAMESPACE}/podinfo"]`);
    await expect.poll(() => page.locator('#conn').textContent()).toBe('live');
    expect(await row.locator('.phase-name').textContent()).toBe('Initialized');
    expect(await page.locator(`tr[data-canary="${NAMESPACE}/webapp"] .phase-name`).textContent()).toBe('Initialized');
    await page.evaluate(() => { (globalThis as unknown as { loadedOnce: string }).loadedOnce = 'yes'; });

    await istio.setImage(`${IMAGE}:6.0.1`);
    await nginx.setImage(`${IMAGE}:6.0.1`);
    const weightOnPage = async (): Promise<number> => Number.parseInt((await row.locator('td.weight').textContent()) ?? '', 10);
    await expect.poll(() => row.locator('.phase-name').textContent(), { timeout: 60_000 }).toBe('Progressing');
    await expect.poll(weightOnPage, { timeout: 30_000 }).toBeGreaterThan(0);
    const first = await weightOnPage();
    await expect.poll(weightOnPage, { timeout: 30_000 }).toBeGreaterThan(first);
    // The weight changed on the page that was loaded before the release: pushed, not reloaded.
    expect(await page.evaluate(() => (globalThis as unknown as { loadedOnce?: string }).loadedOnce)).toBe('yes');
    expect(Number(await page.locator('body').getAttribute('data-updates'))).toBeGreaterThan(1);

    const check = (name: string): ReturnType<typeof row.locator> => row.locator(`li.check[data-check="${name.replace(/"/g, '\\"')}"]`);
    // A number once the first check ran ('no data' before); every answer succeeds, give or take a busy machine.
    await expect.poll(async () => Number(await check('request-success-rate').locator('.check-value').textContent()), { timeout: 30_000 }).toBeGreaterThanOrEqual(90);
    expect(await check('request-success-rate').locator('.check-threshold').textContent()).toBe('>= 90');
    expect(await check('request-duration').locator('.check-threshold').textContent()).toBe('<= 5000');
    expect(Number(await check('request-duration').locator('.check-value').textContent())).toBeGreaterThan(0);
    await expect.poll(() => check(HOSTILE).locator('.check-name').textContent()).toBe(HOSTILE);
    expect(await check(HOSTILE).locator('.check-value').textContent()).toBe('1');
    expect(await page.locator('#rows img').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as unknown as { xss?: number }).xss)).toBeUndefined();
    expect(await row.locator('td.in-phase time').textContent()).toMatch(/^\d+(s|m \d+s)$/);
    expect(await row.locator('td.failed').textContent()).toMatch(/^\d \/ 5$/);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'web-view.png'), fullPage: true });
    await page.close();
  }, 150_000);

  it('returns data for every dashboard panel query during the releases, and for the outcomes after them', async () => {
    const ranges = { rate: '30s', interval: '15s', range: '1h' };
    // The Istio row is about `podinfo`, the NGINX row about `webapp`; the release rows show `podinfo`.
    const queries = [
      ...dashboardQueries(DASHBOARD, { namespace: NAMESPACE, canary: 'podinfo', datasource: 'prometheus' }, ranges).filter((q) => !q.panel.includes('NGINX')),
      ...dashboardQueries(DASHBOARD, { namespace: NAMESPACE, canary: 'webapp', datasource: 'prometheus' }, ranges).filter((q) => q.panel.includes('NGINX')),
    ];
    const outcomes = (q: PanelQuery): boolean => q.panel.startsWith('Release outcomes');
    const during = queries.filter((q) => !outcomes(q));
    expect(during.length).toBeGreaterThanOrEqual(10);
    const answered = new Set<string>();
    const label = (q: PanelQuery): string => `${q.panel} ${q.refId}`;
    await waitFor('every panel query answered while both releases progress', async () => {
      if (!await bothProgressing()) return false;
      const results = await Promise.all(during.map(async (q) => ({ q, n: (await instantQuery(prometheus.url, q.expr)).length })));
      // Counted only when the releases were still running after the queries, so each answer is from during them.
      if (await bothProgressing()) for (const { q, n } of results) if (n > 0) answered.add(label(q));
      return answered.size === during.length;
    }, 90_000).catch((error: unknown) => {
      throw new Error(`${String(error)}; without data: ${during.filter((q) => !answered.has(label(q))).map((q) => `${label(q)}: ${q.expr}`).join('\n')}`);
    });

    await waitFor('both releases promoted', async () => {
      const [a, b] = [await istio.status(), await nginx.status()];
      if (a?.phase === 'Failed' || b?.phase === 'Failed') throw new Error(`a release failed: ${JSON.stringify({ podinfo: a, webapp: b })}`);
      return a?.phase === 'Succeeded' && b?.phase === 'Succeeded';
    }, 150_000);
    for (const q of queries.filter(outcomes)) {
      await waitFor(`${label(q)} answered`, async () => (await instantQuery(prometheus.url, q.expr)).length > 0, 30_000);
    }
  }, 240_000);
});
