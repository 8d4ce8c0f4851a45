// The externalmetrics provider on the real API server: an APIService registers a local adapter of the external
// metrics API (test/support/external-metrics-server.ts), and the API server's aggregation layer proxies the
// provider's requests to it, as it does for KEDA's or Datadog's adapters in a cluster. The adapter is reached
// through an ExternalName Service (the aggregator resolves it to the name and port without a cluster network).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CanaryMetric } from '../../src/api/canary-analysis.js';
import type { MetricTemplate } from '../../src/api/metric-template.js';
import { Resources } from '../../src/kube/resources.js';
import { ExternalMetricsProvider } from '../../src/metrics/externalmetrics.js';
import { createAxiosHttpClient, type DisposableHttpClient } from '../../src/metrics/http-client.js';
import { ProviderCache } from '../../src/metrics/provider-cache.js';
import { runMetricChecks } from '../../src/metrics/run-analysis.js';
import type { Kube, KubeObject, ResourceType } from '../../src/ports/kube.js';
import { builtinsOf } from '../../src/routers/index.js';
import { startExternalMetricsServer, type ExternalMetricsServer } from '../support/external-metrics-server.js';
import { testKube, useTestNamespace, waitFor } from '../support/kube.js';

interface ApiService extends KubeObject { spec?: object; status?: { conditions?: { type: string; status: string }[] } }
const apiServices: ResourceType<ApiService> = { group: 'apiregistration.k8s.io', version: 'v1', kind: 'APIService', plural: 'apiservices', namespaced: false, hasStatus: true };
const apiServiceName = 'v1beta1.external.metrics.k8s.io';

describe('externalmetrics MetricTemplates through the real API server', () => {
  const namespace = useTestNamespace('extmetrics');
  let kube: Kube;
  let adapter: ExternalMetricsServer;
  let http: DisposableHttpClient;

  beforeAll(async () => {
    kube = testKube();
    http = createAxiosHttpClient();
    adapter = await startExternalMetricsServer();
    await kube.create(Resources.services, {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'metrics-adapter', namespace: namespace() },
      spec: { type: 'ExternalName', externalName: 'localhost', ports: [{ name: 'https', port: adapter.port }] },
    });
    await kube.create(apiServices, {
      apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: apiServiceName },
      spec: { group: 'external.metrics.k8s.io', version: 'v1beta1', service: { namespace: namespace(), name: 'metrics-adapter', port: adapter.port },
        insecureSkipTLSVerify: true, groupPriorityMinimum: 100, versionPriority: 100 },
    });
    await waitFor('the APIService Available', async () => {
      const service = await kube.get(apiServices, undefined, apiServiceName);
      return service?.status?.conditions?.some((c) => c.type === 'Available' && c.status === 'True') === true;
    }, 60_000);
  }, 90_000);

  afterAll(async () => {
    await kube.delete(apiServices, { name: apiServiceName });
    http.destroy();
    await adapter.close();
  });

  function check(query: string, metric: Omit<CanaryMetric, 'name' | 'templateRef'>): ReturnType<typeof runMetricChecks> {
    // Flagger's documented template (test/fixtures/flagger-examples/external-metrics-template.yaml) without its
    // address, so that it asks the API server the operator talks to.
    const template: MetricTemplate = {
      metadata: { name: 'my-external-metric', namespace: namespace(), uid: query, resourceVersion: '1' }, spec: { provider: { type: 'externalmetrics' }, query },
    };
    return runMetricChecks({
      canary: {
        metadata: { name: 'podinfo', namespace: namespace() },
        spec: { targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
          analysis: { interval: '1m', threshold: 5, stepWeight: 10, metrics: [{ name: 'job-success-rate', templateRef: { name: template.metadata.name }, ...metric }] } },
      },
      provider: 'kubernetes', builtins: builtinsOf('kubernetes'), metricsServer: 'http://prometheus.invalid:9090',
      templates: () => template, secrets: () => undefined, providers: new ProviderCache(), http, now: () => Date.now(), kube,
    });
  }

  it("reads the first value of Flagger's documented query through the aggregation layer: a pass and a fail", async () => {
    adapter.series.set('webapp-frontend/job-success-rate', [
      { labels: { env: 'staging' }, value: '500m' }, { labels: { env: 'production' }, value: '990m' },
    ]);
    const query = 'webapp-frontend/job-success-rate?labelSelector=env%3Dproduction';
    expect((await check(query, { thresholdRange: { min: 0.95 } }))[0]).toMatchObject({ verdict: 'Pass', value: 0.99, query });
    expect(adapter.requests).toContain('/apis/external.metrics.k8s.io/v1beta1/namespaces/webapp-frontend/job-success-rate?labelSelector=env%3Dproduction&limit=500');
    expect((await check(query, { thresholdRange: { min: 0.995 } }))[0]).toMatchObject({ verdict: 'Fail', value: 0.99 });
  });

  it('never passes a metric the adapter has no series for', async () => {
    const [result] = await check('webapp-frontend/job-success-rate?labelSelector=env%3Dnowhere', { thresholdRange: { min: 0.95 } });
    expect(result).toMatchObject({ verdict: 'Fail', value: null });
    expect(result?.message).toContain('no external metrics found');
  });

  it('is online when the API answers, as Flagger probes it', async () => {
    expect(await new ExternalMetricsProvider({ kind: 'kube', kube }).isOnline()).toEqual({ online: true });
  });
});
