import { describe, expect, it } from 'vitest';
import { aSecret, eachTestHostedService, fixture, flaggerExample, runTemplateCheck, withAddress } from '../../test/support/hosted-metrics.js';
import type { RecordingServer } from '../../test/support/recording-server.js';
import { DynatraceProvider, type DynatraceOptions } from './dynatrace.js';
import { MetricConfigError, NoDataError, QueryError } from './errors.js';
import type { DisposableHttpClient } from './http-client.js';

// 750 ms past a whole second: Flagger's window ends at the whole second.
const now = 1_700_000_000_750;
let server: RecordingServer;
let http: DisposableHttpClient;

eachTestHostedService('dynatrace', 'value.json', (s, h) => {
  server = s;
  http = h;
});

const provider = (options: Partial<DynatraceOptions> = {}): DynatraceProvider =>
  new DynatraceProvider({ address: server.url, token: 'dt0c01.TOKEN', intervalMs: 60_000, now: () => now, ...options }, http);

const answer = (file: string, status = 200) => (): { status: number; body: string } => ({ status, body: fixture('dynatrace', file) });

describe('DynatraceProvider: the request it sends', () => {
  it('GETs /api/v2/metrics/query with the selector, resolution Inf, ten intervals in ms and an Api-Token', async () => {
    await provider().query('builtin:service.response.time:percentile(95)\n');
    const [request] = server.requests;
    const url = new URL(request?.url ?? '', server.url);
    expect(request?.method).toBe('GET');
    expect(url.pathname).toBe('/api/v2/metrics/query');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      metricSelector: 'builtin:service.response.time:percentile(95)', resolution: 'Inf', from: '1699999400000', to: '1700000000000',
    });
    expect(request?.headers.authorization).toBe('Api-Token dt0c01.TOKEN');
  });

  it('requires an address, as Flagger (there is no default environment)', () => {
    expect(() => provider({ address: '' })).toThrow(/spec\.provider\.address is required for provider type dynatrace/);
    expect(() => provider({ address: '' })).toThrow(MetricConfigError);
  });

  it('probes /api/v2/metrics?pageSize=1', async () => {
    server.reply = () => ({ body: '{"totalCount":1,"metrics":[]}' });
    expect(await provider().isOnline()).toEqual({ online: true });
    expect(server.requests[0]?.url).toBe('/api/v2/metrics?pageSize=1');
  });
});

describe('DynatraceProvider: recorded answers of the Metrics API v2', () => {
  it('returns the folded value of the one series', async () => {
    expect(await provider().query('q')).toBe(183.4);
  });

  it.each([
    ['a null value', 'null-value.json'],
    ['no series', 'no-series.json'],
  ])('answers no data for %s, never a value', async (_title, file) => {
    server.reply = answer(file);
    await expect(provider().query('q')).rejects.toBeInstanceOf(NoDataError);
  });

  it('reports a refused selector with its status and body', async () => {
    server.reply = answer('error-400.json', 400);
    await expect(provider().query('q')).rejects.toThrow(/^Dynatrace answered HTTP 400: \{"error": \{"code": 400/);
    await expect(provider().query('q')).rejects.toBeInstanceOf(QueryError);
  });
});

describe('a dynatrace MetricTemplate in the analysis', () => {
  const secret = aSecret('dynatrace', 'istio-system', { dynatrace_token: 'dt0c01.TOKEN' });

  it('runs Flagger\'s documented example unchanged and passes under the threshold', async () => {
    const template = withAddress(flaggerExample('dynatrace'), server.url);
    const check = await runTemplateCheck({ template, secret, thresholdRange: { max: 1000 }, http, now });
    expect(check).toMatchObject({ verdict: 'Pass', value: 183.4 });
    expect(check.query).toContain('builtin:service.response.time:filter(eq(dt.entity.service,SERVICE-ABCDEFG0123456789)):percentile(95)');
  });

  it('fails the check above the threshold and on a null value', async () => {
    const template = withAddress(flaggerExample('dynatrace'), server.url);
    expect(await runTemplateCheck({ template, secret, thresholdRange: { max: 100 }, http, now })).toMatchObject({ verdict: 'Fail', value: 183.4 });
    server.reply = answer('null-value.json');
    expect(await runTemplateCheck({ template, secret, thresholdRange: { max: 1000 }, http, now })).toMatchObject({ verdict: 'Fail', value: null });
  });

  it('names the missing key and the Secret', async () => {
    const template = withAddress(flaggerExample('dynatrace'), server.url);
    const check = await runTemplateCheck({ template, secret: aSecret('dynatrace', 'istio-system', {}), thresholdRange: {}, http, now });
    expect(check.message).toContain('Secret istio-system/dynatrace has no key dynatrace_token');
  });
});
