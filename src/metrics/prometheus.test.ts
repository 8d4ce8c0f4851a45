import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Secret } from '../kube/resources.js';
import { MetricConfigError, NoDataError, QueryError } from './errors.js';
import { createAxiosHttpClient, type DisposableHttpClient } from './http-client.js';
import { PrometheusProvider, secretCredentials, type PrometheusOptions } from './prometheus.js';

interface SeenRequest {
  path: string;
  query: string | null;
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
}

interface Reply {
  status?: number;
  body: string;
  /** Never answer (to test the deadline). */
  hang?: boolean;
}

/** A loopback stand-in for Prometheus that records every request and answers with `reply()`. */
class FakePrometheus {
  readonly seen: SeenRequest[] = [];
  reply: () => Reply = () => ({ body: vector('1') });
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      this.seen.push({ path: url.pathname, query: url.searchParams.get('query'), headers: req.headers, rawHeaders: req.rawHeaders });
      const reply = this.reply();
      if (reply.hang === true) return;
      res.writeHead(reply.status ?? 200, { 'content-type': 'application/json' }).end(reply.body);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

function vector(...values: string[]): string {
  const result = values.map((v, i) => ({ metric: { pod: `p${i}` }, value: [1714404069.294, v] }));
  return JSON.stringify({ status: 'success', data: { resultType: 'vector', result } });
}

const matrix = JSON.stringify({
  status: 'success',
  data: { resultType: 'matrix', result: [{ metric: {}, values: [[1714404069.294, 'NaN'], [1714404071.3, 'NaN']] }] },
});

let prom: FakePrometheus;
let http: DisposableHttpClient;

beforeEach(async () => {
  prom = new FakePrometheus();
  await prom.start();
  http = createAxiosHttpClient();
});

afterEach(async () => {
  http.destroy();
  await prom.stop();
});

const provider = (options: Partial<PrometheusOptions> = {}): PrometheusProvider =>
  new PrometheusProvider({ address: prom.url, ...options }, http);

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
  }
  throw new Error('expected a rejection');
}

describe('PrometheusProvider.query', () => {
  it('returns the single sample of an instant vector, sending the collapsed query to /api/v1/query', async () => {
    prom.reply = () => ({ body: vector('99.5') });
    expect(await provider().query('\n\tsum(\n\t\trate(x[1m])\n\t)\n')).toBe(99.5);
    expect(prom.seen).toMatchObject([{ path: '/api/v1/query', query: 'sum( rate(x[1m]) )' }]);
  });

  it.each([
    ['/prometheus', '/prometheus/api/v1/query'],
    ['/prometheus/', '/prometheus/api/v1/query'],
    ['/', '/api/v1/query'],
    ['?ignored=1', '/api/v1/query'],
  ])('joins the query path to the address path %s', async (suffix, path) => {
    await provider({ address: `${prom.url}${suffix}` }).query('vector(1)');
    expect(prom.seen[0]?.path).toBe(path);
  });

  it('reads a scalar answer', async () => {
    prom.reply = () => ({ body: JSON.stringify({ status: 'success', data: { resultType: 'scalar', result: [1, '42'] } }) });
    expect(await provider().query('scalar(x)')).toBe(42);
  });

  it.each([
    ['an empty result', vector(), 'no values found: query returned no series'],
    ['NaN', vector('NaN'), 'no values found: query returned NaN'],
    ['+Inf', vector('+Inf'), 'no values found: query returned +Inf'],
    ['-Inf', vector('-Inf'), 'no values found: query returned -Inf'],
  ])('answers %s with NoDataError', async (_name, body, message) => {
    prom.reply = () => ({ body });
    const error = await rejection(provider().query('x'));
    expect(error).toBeInstanceOf(NoDataError);
    expect(error.message).toBe(message);
  });

  it('refuses more than one series instead of taking the last (Flagger does)', async () => {
    prom.reply = () => ({ body: vector('1', '2', '3') });
    const error = await rejection(provider().query('x'));
    expect(error).toBeInstanceOf(QueryError);
    expect(error.message).toBe('query returned 3 series; a metric query must return exactly one (aggregate it, e.g. with sum())');
  });

  it('refuses a range vector', async () => {
    prom.reply = () => ({ body: matrix });
    const error = await rejection(provider().query('x[1m]'));
    expect(error).toBeInstanceOf(QueryError);
    expect(error.message).toContain('query returned a range vector (matrix)');
  });

  it('reports an HTTP error with its status and the first 200 characters of the body', async () => {
    const body = `${'e'.repeat(200)}TAIL`;
    prom.reply = () => ({ status: 500, body });
    const error = await rejection(provider().query('x'));
    expect(error).toBeInstanceOf(QueryError);
    expect(error.message).toBe(`Prometheus answered HTTP 500: ${'e'.repeat(200)}`);
    expect((error as QueryError).retriable).toBe(true);
  });

  it('reports a rejected query (HTTP 400) as not retriable', async () => {
    prom.reply = () => ({ status: 400, body: '{"status":"error","errorType":"bad_data","error":"parse error at char 4"}' });
    const error = await rejection(provider().query('sum('));
    expect(error.message).toBe('Prometheus answered HTTP 400: {"status":"error","errorType":"bad_data","error":"parse error at char 4"}');
    expect((error as QueryError).retriable).toBe(false);
  });

  it.each([
    ['a body that is not JSON', '<html>proxy error</html>', 'Prometheus answered something other than a query result: <html>proxy error</html>'],
    ['an error status with HTTP 200', '{"status":"error","errorType":"timeout","error":"query timed out"}', 'Prometheus query failed: timeout: query timed out'],
    ['a value that is not a number', vector('abc'), 'Prometheus answered a value that is not a number: "abc"'],
    ['a string result', '{"status":"success","data":{"resultType":"string","result":[1,"x"]}}', 'query returned a string; a metric query must return an instant vector with one series'],
  ])('reports %s', async (_name, body, message) => {
    prom.reply = () => ({ body });
    expect((await rejection(provider().query('x'))).message).toBe(message);
  });

  it('gives up after its deadline', async () => {
    prom.reply = () => ({ body: '', hang: true });
    const error = await rejection(provider({ timeoutMs: 200 }).query('x'));
    expect(error.message).toBe(`GET ${prom.url}/api/v1/query timed out after 200 ms`);
  });

  it('reports a connection failure', async () => {
    const address = prom.url;
    await prom.stop();
    const error = await rejection(new PrometheusProvider({ address }, http).query('x'));
    expect(error.message).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/api\/v1\/query failed: .*ECONNREFUSED/);
    prom = new FakePrometheus();
    await prom.start();
  });
});

describe('PrometheusProvider authentication and headers', () => {
  it('sends basic auth from username and password', async () => {
    await provider({ credentials: { username: 'admin', password: 's3cret' } }).query('x');
    expect(prom.seen[0]?.headers.authorization).toBe(`Basic ${Buffer.from('admin:s3cret').toString('base64')}`);
  });

  it('sends a bearer token, preferring it over username and password', async () => {
    await provider({ credentials: { token: 'bearer_token', username: 'admin', password: 'x' } }).query('x');
    expect(prom.seen[0]?.headers.authorization).toBe('Bearer bearer_token');
  });

  it('sends no Authorization header without credentials', async () => {
    await provider().query('x');
    expect(prom.seen[0]?.headers.authorization).toBeUndefined();
  });

  it.each([
    [{ username: 'admin' }, 'prometheus credentials contain a username but no password'],
    [{ password: 's3cret' }, 'prometheus credentials contain a password but no username'],
    [{ other: 'x' }, 'prometheus credentials contain neither a token nor a username and password'],
  ])('refuses incomplete credentials %j', (credentials, message) => {
    expect(() => provider({ credentials })).toThrow(new MetricConfigError(message));
  });

  it.each(['', 'not a url', 'ftp://prometheus:21'])('refuses the address %j', (address) => {
    expect(() => provider({ address })).toThrow(MetricConfigError);
  });

  it('sends the template headers on every call without mutating them or accumulating Authorization (Flagger quirk §12.9)', async () => {
    const headers = Object.freeze({ 'X-Scope-OrgID': Object.freeze(['tenant1']), Accept: Object.freeze(['application/json', 'text/plain']) });
    const p = provider({ headers, credentials: { token: 't0k3n' } });
    for (let i = 0; i < 3; i += 1) await p.query('x');
    expect(headers).toEqual({ 'X-Scope-OrgID': ['tenant1'], Accept: ['application/json', 'text/plain'] });
    for (const seen of prom.seen) {
      const names = seen.rawHeaders.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
      expect(names.filter((n) => n === 'authorization')).toHaveLength(1);
      expect(names.filter((n) => n === 'x-scope-orgid')).toHaveLength(1);
      expect(seen.headers).toMatchObject({ 'x-scope-orgid': 'tenant1', accept: 'application/json, text/plain', authorization: 'Bearer t0k3n' });
    }
  });

  it('lets the Secret credentials replace an Authorization header from the template', async () => {
    await provider({ headers: { authorization: ['Bearer stale'] }, credentials: { token: 'fresh' } }).query('x');
    expect(prom.seen[0]?.headers.authorization).toBe('Bearer fresh');
  });

  it('keeps a template Authorization header when there is no Secret', async () => {
    await provider({ headers: { Authorization: ['Bearer from-template'] } }).query('x');
    expect(prom.seen[0]?.headers.authorization).toBe('Bearer from-template');
  });
});

describe('PrometheusProvider.isOnline', () => {
  it('is online when vector(1) answers 1', async () => {
    expect(await provider().isOnline()).toEqual({ online: true });
    expect(prom.seen[0]?.query).toBe('vector(1)');
  });

  it('is offline, with the reason, on an error status', async () => {
    prom.reply = () => ({ status: 502, body: 'bad gateway' });
    expect(await provider().isOnline()).toEqual({ online: false, reason: 'Prometheus answered HTTP 502: bad gateway' });
  });

  it('is offline when vector(1) does not answer 1', async () => {
    prom.reply = () => ({ body: vector('0') });
    expect(await provider().isOnline()).toEqual({ online: false, reason: 'value is 0, not 1, for query vector(1)' });
  });
});

describe('secretCredentials', () => {
  it('decodes the base64 data of a Secret', () => {
    const secret: Secret = {
      metadata: { name: 'prom', namespace: 'test' },
      data: { username: Buffer.from('admin').toString('base64'), password: Buffer.from('pä55').toString('base64') },
    };
    expect(secretCredentials(secret)).toEqual({ username: 'admin', password: 'pä55' });
  });
});
