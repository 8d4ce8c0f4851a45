import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../ports/clock.js';
import { startCountingServer, type CountingServer } from '../../test/support/counting-server.js';
import { runLoad, type LoadResult } from './engine.js';
import { parseHeyCommand } from './plan.js';
import { undiciTargetFactory } from './undici-target.js';

let target: CountingServer;

beforeEach(async () => {
  target = await startCountingServer();
});

afterEach(async () => {
  await target.close();
});

function load(command: string, signal?: AbortSignal, defaultProxy?: URL): Promise<LoadResult> {
  const parsed = parseHeyCommand(command);
  if (!parsed.ok) throw new Error(parsed.error);
  return runLoad(parsed.plan, { clock: systemClock(), createTarget: undiciTargetFactory(defaultProxy === undefined ? {} : { defaultProxy }) }, signal);
}

describe('the load tester proxy (--proxy)', () => {
  it('sends a command without -x through it, in absolute form, and lets -x win over it', async () => {
    const result = await load('hey -n 3 -c 1 http://podinfo.test:9898/x', undefined, new URL(target.url));
    expect(result.stats.statusCounts[200]).toBe(3);
    expect(target.requests).toBe(3);
    expect(target.last?.path).toBe('http://podinfo.test:9898/x');
    const other = await startCountingServer();
    try {
      await load(`hey -n 2 -c 1 -x ${other.url} http://podinfo.test:9898/y`, undefined, new URL(target.url));
      expect(other.requests).toBe(2);
      expect(target.requests).toBe(3);
    } finally {
      await other.close();
    }
  });
});

describe('the built-in generator against a local server', () => {
  it('sends exactly -n requests with -c of them in flight at once', async () => {
    target.answer = () => ({ status: 200, delayMs: 20 });
    const result = await load(`hey -n 200 -c 10 ${target.url}/`);
    expect(result.stats.requests).toBe(200);
    expect(result.stats.statusCounts[200]).toBe(200);
    expect(target.requests).toBe(200);
    // Each worker waits 20 ms per answer, so all ten are busy together; never more than ten.
    expect(target.maxInFlight).toBe(10);
    // Keep-alive: one connection per worker at most.
    expect(target.connections).toBeLessThanOrEqual(10);
  });

  it('holds the asked rate: -z 2s -q 20 -c 2 is about 80 requests spread over the two seconds', async () => {
    const result = await load(`hey -z 2s -q 20 -c 2 ${target.url}/`);
    // 2 workers × 20 req/s × 2 s = 80; the tolerance covers a loaded machine.
    expect(target.requests).toBeGreaterThanOrEqual(72);
    expect(target.requests).toBeLessThanOrEqual(80);
    expect(result.stats.requests).toBe(target.requests);
    const spanMs = (target.arrivals.at(-1) ?? 0) - (target.arrivals[0] ?? 0);
    expect(spanMs).toBeGreaterThan(1700);
    expect(spanMs).toBeLessThan(2100);
    // Evenly spread: no second-half burst (each half of the run gets about half the requests).
    const middle = (target.arrivals[0] ?? 0) + 1000;
    const firstHalf = target.arrivals.filter((t) => t < middle).length;
    expect(firstHalf).toBeGreaterThanOrEqual(32);
    expect(firstHalf).toBeLessThanOrEqual(48);
  });

  it("sends hey's method, body and headers", async () => {
    await load(`hey -n 1 -c 1 -m POST -d '{"a":1}' -T application/json -H 'X-Canary: insider' -host app.example.com ${target.url}/echo?x=1`);
    expect(target.last).toMatchObject({ method: 'POST', path: '/echo?x=1', body: '{"a":1}' });
    expect(target.last?.headers).toMatchObject({
      'content-type': 'application/json',
      'x-canary': 'insider',
      host: 'app.example.com',
      'user-agent': 'hey/0.0.1',
      'accept-encoding': 'gzip',
    });
  });

  it('follows redirects like hey, and stops at the redirect with -disable-redirects', async () => {
    target.answer = (path) => (path === '/old' ? { status: 302, headers: { location: '/new' } } : { status: 200 });
    const followed = await load(`hey -n 3 -c 1 ${target.url}/old`);
    expect(followed.stats.statusCounts[200]).toBe(3);
    expect(target.requests).toBe(6);
    const stopped = await load(`hey -n 3 -c 1 -disable-redirects ${target.url}/old`);
    expect(stopped.stats.statusCounts[302]).toBe(3);
    expect(target.requests).toBe(9);
  });

  it('follows a redirect to another origin', async () => {
    const other = await startCountingServer();
    try {
      target.answer = () => ({ status: 307, headers: { location: `${other.url}/moved` } });
      const result = await load(`hey -n 4 -c 2 -m POST -d x ${target.url}/`);
      expect(result.stats.statusCounts[200]).toBe(4);
      expect(other.requests).toBe(4);
      // 307 keeps the method and body, as Go's client does.
      expect(other.last).toMatchObject({ method: 'POST', path: '/moved', body: 'x' });
    } finally {
      await other.close();
    }
  });

  it('opens a connection per request with -disable-keepalive', async () => {
    await load(`hey -n 12 -c 2 -disable-keepalive ${target.url}/`);
    expect(target.requests).toBe(12);
    expect(target.connections).toBe(12);
  });

  it('records server errors by status code', async () => {
    target.answer = () => ({ status: 503 });
    const result = await load(`hey -n 5 -c 1 ${target.url}/`);
    expect(result.stats.statusCounts[503]).toBe(5);
  });

  it('cuts requests at -t and counts them as timeouts', async () => {
    target.answer = () => ({ status: 200, delayMs: 'never' });
    const started = Date.now();
    const result = await load(`hey -n 2 -c 2 -t 1 ${target.url}/`);
    expect(result.stats.transportErrors.get('ETIMEDOUT')).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('counts refused connections as transport errors instead of failing', async () => {
    const url = target.url;
    await target.close();
    const result = await load(`hey -n 4 -c 2 ${url}/`);
    expect(result.stats.requests).toBe(4);
    expect(result.stats.transportErrors.get('ECONNREFUSED')).toBe(4);
    target = await startCountingServer();
  });

  it('stops when aborted, with the requests in flight cancelled', async () => {
    target.answer = () => ({ status: 200, delayMs: 'never' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const result = await load(`hey -z 1h -c 3 ${target.url}/`, controller.signal);
    expect(result.aborted).toBe(true);
    expect(result.stats.transportErrors.get('ABORTED')).toBe(3);
  });
});
