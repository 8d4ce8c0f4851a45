import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GrpcReport } from './ghz/ghz-report.js';
import { startGrpcTestServer, testProtoDir, testProtoset, type GrpcTestServer } from '../test/support/grpc-test-server.js';
import { harnessPool, rolloutPayload, idle } from '../test/support/harness.js';

let grpc: GrpcTestServer;
const pool = harnessPool();
const harness = pool.start;
const payload = rolloutPayload;

beforeEach(async () => {
  grpc = await startGrpcTestServer();
});

afterEach(async () => {
  await pool.closeAll();
  await grpc.close();
});

function report(body: string): GrpcReport {
  return JSON.parse(body) as GrpcReport;
}

describe("Flagger's documented ghz webhooks, unchanged but for the target address and duration", () => {
  it.each([
    ['the load tester docs, without --call', (address: string) => `ghz -z 1s -q 10 -c 2 --insecure ${address}`],
    ['the gRPC health check with --call', (address: string) => `ghz -z 1s -q 10 -c 2 --insecure --call grpc.health.v1.Health/Check ${address}`],
  ])('%s answers 202 at once and calls the health check about q × c × z times in the background', async (_name, command) => {
    const h = await harness();
    const answer = await h.post('/', payload({ type: 'cmd', cmd: command(grpc.address) }));
    expect(answer).toEqual({ status: 202, body: 'task accepted' });
    expect(grpc.calls).toBeLessThan(5);
    await idle(h);
    // -q is per worker (ghz up to 0.64, like hey): 10 calls/s × 2 workers × 1 s = 20.
    expect(grpc.calls).toBeGreaterThanOrEqual(17);
    expect(grpc.calls).toBeLessThanOrEqual(20);
  });

  it("runs the no-reflection example with the image's health.proto path, ghz's defaults of -n 200 -c 50", async () => {
    const h = await harness();
    const command = `ghz --insecure --proto=/tmp/ghz/health.proto --call=grpc.health.v1.Health/Check ${grpc.address}`;
    expect(await h.post('/', payload({ type: 'cmd', cmd: command }))).toEqual({ status: 202, body: 'task accepted' });
    await idle(h);
    expect(grpc.calls).toBe(200);
  });
});

describe('synchronous gRPC load tests with thresholds', () => {
  it('answers 200 with the report when a SERVING server passes every threshold', async () => {
    const h = await harness();
    const command = `ghz -n 40 -c 4 --insecure --call grpc.health.v1.Health/Check ${grpc.address}`;
    const answer = await h.post('/', payload({ type: 'ghz', cmd: command, maxErrorRatio: '0', maxLatencyP99: '2s', minRequests: '40' }));
    expect(answer.status).toBe(200);
    const result = report(answer.body);
    expect(result).toMatchObject({ requests: 40, statusCodes: { OK: 40 }, errors: 0, errorRatio: 0, errorMessages: {}, passed: true });
    expect(result.thresholds.map((t) => [t.name, t.passed])).toEqual([['maxErrorRatio', true], ['maxLatencyP99', true], ['minRequests', true]]);
    expect(result.latencySeconds.p99).toBeGreaterThan(0);
    expect(grpc.calls).toBe(40);
  });

  it('counts UNAVAILABLE answers as errors and fails the webhook with 422 past maxErrorRatio', async () => {
    const h = await harness();
    grpc.answer = (n) => (n % 4 === 0 ? { code: status.UNAVAILABLE } : {});
    const command = `ghz -n 40 -c 1 --insecure --call grpc.health.v1.Health/Check ${grpc.address}`;
    const answer = await h.post('/', payload({ type: 'ghz', cmd: command, maxErrorRatio: '0.1' }));
    expect(answer.status).toBe(422);
    expect(report(answer.body)).toMatchObject({
      requests: 40,
      statusCodes: { OK: 30, UNAVAILABLE: 10 },
      errorMessages: { 'UNAVAILABLE: the test server answers 14': 10 },
      errors: 10,
      errorRatio: 0.25,
      thresholds: [{ name: 'maxErrorRatio', limit: 0.1, actual: 0.25, passed: false }],
      passed: false,
    });
  });

  it('counts calls past the -t deadline as DEADLINE_EXCEEDED and fails a latency threshold', async () => {
    const h = await harness();
    grpc.answer = () => ({ delayMs: 400 });
    const command = `ghz -n 4 -c 2 -t 100ms --insecure --call grpc.health.v1.Health/Check ${grpc.address}`;
    const answer = await h.post('/', payload({ type: 'ghz', cmd: command, maxLatencyP50: '50ms' }));
    expect(answer.status).toBe(422);
    const result = report(answer.body);
    expect(result).toMatchObject({ requests: 4, statusCodes: { DEADLINE_EXCEEDED: 4 }, errors: 4 });
    expect(result.thresholds.map((t) => [t.name, t.passed])).toEqual([['maxLatencyP50', false]]);
  });

  it('counts every call to a server that is not there as UNAVAILABLE', async () => {
    const h = await harness();
    const address = grpc.address;
    await grpc.close();
    const answer = await h.post('/', payload({ type: 'ghz', cmd: `ghz -n 6 -c 2 --insecure ${address}`, maxErrorRatio: '0.5' }));
    expect(answer.status).toBe(422);
    expect(report(answer.body)).toMatchObject({ requests: 6, statusCodes: { UNAVAILABLE: 6 }, errorRatio: 1 });
  });

  it('calls a method from --proto with -d data and -m metadata over --connections connections', async () => {
    const h = await harness({ protoDir: testProtoDir });
    const command = `ghz --insecure --proto echo.proto -i common --call songbird.test.v1.Echo/Say -d '{"text":"hi","repeatCount":2}' -m '{"X-Canary":"insider"}' -n 20 -c 4 --connections 2 ${grpc.address}`;
    const answer = await h.post('/', payload({ type: 'ghz', cmd: command, maxErrorRatio: '0' }));
    expect(answer.body).toContain('"passed":true');
    expect(answer.status).toBe(200);
    expect(report(answer.body)).toMatchObject({ requests: 20, statusCodes: { OK: 20 } });
    expect(grpc.lastRequest).toEqual({ text: 'hi', repeat_count: 2 });
    expect(grpc.lastMetadata).toMatchObject({ 'x-canary': 'insider' });
    expect(grpc.peers.size).toBe(2);
  });

  it('calls a method described by a compiled --protoset', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'protoset-'));
    try {
      await writeFile(join(dir, 'test.protoset'), testProtoset());
      const h = await harness({ protoDir: dir });
      const command = `ghz --insecure --protoset test.protoset --call songbird.test.v1.Echo.Say -d '{"text":"from a protoset"}' -n 5 -c 1 ${grpc.address}`;
      const answer = await h.post('/', payload({ type: 'ghz', cmd: command }));
      expect(answer.status).toBe(200);
      expect(report(answer.body)).toMatchObject({ requests: 5, statusCodes: { OK: 5 } });
      expect(grpc.lastRequest).toEqual({ text: 'from a protoset' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('speaks TLS without --insecure, verifying the certificate unless --skipTLS says not to', async () => {
    const secure = await startGrpcTestServer({ tls: true });
    try {
      const h = await harness();
      const verified = await h.post('/', payload({ type: 'ghz', cmd: `ghz -n 3 -c 1 ${secure.address}` }));
      expect(report(verified.body)).toMatchObject({ requests: 3, statusCodes: { UNAVAILABLE: 3 } });
      expect(secure.calls).toBe(0);
      const skipped = await h.post('/', payload({ type: 'ghz', cmd: `ghz -n 3 -c 1 --skipTLS ${secure.address}` }));
      expect(report(skipped.body)).toMatchObject({ requests: 3, statusCodes: { OK: 3 } });
      expect(secure.calls).toBe(3);
    } finally {
      await secure.close();
    }
  });

  it('stops the gRPC load test when the webhook caller hangs up', async () => {
    const h = await harness();
    const controller = new AbortController();
    const body = JSON.stringify(payload({ type: 'ghz', cmd: `ghz -z 5m -q 50 -c 1 --insecure ${grpc.address}` }));
    const call = fetch(`${h.url}/`, { method: 'POST', body, signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 300));
    controller.abort();
    await expect(call).rejects.toThrow();
    await idle(h, 5000);
    const seen = grpc.calls;
    expect(seen).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(grpc.calls).toBe(seen);
  });

  it('runs the same background command for the same canary once at a time', async () => {
    const h = await harness();
    const body = payload({ cmd: `ghz -z 1s -q 10 -c 1 --insecure ${grpc.address}` });
    expect((await h.post('/', body)).body).toBe('task accepted');
    expect(await h.post('/', body)).toEqual({ status: 202, body: 'task already running' });
    await idle(h);
    expect(grpc.calls).toBeLessThanOrEqual(10);
  });

  it('exports the calls by canary and gRPC status name as Prometheus metrics', async () => {
    const h = await harness();
    grpc.answer = (n) => (n < 2 ? { code: status.UNAVAILABLE } : {});
    await h.post('/', payload({ type: 'ghz', cmd: `ghz -n 12 -c 3 --insecure ${grpc.address}` }));
    const metrics = (await h.get('/metrics')).body;
    expect(metrics).toContain('songbird_loadtester_requests_total{canary="podinfo.test",code="OK"} 10');
    expect(metrics).toContain('songbird_loadtester_requests_total{canary="podinfo.test",code="UNAVAILABLE"} 2');
    expect(metrics).toContain('songbird_loadtester_tasks_total{type="ghz",result="succeeded"} 1');
  });
});

describe('refused ghz tasks', () => {
  it.each([
    [{ type: 'ghz', cmd: 'ghz --insecure --cacert ca.pem 127.0.0.1:1' }, 'flag --cacert is not supported'],
    [{ type: 'ghz', cmd: 'ghz --insecure --bogus 127.0.0.1:1' }, 'unknown flag --bogus'],
    [{ cmd: 'ghz -z 1m --insecure --load-schedule step 127.0.0.1:1' }, 'flag --load-schedule is not supported'],
    [{ type: 'ghz', cmd: 'ghz --insecure' }, 'missing host'],
    [{ type: 'ghz', cmd: 'ghz --insecure -n 10 -c 1 127.0.0.1:1', countClientErrors: 'true' }, 'countClientErrors applies to hey tasks'],
    [{ type: 'ghz', cmd: 'ghz --insecure --call songbird.test.v1.Echo/Say 127.0.0.1:1' }, 'needs --proto or --protoset: server reflection is not supported'],
    [{ type: 'ghz', cmd: 'ghz --insecure --proto echo.proto --call songbird.test.v1.Echo/Say 127.0.0.1:1' }, '--proto needs the load tester to be started with --proto-dir'],
    [{ type: 'ghz', cmd: 'ghz -z 1m -c 101 --insecure 127.0.0.1:1' }, "-c 101 is over this load tester's limit of 100 concurrent calls per load test (--max-connections)"],
    [{ type: 'ghz', cmd: 'ghz -z 1m --rps 2000 --insecure 127.0.0.1:1' }, "2000 calls/s (--rps, or -q × -c) is over this load tester's limit of 1000 requests/s per load test (--max-rate)"],
    [{ type: 'ghz', cmd: 'hey -n 1 http://127.0.0.1:1/' }, 'the command does not start with ghz'],
    [{ type: 'ghz', cmd: 'ghz --insecure --call grpc.health.v1.Health/constructor 127.0.0.1:1' }, 'method constructor is not defined in service grpc.health.v1.Health'],
    [{ type: 'ghz', cmd: 'ghz --insecure --call grpc.health.v1.Health/Watch 127.0.0.1:1' }, 'grpc.health.v1.Health/Watch is a streaming method'],
  ])('refuses %j with 400 naming the problem', async (metadata, reason) => {
    const h = await harness();
    const answer = await h.post('/', payload(metadata));
    expect(answer.status).toBe(400);
    expect(answer.body).toContain(reason);
  });

  it.each([
    ['--proto ../secrets.proto', "--proto ../secrets.proto is outside the --proto-dir folder"],
    ['--proto echo.proto --call songbird.test.v1.Echo/Listen', 'songbird.test.v1.Echo/Listen is a streaming method'],
    ['--proto echo.proto --call songbird.test.v1.Echo/Shout', 'method Shout is not defined in service songbird.test.v1.Echo'],
    ["--proto echo.proto -d '{\"txt\":\"hi\"}'", 'the request message has no field "txt"'],
    ['--proto missing.proto', 'cannot load --proto missing.proto'],
    ['--proto echo.proto', 'cannot load --proto echo.proto'],
  ])('refuses a proto problem (%s) with 400', async (flags, reason) => {
    const h = await harness({ protoDir: testProtoDir });
    const call = flags.includes('--call') ? '' : '--call songbird.test.v1.Echo/Say ';
    const imports = flags === '--proto echo.proto' ? '' : '-i common ';
    const answer = await h.post('/', payload({ type: 'ghz', cmd: `ghz --insecure ${imports}${call}${flags} 127.0.0.1:1` }));
    expect(answer.status).toBe(400);
    expect(answer.body).toContain(reason);
  });
});
