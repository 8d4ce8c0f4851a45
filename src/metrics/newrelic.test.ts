import { describe, expect, it } from 'vitest';
import { aSecret, eachTestHostedService, fixture, flaggerExample, runTemplateCheck, withAddress } from '../../test/support/hosted-metrics.js';
import type { RecordingServer } from '../../test/support/recording-server.js';
import { MetricConfigError, NoDataError, QueryError } from './errors.js';
import type { DisposableHttpClient } from './http-client.js';
import { NewRelicProvider, newRelicDefaultAddress, type NewRelicOptions } from './newrelic.js';

const now = 1_700_000_000_000;
let server: RecordingServer;
let http: DisposableHttpClient;

eachTestHostedService('newrelic', 'result.json', (s, h) => {
  server = s;
  http = h;
});

const provider = (options: Partial<NewRelicOptions> = {}): NewRelicProvider =>
  new NewRelicProvider({ address: server.url, accountId: '1234567', queryKey: 'NRIQ-key', intervalMs: 60_000, ...options }, http);

const answer = (file: string, status = 200) => (): { status: number; body: string } => ({ status, body: fixture('newrelic', file) });

describe('NewRelicProvider: the request it sends', () => {
  it('GETs /v1/accounts/<account>/query with the NRQL plus SINCE one interval in seconds and the X-Query-Key header', async () => {
    await provider({ intervalMs: 120_000 }).query('SELECT count(*) FROM Transaction\n');
    const [request] = server.requests;
    const url = new URL(request?.url ?? '', server.url);
    expect(request?.method).toBe('GET');
    expect(url.pathname).toBe('/v1/accounts/1234567/query');
    expect(Object.fromEntries(url.searchParams)).toEqual({ nrql: 'SELECT count(*) FROM Transaction SINCE 120 seconds ago' });
    expect(request?.headers['x-query-key']).toBe('NRIQ-key');
  });

  it('defaults to Flagger\'s address https://insights-api.newrelic.com', () => {
    const p = new NewRelicProvider({ accountId: '42', queryKey: 'k', intervalMs: 60_000 }, http);
    expect(p.queryUrl('SELECT 1')).toBe(`${newRelicDefaultAddress}/v1/accounts/42/query?nrql=SELECT+1+SINCE+60+seconds+ago`);
  });

  it('refuses an account id that is not a number, since it becomes part of the path', () => {
    expect(() => provider({ accountId: '../admin' })).toThrow(MetricConfigError);
  });
});

describe('NewRelicProvider: recorded answers of the Insights query API', () => {
  it('returns results[0].result of an expression', async () => {
    expect(await provider().query('q')).toBe(2.5);
  });

  it('returns the value of a single function result, keyed by the function', async () => {
    server.reply = answer('count.json');
    expect(await provider().query('q')).toBe(1108);
  });

  it('answers no data for a null result, and for no results', async () => {
    server.reply = answer('null-result.json');
    await expect(provider().query('q')).rejects.toBeInstanceOf(NoDataError);
    server.reply = () => ({ body: '{"results":[]}' });
    await expect(provider().query('q')).rejects.toBeInstanceOf(NoDataError);
  });

  it('reports a refused query with its status and body', async () => {
    server.reply = answer('error-400.json', 400);
    await expect(provider().query('q')).rejects.toThrow(/^New Relic answered HTTP 400: \{"error": "NRQL Syntax Error/);
    await expect(provider().query('q')).rejects.toBeInstanceOf(QueryError);
  });
});

describe('a newrelic MetricTemplate in the analysis', () => {
  const secret = aSecret('newrelic', 'ingress-nginx', { newrelic_account_id: '1234567', newrelic_query_key: 'NRIQ-key' });

  it('runs Flagger\'s documented example unchanged: passes under the threshold, records query and value', async () => {
    const template = withAddress(flaggerExample('newrelic'), server.url);
    const check = await runTemplateCheck({ template, secret, thresholdRange: { max: 5 }, http, now, canaryNamespace: 'test' });
    expect(check).toMatchObject({ verdict: 'Pass', value: 2.5 });
    expect(check.query).toContain("AND ingress = 'podinfo' AND namespace = 'test'");
    const nrql = new URL(server.requests[0]?.url ?? '', server.url).searchParams.get('nrql');
    expect(nrql).toBe(`${check.query?.trimEnd() ?? ''} SINCE 60 seconds ago`);
  });

  it('fails the check above the threshold and on a null result', async () => {
    const template = withAddress(flaggerExample('newrelic'), server.url);
    expect(await runTemplateCheck({ template, secret, thresholdRange: { max: 1 }, http, now })).toMatchObject({ verdict: 'Fail', value: 2.5 });
    server.reply = answer('null-result.json');
    expect(await runTemplateCheck({ template, secret, thresholdRange: { max: 5 }, http, now })).toMatchObject({ verdict: 'Fail', value: null });
  });

  it('names the missing key and the Secret', async () => {
    const template = withAddress(flaggerExample('newrelic'), server.url);
    const check = await runTemplateCheck({ template, secret: aSecret('newrelic', 'ingress-nginx', { newrelic_query_key: 'k' }), thresholdRange: {}, http, now });
    expect(check.message).toContain('Secret ingress-nginx/newrelic has no key newrelic_account_id');
  });
});
