import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CanaryMetric } from '../api/canary-analysis.js';
import type { Canary } from '../api/canary.js';
import { latestMetricValues } from './evaluate.js';
import { createAxiosHttpClient, type DisposableHttpClient, type HttpClient } from './http-client.js';
import { ProviderCache } from './provider-cache.js';
import { runMetricChecks } from './run-analysis.js';
import { httpBuiltins } from '../routers/http-builtins.js';

/** How the loopback Prometheus answers one query. */
interface Answer {
  readonly status?: number;
  readonly contentType?: string;
  readonly body: string;
  /** Answer only after this many ms (past the client's deadline). */
  readonly delayMs?: number;
}

const html = (title: string): string => `<!DOCTYPE html><html><head><title>${title}</title></head><body><h1>${title}</h1></body></html>`;
const vector = (value: string): string => JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [1, value] }] } });

// The client's deadline in this test; the operator's is 5 s (prometheusTimeoutMs), the path is the same.
const deadlineMs = 300;

/** The real HTTP client with a shorter deadline, so that "slow" takes a fraction of a second here. */
function withDeadline(http: HttpClient): HttpClient {
  return {
    get: (url, options) => http.get(url, { ...options, timeoutMs: Math.min(options.timeoutMs, deadlineMs) }),
    post: (url, body, options) => http.post(url, body, { ...options, timeoutMs: Math.min(options.timeoutMs, deadlineMs) }),
  };
}

function aCanary(metricsServer: string, metric: CanaryMetric): Canary {
  return {
    metadata: { name: 'podinfo', namespace: 'test' },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
      metricsServer,
      analysis: { interval: '1m', threshold: 5, stepWeight: 10, metrics: [metric] },
    },
  };
}

describe('metric checks against a Prometheus that misbehaves (real loopback HTTP)', () => {
  let server: Server;
  let address = '';
  let closedAddress = '';
  let http: DisposableHttpClient;
  let answer: Answer = { body: vector('100') };

  beforeAll(async () => {
    server = createServer((_req, res) => {
      const { status = 200, contentType = 'application/json', body, delayMs = 0 } = answer;
      setTimeout(() => res.writeHead(status, { 'content-type': contentType }).end(body), delayMs);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    address = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // A port that refuses connections: listened on once, then closed.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    closedAddress = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    http = createAxiosHttpClient();
  });

  afterAll(async () => {
    http.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  async function check(metric: CanaryMetric, server = address): Promise<{ verdict: string; message: string; value: number | null }> {
    const checks = await runMetricChecks({
      canary: aCanary(server, metric), provider: 'kubernetes', builtins: httpBuiltins, metricsServer: server, templates: () => undefined, secrets: () => undefined,
      providers: new ProviderCache(), http: withDeadline(http), now: () => Date.parse('2026-01-01T00:00:00Z'),
    });
    expect(checks).toHaveLength(1);
    // What status.lastMetricValues shows for it.
    expect(latestMetricValues(undefined, checks, [metric])[metric.name]?.message).toBe(checks[0]?.message);
    const { verdict = '', message = '', value = null } = checks[0] ?? {};
    return { verdict, message, value };
  }

  const successRate: CanaryMetric = { name: 'request-success-rate', thresholdRange: { min: 99 }, interval: '1m' };

  it('passes a good answer (the control case)', async () => {
    answer = { body: vector('99.9') };
    expect(await check(successRate)).toMatchObject({ verdict: 'Pass', value: 99.9 });
  });

  it.each<[string, Answer, RegExp]>([
    ['down (connection refused)', { body: '' }, /GET http:\/\/127\.0\.0\.1:\d+\/api\/v1\/query failed: .*ECONNREFUSED/],
    ['slow (answers after the deadline)', { body: vector('100'), delayMs: deadlineMs + 500 }, /timed out after 300 ms$/],
    ['a body that is not JSON', { body: 'upstream connect error or disconnect/reset before headers', contentType: 'text/plain' },
      /answered something other than a query result: upstream connect error/],
    ['truncated JSON', { body: vector('100').slice(0, 40) }, /answered something other than a query result/],
    ['an empty body', { body: '' }, /answered something other than a query result/],
    ['JSON of the wrong shape', { body: '{"hello":"world"}' }, /answered something other than a query result: \{"hello":"world"\}/],
    ['a vector of the wrong shape', { body: '{"status":"success","data":{"resultType":"vector","result":{"value":1}}}' }, /answered a malformed vector/],
    ['a sample of the wrong shape', { body: '{"status":"success","data":{"resultType":"vector","result":[{"value":[1]}]}}' }, /answered a malformed vector/],
    ['a value that is not a number', { body: vector('ninety-nine') }, /a value that is not a number: "ninety-nine"/],
    ['NaN', { body: vector('NaN') }, /no values found for metric request-success-rate, .*\(query returned NaN\)/],
    ['+Inf', { body: vector('+Inf') }, /no values found for metric request-success-rate, .*\(query returned \+Inf\)/],
    ['an empty result', { body: JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] } }) },
      /no values found for metric request-success-rate, .*\(query returned no series\)/],
    ['HTTP 500 with an HTML body', { status: 500, contentType: 'text/html', body: html('500 Internal Server Error') },
      /Prometheus answered HTTP 500: <!DOCTYPE html><html><head><title>500 Internal Server Error/],
    ['HTTP 503 with an HTML body', { status: 503, contentType: 'text/html', body: html('503 Service Unavailable') },
      /Prometheus answered HTTP 503: <!DOCTYPE html>.*503 Service Unavailable/],
    ['an error status with HTTP 200', { body: '{"status":"error","errorType":"timeout","error":"query timed out in expression evaluation"}' },
      /Prometheus query failed: timeout: query timed out in expression evaluation/],
  ])('fails the check, with the reason, when Prometheus is %s', async (name, reply, reason) => {
    answer = reply;
    const result = await check(successRate, name.startsWith('down') ? closedAddress : address);
    expect(result.verdict).toBe('Fail');
    expect(result.value).toBeNull();
    expect(result.message).toMatch(reason);
  });

  it.each<[string, string, Answer]>([
    ['NaN', 'Skip', { body: vector('NaN') }],
    ['an empty result', 'Skip', { body: JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] } }) }],
    ['HTTP 503 with an HTML body', 'Fail', { status: 503, contentType: 'text/html', body: html('503 Service Unavailable') }],
    ['slow', 'Fail', { body: vector('100'), delayMs: deadlineMs + 500 }],
    ['JSON of the wrong shape', 'Fail', { body: '[]' }],
  ])('with onNoData: skip, skips only no data: %s → %s', async (_name, verdict, reply) => {
    answer = reply;
    expect((await check({ ...successRate, onNoData: 'skip' })).verdict).toBe(verdict);
  });
});
