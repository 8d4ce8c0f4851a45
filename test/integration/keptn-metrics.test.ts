// The keptn provider on the real API server with Keptn's metrics-operator CRDs (test/fixtures/thirdparty-crds/
// keptn-metrics.yaml). No Keptn operator runs here: the test writes the KeptnMetric's status, and completes the
// Analysis the provider creates, as Keptn's metrics-operator would, through the status subresource.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CanaryMetric } from '../../src/api/canary-analysis.js';
import type { MetricTemplate } from '../../src/api/metric-template.js';
import { Resources, type KeptnObject } from '../../src/kube/resources.js';
import { createAxiosHttpClient } from '../../src/metrics/http-client.js';
import { KeptnProvider } from '../../src/metrics/keptn.js';
import { ProviderCache } from '../../src/metrics/provider-cache.js';
import { runMetricChecks } from '../../src/metrics/run-analysis.js';
import type { Kube } from '../../src/ports/kube.js';
import { builtinsOf } from '../../src/routers/index.js';
import { installCrds, testKube, useTestNamespace } from '../support/kube.js';

const crds = join(import.meta.dirname, '..', 'fixtures', 'thirdparty-crds', 'keptn-metrics.yaml');
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('keptn MetricTemplates on the real API server', () => {
  const namespace = useTestNamespace('keptn');
  let kube: Kube;

  beforeAll(async () => {
    const names = await installCrds(crds);
    expect(names).toEqual(expect.arrayContaining(['keptnmetrics.metrics.keptn.sh', 'analyses.metrics.keptn.sh', 'analysisdefinitions.metrics.keptn.sh']));
    kube = testKube();
  });

  async function keptnMetric(name: string, status?: { value: string; lastUpdated: string }): Promise<void> {
    await kube.create<KeptnObject>(Resources.keptnMetrics, {
      apiVersion: 'metrics.keptn.sh/v1beta1', kind: 'KeptnMetric', metadata: { name, namespace: namespace() },
      spec: { provider: { name: 'my-prometheus-keptn-provider' }, query: 'histogram_quantile(0.8, sum by(le) (rate(http_server_request_latency_seconds_bucket[5m])))', fetchIntervalSeconds: 10 },
    });
    if (status !== undefined) {
      await kube.patch(Resources.keptnMetrics, { namespace: namespace(), name }, { status: { rawValue: Buffer.from(status.value).toString('base64'), ...status } }, { subresource: 'status' });
    }
  }

  // Flagger's documented template (test/fixtures/flagger-examples/keptn-metric-template.yaml) in this namespace.
  const template = (query: string): MetricTemplate => ({
    metadata: { name: 'response-time', namespace: namespace(), uid: query, resourceVersion: '1' }, spec: { provider: { type: 'keptn' }, query },
  });

  function check(query: string, metric: Omit<CanaryMetric, 'name' | 'templateRef'>): ReturnType<typeof runMetricChecks> {
    return runMetricChecks({
      canary: {
        metadata: { name: 'podinfo', namespace: namespace() },
        spec: { targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
          analysis: { interval: '1m', threshold: 5, stepWeight: 10, metrics: [{ name: 'response-time', templateRef: { name: 'response-time' }, ...metric }] } },
      },
      provider: 'kubernetes', builtins: builtinsOf('kubernetes'), metricsServer: 'http://prometheus.invalid:9090',
      templates: () => template(query), secrets: () => undefined, providers: new ProviderCache(), http: createAxiosHttpClient(),
      now: () => Date.now(), kube, sleep,
    });
  }

  it("reads a KeptnMetric's value with Flagger's documented query: a pass under max, a fail over it", async () => {
    await keptnMetric('response-time', { value: '0.35', lastUpdated: new Date().toISOString() });
    const query = `keptnmetric/${namespace()}/response-time/2m/reporter=destination`;
    expect((await check(query, { thresholdRange: { max: 0.5 } }))[0]).toMatchObject({ verdict: 'Pass', value: 0.35, query });
    expect((await check(query, { thresholdRange: { max: 0.3 } }))[0]).toMatchObject({ verdict: 'Fail', value: 0.35 });
  });

  it('never passes a KeptnMetric that has no value yet, and names a missing one', async () => {
    await keptnMetric('fresh');
    const [noData] = await check(`keptnmetric/${namespace()}/fresh`, { thresholdRange: { max: 0.5 } });
    expect(noData).toMatchObject({ verdict: 'Fail', value: null });
    expect(noData?.message).toContain(`KeptnMetric ${namespace()}/fresh has no value yet`);
    const [missing] = await check(`keptnmetric/${namespace()}/absent`, { thresholdRange: { max: 0.5 } });
    expect(missing?.message).toContain(`KeptnMetric ${namespace()}/absent not found`);
  });

  it('creates an Analysis the API server accepts, reads its verdict once Keptn completes it, then deletes it', async () => {
    const created: string[] = [];
    // Plays Keptn's metrics-operator: completes each Analysis it finds, passing only those of the definition `slo`.
    const operator = async (): Promise<void> => {
      for (let i = 0; i < 100 && created.length < 2; i++) {
        for (const analysis of (await kube.list(Resources.keptnAnalyses, namespace())).items) {
          if (created.includes(analysis.metadata.name)) continue;
          created.push(analysis.metadata.name);
          const definition = (analysis.spec?.analysisDefinition as { name: string }).name;
          await kube.patch(Resources.keptnAnalyses, { namespace: namespace(), name: analysis.metadata.name },
            { status: { state: 'Completed', pass: definition === 'slo', timeframe: { from: new Date(Date.now() - 300_000).toISOString(), to: new Date().toISOString() } } },
            { subresource: 'status' });
        }
        await sleep(100);
      }
    };
    const provider = new KeptnProvider({ kube, sleep });
    const [passed, failed] = await Promise.all([
      provider.query(`analysis/${namespace()}/slo/5m/service=podinfo;env=Prod`),
      provider.query(`analysis/${namespace()}/strict-slo`),
      operator(),
    ]);
    expect([passed, failed]).toEqual([1, 0]);
    expect(created.map((n) => n.replace(/-[0-9a-f]{6}$/, '-XXXXXX')).sort()).toEqual(['slo-XXXXXX', 'strict-slo-XXXXXX']);
    expect((await kube.list(Resources.keptnAnalyses, namespace())).items).toEqual([]);
  });
});
