import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startRecordingServer, type RecordingServer } from '../../test/support/recording-server.js';
import { NoDataError, QueryError } from './errors.js';
import { ExternalMetricsProvider, externalMetricValue, parseExternalMetricQuery } from './externalmetrics.js';
import { createAxiosHttpClient, type DisposableHttpClient } from './http-client.js';

const valueList = (...values: string[]): object => ({
  kind: 'ExternalMetricValueList', apiVersion: 'external.metrics.k8s.io/v1beta1', metadata: {},
  items: values.map((value) => ({ metricName: 'job-success-rate', metricLabels: { env: 'production' }, timestamp: '2026-01-01T10:00:00Z', value })),
});

describe('parseExternalMetricQuery', () => {
  it.each([
    ['webapp-frontend/job-success-rate?labelSelector=env%3Dproduction', { namespace: 'webapp-frontend', metric: 'job-success-rate', labelSelector: 'env=production' }],
    ['queue-depth', { namespace: 'default', metric: 'queue-depth', labelSelector: '' }],
    ['/queue-depth?labelSelector=app%20in%20(a%2Cb)', { namespace: 'default', metric: 'queue-depth', labelSelector: 'app in (a,b)' }],
  ])('reads %s as Flagger does', (query, parsed) => {
    expect(parseExternalMetricQuery(query)).toEqual(parsed);
  });

  it.each([
    ['a/b/c', 'malformed external metrics query, too many slashes'],
    ['test/', 'external metrics query names no metric'],
    ['', 'external metrics query names no metric'],
  ])('refuses %j', (query, message) => {
    expect(() => parseExternalMetricQuery(query)).toThrow(message);
  });
});

describe('externalMetricValue', () => {
  it('is the first item, as a quantity', () => {
    expect(externalMetricValue(valueList('950m', '2'))).toBe(0.95);
  });

  it('is no data without items, never a value', () => {
    expect(() => externalMetricValue(valueList())).toThrow(new NoDataError('no external metrics found'));
    expect(() => externalMetricValue({ kind: 'ExternalMetricValueList', items: null })).toThrow(NoDataError);
  });

  it('is an error for an answer that is not a value list', () => {
    expect(() => externalMetricValue({ kind: 'Status', message: 'nope' })).toThrow(QueryError);
    expect(() => externalMetricValue(valueList('lots'))).toThrow('external metrics API answered a value that is not a quantity: "lots"');
  });
});

describe('ExternalMetricsProvider with an address (contract)', () => {
  let server: RecordingServer;
  let http: DisposableHttpClient;
  beforeEach(async () => {
    server = await startRecordingServer(() => ({ status: 200, body: JSON.stringify(valueList('99')) }));
    http = createAxiosHttpClient();
  });
  afterEach(async () => {
    http.destroy();
    await server.close();
  });

  it('GETs /apis/external.metrics.k8s.io/v1beta1/namespaces/<ns>/<metric>?labelSelector=… with the Secret token as bearer', async () => {
    const provider = new ExternalMetricsProvider({ kind: 'address', address: `${server.url}/`, token: 'your-access-token', http });
    expect(await provider.query('webapp-frontend/job-success-rate?labelSelector=env%3Dproduction')).toBe(99);
    const [request] = server.requests;
    const url = new URL(request?.url ?? '', server.url);
    expect(request?.method).toBe('GET');
    expect(url.pathname).toBe('/apis/external.metrics.k8s.io/v1beta1/namespaces/webapp-frontend/job-success-rate');
    expect(url.searchParams.get('labelSelector')).toBe('env=production');
    expect(request?.headers.authorization).toBe('Bearer your-access-token');
  });

  it('sends no Authorization header without a token, and no labelSelector without a selector', async () => {
    await new ExternalMetricsProvider({ kind: 'address', address: server.url, http }).query('queue-depth');
    expect(server.requests[0]?.headers.authorization).toBeUndefined();
    expect(server.requests[0]?.url).toBe('/apis/external.metrics.k8s.io/v1beta1/namespaces/default/queue-depth');
  });

  it('reports an HTTP error with its status and the start of the body', async () => {
    const body = `{"kind":"Status","message":"the server could not find the metric job-success-rate"}${' '.repeat(500)}`;
    server.reply = () => ({ status: 404, body });
    const error = await new ExternalMetricsProvider({ kind: 'address', address: server.url, http }).query('x').catch((e: unknown) => e);
    expect(error).toEqual(new QueryError(`external metrics API answered HTTP 404: ${body.slice(0, 200)}…`, false));
  });
});
