import { describe, expect, it } from 'vitest';
import {
  aSecret, eachTestHostedService, fixture, flaggerExample, runTemplateCheck, withAddress,
} from '../../test/support/hosted-metrics.js';
import type { RecordingServer } from '../../test/support/recording-server.js';
import { DatadogProvider, datadogDefaultAddress, type DatadogOptions } from './datadog.js';
import { MetricConfigError, NoDataError, QueryError } from './errors.js';
import type { DisposableHttpClient } from './http-client.js';

// 2023-11-14T22:13:20Z; the window of a 1m metric starts ten minutes earlier.
const now = 1_700_000_000_000;
let server: RecordingServer;
let http: DisposableHttpClient;

eachTestHostedService('datadog', 'value.json', (s, h) => {
  server = s;
  http = h;
});

const provider = (options: Partial<DatadogOptions> = {}): DatadogProvider => new DatadogProvider({
  address: server.url, apiKey: 'api-key-1', applicationKey: 'app-key-1', intervalMs: 60_000, now: () => now, ...options,
}, http);

const answer = (file: string, status = 200) => (): { status: number; body: string } => ({ status, body: fixture('datadog', file) });

describe('DatadogProvider: the request it sends', () => {
  it('GETs /api/v1/query with the query, a window of ten intervals in seconds and both keys as headers', async () => {
    await provider().query('avg:system.cpu.idle{host:foo}');
    const [request] = server.requests;
    const url = new URL(request?.url ?? '', server.url);
    expect(request?.method).toBe('GET');
    expect(url.pathname).toBe('/api/v1/query');
    expect(Object.fromEntries(url.searchParams)).toEqual({ query: 'avg:system.cpu.idle{host:foo}', from: '1699999400', to: '1700000000' });
    expect(request?.headers['dd-api-key']).toBe('api-key-1');
    expect(request?.headers['dd-application-key']).toBe('app-key-1');
    expect(request?.raw).toBe('');
  });

  it('defaults to Flagger\'s address https://api.datadoghq.com', () => {
    expect(new DatadogProvider({ apiKey: 'a', applicationKey: 'b', intervalMs: 60_000, now: () => now }, http).queryUrl('q', now))
      .toBe(`${datadogDefaultAddress}/api/v1/query?query=q&from=1699999400&to=1700000000`);
  });

  it('probes /api/v1/validate with the keys', async () => {
    server.reply = () => ({ body: '{"valid":true}' });
    expect(await provider().isOnline()).toEqual({ online: true });
    expect(server.requests[0]?.url).toBe('/api/v1/validate');
    expect(server.requests[0]?.headers['dd-api-key']).toBe('api-key-1');
  });
});

describe('DatadogProvider: recorded answers of the Datadog API', () => {
  it('returns the newest point of the one series', async () => {
    expect(await provider().query('q')).toBe(0.5);
  });

  it.each([
    ['a series whose points are all null', 'null-points.json'],
    ['no series at all', 'empty.json'],
  ])('answers no data for %s, never a value', async (_title, file) => {
    server.reply = answer(file);
    await expect(provider().query('q')).rejects.toBeInstanceOf(NoDataError);
  });

  it('reports a refused query with its status and body', async () => {
    server.reply = answer('error-400.json', 400);
    const error = await provider().query('q').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryError);
    expect((error as QueryError).message).toMatch(/^Datadog answered HTTP 400: \{"errors": \["Error parsing query/);
    expect((error as QueryError).retriable).toBe(false);
  });

  it('cuts a long error body to its first 200 characters', async () => {
    server.reply = () => ({ status: 503, body: 'x'.repeat(5000) });
    const error = await provider().query('q').catch((e: unknown) => e);
    expect((error as QueryError).message).toBe(`Datadog answered HTTP 503: ${'x'.repeat(200)}…`);
    expect((error as QueryError).retriable).toBe(true);
  });

  it('refuses an answer with several series instead of choosing one', async () => {
    const two = JSON.parse(fixture('datadog', 'value.json')) as { series: unknown[] };
    two.series.push(two.series[0]);
    server.reply = () => ({ body: JSON.stringify(two) });
    await expect(provider().query('q')).rejects.toBeInstanceOf(MetricConfigError);
  });

  it('gives up after the deadline', async () => {
    server.reply = () => ({ delayMs: 'never' });
    await expect(provider({ timeoutMs: 200 }).query('q')).rejects.toThrow(/GET http:\/\/127\.0\.0\.1:\d+\/api\/v1\/query timed out after 200 ms/);
  });
});

describe('a datadog MetricTemplate in the analysis', () => {
  const secret = aSecret('datadog', 'istio-system', { datadog_api_key: 'k1', datadog_application_key: 'k2' });

  it('runs Flagger\'s documented example unchanged and records the rendered query, value and verdict', async () => {
    const template = withAddress(flaggerExample('datadog'), server.url);
    const check = await runTemplateCheck({ template, secret, thresholdRange: { max: 5 }, http, now, canaryNamespace: 'test' });
    expect(check).toMatchObject({ verdict: 'Pass', value: 0.5 });
    expect(check.query).toContain('destination_workload_namespace:test');
    expect(check.query).toContain('destination_workload:podinfo');
    const sent = new URL(server.requests[0]?.url ?? '', server.url).searchParams.get('query');
    expect(sent).toBe(check.query);
  });

  it('fails the check on a value above the threshold, and on no data', async () => {
    const template = withAddress(flaggerExample('datadog'), server.url);
    expect(await runTemplateCheck({ template, secret, thresholdRange: { max: 0.1 }, http, now })).toMatchObject({ verdict: 'Fail', value: 0.5 });
    server.reply = answer('null-points.json');
    const noData = await runTemplateCheck({ template, secret, thresholdRange: { max: 5 }, http, now });
    expect(noData).toMatchObject({ verdict: 'Fail', value: null });
    expect(noData.message).toMatch(/no values found/);
  });

  it('with onNoData: skip, no data skips the check; it still never passes', async () => {
    const template = withAddress(flaggerExample('datadog'), server.url);
    server.reply = answer('empty.json');
    expect(await runTemplateCheck({ template, secret, thresholdRange: { max: 5 }, http, now, onNoData: 'skip' })).toMatchObject({ verdict: 'Skip', value: null });
  });

  it('names the missing key and the Secret', async () => {
    const template = withAddress(flaggerExample('datadog'), server.url);
    const partial = aSecret('datadog', 'istio-system', { datadog_api_key: 'k1' });
    const check = await runTemplateCheck({ template, secret: partial, thresholdRange: { max: 5 }, http, now });
    expect(check.message).toContain('Secret istio-system/datadog has no key datadog_application_key');
    expect(server.requests).toEqual([]);
  });
});
