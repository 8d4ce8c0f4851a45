// The MetricTemplates of Flagger's documentation for graphite, influxdb, keptn and externalmetrics
// (test/fixtures/flagger-examples), run by runMetricChecks as a Canary's checks: a pass, a fail, and no data,
// which never passes. HTTP providers answer from a loopback server through the real HTTP adapter (InfluxDB's
// answers are replayed from its documentation, test/fixtures/metrics/influxdb/); keptn reads FakeKube.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CanaryMetric } from '../api/canary-analysis.js';
import type { MetricTemplate } from '../api/metric-template.js';
import { Resources, type Secret } from '../kube/resources.js';
import { FakeKube } from '../../test/fakes/fake-kube.js';
import { aSecret as secretIn, fixture, flaggerExample, runTemplateCheck, withAddress } from '../../test/support/hosted-metrics.js';
import { startRecordingServer, type RecordingServer } from '../../test/support/recording-server.js';
import type { TimedMetricCheck } from './evaluate.js';
import { createAxiosHttpClient, type DisposableHttpClient } from './http-client.js';

/** Flagger's documented template of `provider` (test/fixtures/flagger-examples) in namespace `test`, at `address` when given. */
function documented(provider: string, address?: string, file?: string): MetricTemplate {
  const example = flaggerExample(provider, file);
  const template = address === undefined ? example : withAddress(example, address);
  return { ...template, metadata: { ...template.metadata, namespace: 'test', uid: provider, resourceVersion: '1' } };
}

const aSecret = (name: string, data: Record<string, string>): Secret => secretIn(name, 'test', data);

const countResult = fixture('influxdb', 'count.csv');
const noTables = fixture('influxdb', 'no-tables.csv');

interface World { template: MetricTemplate; secrets?: Secret[]; http: DisposableHttpClient; kube?: FakeKube }

/** One check of the world's template (with its Secret, if any) through runMetricChecks. */
async function check(world: World, metric: Pick<CanaryMetric, 'thresholdRange' | 'onNoData'>): Promise<TimedMetricCheck[]> {
  const { template, http, kube } = world;
  const [secret] = world.secrets ?? [];
  return [await runTemplateCheck({
    template, http, now: Date.parse('2026-01-01T10:00:00Z'), thresholdRange: metric.thresholdRange ?? {},
    ...(secret === undefined ? {} : { secret }), ...(kube === undefined ? {} : { kube }),
    ...(metric.onNoData === undefined ? {} : { onNoData: metric.onNoData }),
  })];
}

describe('documented MetricTemplates run as checks', () => {
  let server: RecordingServer;
  let http: DisposableHttpClient;
  beforeAll(async () => {
    server = await startRecordingServer();
    http = createAxiosHttpClient();
  });
  beforeEach(() => {
    server.requests.length = 0;
  });
  afterAll(async () => {
    http.destroy();
    await server.close();
  });
  const answer = (body: string): void => {
    server.reply = () => ({ status: 200, body });
  };

  describe('graphite', () => {
    const world = (): World => ({ template: documented('graphite', server.url), http });
    const render = (value: number | null): string => JSON.stringify([{ target: 'x', datapoints: [[90, 1], [value, 2], [null, 3]] }]);

    it('names the missing Secret key of basic auth: both username and password are needed', async () => {
      const template = documented('graphite', server.url);
      const withSecret = { ...template, spec: { ...template.spec, provider: { ...template.spec.provider, secretRef: { name: 'graphite-auth' } } } };
      const [noPassword] = await check({ template: withSecret, http, secrets: [aSecret('graphite-auth', { username: 'flagger' })] }, { thresholdRange: { min: 90 } });
      expect(noPassword?.message).toContain('Secret test/graphite-auth has no key password (needed by provider type graphite)');
      const [noUsername] = await check({ template: withSecret, http, secrets: [aSecret('graphite-auth', { password: 'x' })] }, { thresholdRange: { min: 90 } });
      expect(noUsername?.message).toContain('Secret test/graphite-auth has no key username (needed by provider type graphite)');
      expect(server.requests).toHaveLength(0);
    });

    it('passes at 99.5 % against min 90, recording the rendered query and the value', async () => {
      answer(render(99.5));
      const [result] = await check(world(), { thresholdRange: { min: 90 } });
      expect(result).toMatchObject({ verdict: 'Pass', value: 99.5, threshold: '>= 90' });
      expect(result?.query).toContain('stats.timers.httpServerRequests.app.podinfo.exception.*');
      expect(result?.query).toContain("1m, 'avg' )");
      expect(new URL(server.requests[0]?.url ?? '', server.url).searchParams.get('target')).toBe(result?.query?.replace(/^target=/, ''));
    });

    it('fails at 80 % against min 90', async () => {
      answer(render(80));
      expect((await check(world(), { thresholdRange: { min: 90 } }))[0]).toMatchObject({ verdict: 'Fail', value: 80 });
    });

    it('never passes without data: Fail by default, Skip with onNoData skip', async () => {
      answer(JSON.stringify([{ target: 'x', datapoints: [[null, 1]] }]));
      expect((await check(world(), { thresholdRange: { min: 90 } }))[0]).toMatchObject({ verdict: 'Fail', value: null });
      expect((await check(world(), { thresholdRange: { min: 90 }, onNoData: 'skip' }))[0]).toMatchObject({ verdict: 'Skip', value: null });
    });
  });

  describe('influxdb', () => {
    const world = (): World => ({
      template: documented('influxdb', server.url), http, secrets: [aSecret('influx-token', { token: 't0ken', org: 'acme' })],
    });

    it('passes with 3 errors against max 5, sending the Flux query with its line breaks', async () => {
      answer(countResult);
      const [result] = await check(world(), { thresholdRange: { max: 5 } });
      expect(result).toMatchObject({ verdict: 'Pass', value: 3 });
      expect((server.requests[0]?.json as { query: string }).query).toBe(result?.query);
      expect(result?.query).toContain('|> filter(fn: (r) => r["destination_workload"] == "podinfo")\n|> filter(fn: (r) => r["response_code"] == "500")\n');
      expect(server.requests[0]?.headers.authorization).toBe('Token t0ken');
    });

    it('fails with 3 errors against max 1', async () => {
      answer(countResult);
      expect((await check(world(), { thresholdRange: { max: 1 } }))[0]).toMatchObject({ verdict: 'Fail', value: 3 });
    });

    it('never passes without data, even against a max that 0 would pass', async () => {
      answer(noTables);
      expect((await check(world(), { thresholdRange: { max: 1 } }))[0]).toMatchObject({ verdict: 'Fail', value: null });
    });

    it('names the missing Secret key', async () => {
      const [result] = await check({ ...world(), secrets: [aSecret('influx-token', { token: 't0ken' })] }, { thresholdRange: { max: 1 } });
      expect(result?.message).toContain('MetricTemplate test/not-found: Secret test/influx-token has no key org (needed by provider type influxdb)');
      const [noToken] = await check({ ...world(), secrets: [aSecret('influx-token', { org: 'acme' })] }, { thresholdRange: { max: 1 } });
      expect(noToken?.message).toContain('Secret test/influx-token has no key token (needed by provider type influxdb)');
    });
  });

  describe('externalmetrics', () => {
    const world = (): World => ({
      template: documented('externalmetrics', server.url, 'external-metrics-template.yaml'), http, secrets: [aSecret('external-metric-server-token', { token: 'your-access-token' })],
    });
    const list = (...values: string[]): string => JSON.stringify({ kind: 'ExternalMetricValueList', items: values.map((value) => ({ metricName: 'job-success-rate', value })) });

    it('passes at 990m against min 0.95, with the Secret token', async () => {
      answer(list('990m'));
      expect((await check(world(), { thresholdRange: { min: 0.95 } }))[0]).toMatchObject({ verdict: 'Pass', value: 0.99, query: 'webapp-frontend/job-success-rate?labelSelector=env%3Dproduction' });
      expect(server.requests[0]?.headers.authorization).toBe('Bearer your-access-token');
    });

    it('fails at 900m against min 0.95', async () => {
      answer(list('900m'));
      expect((await check(world(), { thresholdRange: { min: 0.95 } }))[0]).toMatchObject({ verdict: 'Fail', value: 0.9 });
    });

    it('never passes without data', async () => {
      answer(list());
      expect((await check(world(), { thresholdRange: { min: 0.95 } }))[0]).toMatchObject({ verdict: 'Fail', value: null });
    });
  });

  describe('keptn', () => {
    const world = async (status?: Record<string, unknown>): Promise<World> => {
      const kube = new FakeKube();
      await kube.create(Resources.keptnMetrics, { metadata: { name: 'response-time', namespace: 'my-namespace' }, spec: {} });
      if (status !== undefined) await kube.patch(Resources.keptnMetrics, { namespace: 'my-namespace', name: 'response-time' }, { status }, { subresource: 'status' });
      const template = documented('keptn');
      return { template, http, kube };
    };

    it('passes at 0.2 s against max 0.5', async () => {
      expect((await check(await world({ value: '0.2' }), { thresholdRange: { max: 0.5 } }))[0]).toMatchObject({ verdict: 'Pass', value: 0.2 });
    });

    it('fails at 0.8 s against max 0.5', async () => {
      expect((await check(await world({ value: '0.8' }), { thresholdRange: { max: 0.5 } }))[0]).toMatchObject({ verdict: 'Fail', value: 0.8 });
    });

    it('never passes while the KeptnMetric has no value', async () => {
      expect((await check(await world(), { thresholdRange: { max: 0.5 } }))[0]).toMatchObject({ verdict: 'Fail', value: null });
    });
  });
});
