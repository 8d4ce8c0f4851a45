import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { aSecret, fixture, flaggerExample, runTemplateCheck, withAddress } from '../../test/support/hosted-metrics.js';
import { startRecordingServer, type RecordingServer } from '../../test/support/recording-server.js';
import { MetricConfigError, NoDataError, QueryError } from './errors.js';
import { createAxiosHttpClient, type DisposableHttpClient } from './http-client.js';
import { SplunkProvider, parseServerSentEvents, type SplunkOptions } from './splunk.js';

const now = 1_700_000_000_000;
let server: RecordingServer;
let http: DisposableHttpClient;

const stream = (file: string, status = 200) => (): { status: number; body: string; headers: Record<string, string> } =>
  ({ status, body: fixture('splunk', file), headers: { 'content-type': 'text/event-stream' } });

beforeEach(async () => {
  server = await startRecordingServer(stream('value.sse'));
  http = createAxiosHttpClient();
});

afterEach(async () => {
  http.destroy();
  await server.close();
});

const provider = (options: Partial<SplunkOptions> = {}): SplunkProvider =>
  new SplunkProvider({ address: server.url, token: 'sf-token', intervalMs: 60_000, now: () => now, ...options }, http);

describe('SplunkProvider: the request it sends', () => {
  it('POSTs the program as text/plain to /v2/signalflow/execute with ten intervals in ms, immediate, and X-SF-Token', async () => {
    await provider().query("data('traces.count').sum().publish()");
    const [request] = server.requests;
    const url = new URL(request?.url ?? '', server.url);
    expect(request?.method).toBe('POST');
    expect(url.pathname).toBe('/v2/signalflow/execute');
    expect(Object.fromEntries(url.searchParams)).toEqual({ start: '1699999400000', stop: '1700000000000', immediate: 'true' });
    expect(request?.headers['x-sf-token']).toBe('sf-token');
    expect(request?.headers['content-type']).toBe('text/plain');
    expect(request?.raw).toBe("data('traces.count').sum().publish()");
  });

  it('derives the stream address from the API address as Flagger does', () => {
    const p = new SplunkProvider({ address: 'https://api.us1.signalfx.com', token: 't', intervalMs: 60_000, now: () => now }, http);
    expect(p.executeUrl(now)).toBe('https://stream.us1.signalfx.com/v2/signalflow/execute?start=1699999400000&stop=1700000000000&immediate=true');
  });

  it('requires an address, as Flagger', () => {
    expect(() => provider({ address: '' })).toThrow(/spec\.provider\.address is required for provider type splunk/);
  });

  it('probes GET /v2/metric?limit=1 with the token', async () => {
    server.reply = () => ({ body: '{"count":1,"results":[]}' });
    expect(await provider().isOnline()).toEqual({ online: true });
    expect(server.requests[0]?.url).toBe('/v2/metric?limit=1');
    expect(server.requests[0]?.headers['x-sf-token']).toBe('sf-token');
  });
});

describe('SplunkProvider: recorded SignalFlow streams', () => {
  it('returns the newest value of the one published series', async () => {
    expect(await provider().query('p')).toBe(98.125);
  });

  it.each([
    ['null datapoints', 'null-values.sse'],
    ['a program that published nothing', 'no-data.sse'],
  ])('answers no data for %s, never a value', async (_title, file) => {
    server.reply = stream(file);
    await expect(provider().query('p')).rejects.toBeInstanceOf(NoDataError);
  });

  it('refuses two published series instead of choosing one', async () => {
    server.reply = stream('two-series.sse');
    await expect(provider().query('p')).rejects.toBeInstanceOf(MetricConfigError);
  });

  it('reports an error event with its message', async () => {
    server.reply = stream('error.sse');
    await expect(provider().query('p')).rejects.toThrow(/Splunk SignalFlow reported an error: .*Unknown function or variable 'dta'/s);
  });

  it('reports an HTTP error with its status and body', async () => {
    server.reply = () => ({ status: 401, body: '{"message":"Unauthorized"}' });
    const error = await provider().query('p').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryError);
    expect((error as Error).message).toBe('Splunk SignalFlow answered HTTP 401: {"message":"Unauthorized"}');
  });
});

describe('parseServerSentEvents', () => {
  it('joins data lines, names events, ignores comments and accepts CRLF', () => {
    expect(parseServerSentEvents(': hi\r\nevent: data\r\ndata: {\r\ndata: "a":1}\r\n\r\ndata:x\n\n')).toEqual([
      { event: 'data', data: '{\n"a":1}' }, { event: 'message', data: 'x' },
    ]);
  });
});

describe('a splunk MetricTemplate in the analysis', () => {
  const secret = aSecret('splunk', 'istio-system', { sf_token_key: 'sf-token' });

  it('runs Flagger\'s documented example unchanged and records the rendered program, value and verdict', async () => {
    const template = withAddress(flaggerExample('splunk'), server.url);
    const check = await runTemplateCheck({ template, secret, thresholdRange: { min: 95 }, http, now });
    expect(check).toMatchObject({ verdict: 'Pass', value: 98.125 });
    expect(check.query).toContain("filter('sf_service', 'podinfo')");
    expect(server.requests[0]?.raw).toBe(check.query);
  });

  it('fails the check below the threshold and when the series has no values', async () => {
    const template = withAddress(flaggerExample('splunk'), server.url);
    expect(await runTemplateCheck({ template, secret, thresholdRange: { min: 99 }, http, now })).toMatchObject({ verdict: 'Fail', value: 98.125 });
    server.reply = stream('null-values.sse');
    expect(await runTemplateCheck({ template, secret, thresholdRange: { min: 95 }, http, now })).toMatchObject({ verdict: 'Fail', value: null });
  });

  it('names the missing key and the Secret', async () => {
    const template = withAddress(flaggerExample('splunk'), server.url);
    const check = await runTemplateCheck({ template, secret: aSecret('splunk', 'istio-system', { token: 'x' }), thresholdRange: {}, http, now });
    expect(check.message).toContain('Secret istio-system/splunk has no key sf_token_key');
  });
});
