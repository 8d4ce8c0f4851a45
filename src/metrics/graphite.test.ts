import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startRecordingServer, type RecordingServer } from '../../test/support/recording-server.js';
import { MetricConfigError, NoDataError, QueryError } from './errors.js';
import { GraphiteProvider, lastDatapoint } from './graphite.js';
import { createAxiosHttpClient, type DisposableHttpClient } from './http-client.js';

const series = (target: string, datapoints: unknown[][]): object => ({ target, datapoints });

describe('GraphiteProvider requests (contract)', () => {
  let server: RecordingServer;
  let http: DisposableHttpClient;
  beforeEach(async () => {
    server = await startRecordingServer(() => ({ status: 200, body: JSON.stringify([series('a', [[12.5, 1700000000]])]) }));
    http = createAxiosHttpClient();
  });
  afterEach(async () => {
    http.destroy();
    await server.close();
  });

  it('GETs <address>/render with the query as written plus format=json, parameters sorted, and basic auth from the Secret', async () => {
    const provider = new GraphiteProvider({ address: `${server.url}/graphite/`, basicAuth: { username: 'admin', password: 's3cret' } }, http);
    const value = await provider.query("target=summarize(\n  sumSeries(app.{{x}}.count),\n  '1min', 'avg')&from=-5min");
    expect(value).toBe(12.5);
    const [request] = server.requests;
    const url = new URL(request?.url ?? '', server.url);
    expect(request?.method).toBe('GET');
    expect(url.pathname).toBe('/graphite/render');
    expect([...url.searchParams.keys()]).toEqual(['format', 'from', 'target']);
    expect(url.searchParams.get('target')).toBe("summarize( sumSeries(app.{{x}}.count), '1min', 'avg')");
    expect(url.searchParams.get('from')).toBe('-5min');
    expect(url.searchParams.get('format')).toBe('json');
    expect(request?.headers.authorization).toBe(`Basic ${Buffer.from('admin:s3cret').toString('base64')}`);
  });

  it('sends no Authorization header without a Secret, and the template headers', async () => {
    const provider = new GraphiteProvider({ address: server.url, headers: { 'X-Scope-OrgID': ['team-a'] } }, http);
    await provider.query('target=a');
    expect(server.requests[0]?.headers.authorization).toBeUndefined();
    expect(server.requests[0]?.headers['x-scope-orgid']).toBe('team-a');
  });

  it('reports an HTTP error with its status and the start of the body', async () => {
    server.reply = () => ({ status: 401, body: `Unauthorized${'!'.repeat(1000)}` });
    const provider = new GraphiteProvider({ address: server.url }, http);
    const error = await provider.query('target=a').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryError);
    expect((error as QueryError).message).toMatch(/^graphite answered HTTP 401: Unauthorized!+…$/);
    expect((error as QueryError).message.length).toBeLessThan(260);
    expect((error as QueryError).retriable).toBe(false);
  });

  it('is online when the render API answers, even with no data', async () => {
    server.reply = () => ({ status: 200, body: '[]' });
    expect(await new GraphiteProvider({ address: server.url }, http).isOnline()).toEqual({ online: true });
    server.reply = () => ({ status: 500, body: 'down' });
    expect(await new GraphiteProvider({ address: server.url }, http).isOnline()).toEqual({ online: false, reason: 'graphite answered HTTP 500: down' });
  });
});

describe('GraphiteProvider configuration', () => {
  const http = createAxiosHttpClient();
  afterEach(() => http.destroy());

  it.each([
    [{ address: '' }, 'graphite address "" is not a valid URL (provider.address)'],
    [{ address: 'graphite:80' }, 'graphite address "graphite:80" must be an http or https URL (provider.address)'],
  ])('refuses %j, naming the field', (options, message) => {
    expect(() => new GraphiteProvider(options, http)).toThrow(new MetricConfigError(message));
  });
});

describe('lastDatapoint', () => {
  it('is the last non-null datapoint of all series, in order', () => {
    const body = JSON.stringify([series('a', [[1, 60], [2.5, 70], [null, 80]]), series('b', [[null, 60], [null, 70]])]);
    expect(lastDatapoint(body)).toBe(2.5);
    expect(lastDatapoint(JSON.stringify([series('a', [[1, 60]]), series('b', [['7.25', 60]])]))).toBe(7.25);
  });

  it.each([
    ['no series', '[]', 'no values found: graphite returned no series'],
    ['only null datapoints', JSON.stringify([series('a', [[null, 60]])]), 'no values found: graphite returned only null datapoints'],
    ['a series without datapoints', JSON.stringify([series('a', [])]), 'no values found: graphite returned only null datapoints'],
    ['NaN', JSON.stringify([series('a', [['NaN', 60]])]), 'no values found: graphite returned NaN'],
    ['+Inf', JSON.stringify([series('a', [['Infinity', 60]])]), 'no values found: graphite returned +Inf'],
    ['-Inf', JSON.stringify([series('a', [[1, 50], ['-Infinity', 60]])]), 'no values found: graphite returned -Inf'],
  ])('is no data, never a value, for %s', (_title, body, message) => {
    expect(() => lastDatapoint(body)).toThrow(new NoDataError(message.replace('no values found: ', '')));
  });

  it.each([
    ['HTML', '<html>error</html>'],
    ['an object', '{"error":"bad target"}'],
    ['a word for a value', JSON.stringify([series('a', [['high', 60]])])],
  ])('is an error for %s', (_title, body) => {
    expect(() => lastDatapoint(body)).toThrow(QueryError);
  });
});
