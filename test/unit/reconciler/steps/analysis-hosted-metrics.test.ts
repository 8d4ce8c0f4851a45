import { afterEach, describe, expect, it } from 'vitest';
import { flaggerType, Resources } from '../../../../src/kube/resources.js';
import type { DisposableHttpClient } from '../../../../src/metrics/http-client.js';
import type { KubeObject } from '../../../../src/ports/kube.js';
import { metricChecks } from '../../../../src/reconciler/steps/analysis-metrics.js';
import { aSecret, eachTestHostedService, fixture, flaggerExample, withAddress } from '../../../support/hosted-metrics.js';
import type { RecordingServer } from '../../../support/recording-server.js';
import type { TickHarness } from '../tick-harness.js';
import { progressing } from './progressing.js';

// Flagger's documented Datadog check, as a Canary of the docs references it.
const notFound = { name: '404s percentage', templateRef: { name: 'not-found-percentage', namespace: 'test' }, thresholdRange: { max: 5 }, interval: '1m' };

describe('metricChecks with a hosted MetricTemplate provider (datadog), through the real HTTP client', () => {
  let h: TickHarness;
  let server: RecordingServer;
  let http: DisposableHttpClient;

  eachTestHostedService('datadog', 'value.json', (s, c) => {
    server = s;
    http = c;
  });

  afterEach(() => {
    h.stop();
  });

  async function setUp(): Promise<Awaited<ReturnType<typeof progressing>>['ctx']> {
    let ctx;
    ({ h, ctx } = await progressing('istio', { stepWeight: 20, metrics: [notFound] }));
    const example = flaggerExample('datadog');
    const template = withAddress({ ...example, metadata: { ...example.metadata, namespace: 'test' } }, server.url);
    await h.create(flaggerType<KubeObject>('MetricTemplate'), { apiVersion: 'flagger.app/v1beta1', kind: 'MetricTemplate', ...template });
    await h.create(Resources.secrets, aSecret('datadog', 'test', { datadog_api_key: 'k1', datadog_application_key: 'k2' }));
    h.deps.analysis.metrics.http = http;
    return ctx;
  }

  it('passes the check and records its rendered query, value and verdict in status', async () => {
    const ctx = await setUp();
    expect(await metricChecks(ctx)).toBe('ok');
    const recorded = ctx.status.lastMetricValues?.['404s percentage'];
    expect(recorded).toMatchObject({ value: 0.5, verdict: 'Pass', threshold: '<= 5' });
    expect(recorded?.query).toContain('destination_workload:podinfo');
    expect(server.requests[0]?.headers['dd-api-key']).toBe('k1');
  });

  it('fails the check on no data, with a warning that says so', async () => {
    const ctx = await setUp();
    server.reply = () => ({ body: fixture('datadog', 'null-points.json') });
    expect(await metricChecks(ctx)).toBe('failed');
    expect(ctx.status.lastMetricValues?.['404s percentage']).toMatchObject({ verdict: 'Fail' });
    expect(ctx.notices.map((n) => n.severity)).toEqual(['warn']);
    expect(JSON.stringify(ctx.notices)).toMatch(/no values found/);
  });
});
