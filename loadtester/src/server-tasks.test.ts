import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LoadReport } from './hey/report.js';
import { startCountingServer, type CountingServer } from '../test/support/counting-server.js';
import { FakeProcessRunner } from '../test/support/fake-process-runner.js';
import { harnessPool, rolloutPayload, idle } from '../test/support/harness.js';

let target: CountingServer;
const pool = harnessPool();
const harness = pool.start;
const payload = rolloutPayload;

beforeEach(async () => {
  target = await startCountingServer();
});

afterEach(async () => {
  await pool.closeAll();
  await target.close();
});

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("Flagger's e2e webhook payloads, unchanged but for the target address", () => {
  it.each([
    ['the Istio canary load test', (url: string) => ({ type: 'cmd', cmd: `hey -z 1s -q 10 -c 2 ${url}/`, logCmdOutput: 'true' })],
    ['the A/B test with a cookie', (url: string) => ({ cmd: `hey -z 1s -q 10 -c 2 -H 'Cookie: type=insider' ${url}/` })],
    ['the A/B test with a header', (url: string) => ({ type: 'cmd', cmd: `hey -z 1s -q 10 -c 2 -H 'X-Canary: insider' ${url}/` })],
    ['the NGINX load test through the ingress host', (url: string) => ({ type: 'cmd', cmd: `hey -z 1s -q 10 -c 2 -host app.example.com ${url}` })],
  ])('%s answers 202 at once and sends about q × c × z requests in the background', async (_name, metadata) => {
    const h = await harness();
    const answer = await h.post('/', payload(metadata(target.url)));
    expect(answer).toEqual({ status: 202, body: 'task accepted' });
    expect(target.requests).toBeLessThan(10);
    await idle(h);
    // 10 req/s × 2 workers × 1 s = 20
    expect(target.requests).toBeGreaterThanOrEqual(17);
    expect(target.requests).toBeLessThanOrEqual(20);
  });

  it('sends the cookie, header and host the commands ask for', async () => {
    const h = await harness();
    await h.post('/', payload({ cmd: `hey -n 1 -c 1 -H 'Cookie: type=insider' -host app.example.com ${target.url}/` }));
    await idle(h);
    expect(target.last?.headers).toMatchObject({ cookie: 'type=insider', host: 'app.example.com' });
  });

  it('runs the bash acceptance test and the gRPC probe when the shell is enabled for them', async () => {
    const processes = new FakeProcessRunner((spec) => ({ output: spec.file === 'bash' ? '{"token":"abc"}' : 'status: SERVING' }));
    const h = await harness({ shell: { enabled: true, allow: new Set(['bash', 'grpc_health_probe']) } }, { processes });
    const acceptance = await h.post('/', payload({ type: 'bash', cmd: "curl -sd 'test' http://podinfo-canary:9898/token | grep token" }));
    expect(acceptance.status).toBe(200);
    const probe = await h.post('/', payload({ type: 'bash', cmd: 'grpc_health_probe -connect-timeout=1s -addr=podinfo-canary:9999', returnCmdOutput: 'true' }));
    expect(probe).toEqual({ status: 200, body: 'status: SERVING' });
    expect(processes.runs.map((run) => [run.file, ...run.args])).toEqual([
      ['bash', '-c', "curl -sd 'test' http://podinfo-canary:9898/token | grep token"],
      ['grpc_health_probe', '-connect-timeout=1s', '-addr=podinfo-canary:9999'],
    ]);
  });
});

describe('background load tests', () => {
  it('runs the same command for the same canary once at a time', async () => {
    const h = await harness();
    const body = payload({ cmd: `hey -z 1s -q 10 -c 1 ${target.url}/` });
    expect((await h.post('/', body)).body).toBe('task accepted');
    expect(await h.post('/', body)).toEqual({ status: 202, body: 'task already running' });
    await idle(h);
    // One run's worth (10 req/s × 1 worker × 1 s), not two.
    expect(target.requests).toBeGreaterThanOrEqual(8);
    expect(target.requests).toBeLessThanOrEqual(10);
    expect((await h.post('/', body)).body).toBe('task accepted');
  });

  it('answers 429 naming --max-tasks when the task limit is reached, counting background and blocking tasks together', async () => {
    const h = await harness({ maxTasks: 2 });
    expect((await h.post('/', payload({ cmd: `hey -z 3s -q 2 -c 1 ${target.url}/a` }))).status).toBe(202);
    const blocking = h.post('/', payload({ type: 'hey', cmd: `hey -z 2s -q 2 -c 1 ${target.url}/b` }));
    await until(() => h.loadTester.runner.size === 2, 2000);
    const refused = await h.post('/', payload({ cmd: `hey -z 1s -q 1 -c 1 ${target.url}/c` }));
    expect(refused).toEqual({ status: 429, body: '2 tasks are running, the most this load tester runs at once (--max-tasks); retry later' });
    expect((await h.post('/', payload({ type: 'hey', cmd: `hey -n 1 -c 1 ${target.url}/d` }))).status).toBe(429);
    expect((await blocking).status).toBe(200);
  });
});

describe('synchronous load tests with thresholds', () => {
  it('answers 200 with the report when the thresholds hold', async () => {
    const h = await harness();
    const answer = await h.post('/', payload({ type: 'hey', cmd: `hey -n 40 -c 4 ${target.url}/`, maxErrorRatio: '0.01', maxLatencyP99: '2s', minRequests: '40' }));
    expect(answer.status).toBe(200);
    const report = JSON.parse(answer.body) as LoadReport;
    expect(report).toMatchObject({ requests: 40, statusCodes: { '200': 40 }, errors: 0, errorRatio: 0, passed: true });
    expect(report.thresholds.map((t) => [t.name, t.passed])).toEqual([['maxErrorRatio', true], ['maxLatencyP99', true], ['minRequests', true]]);
    expect(report.latencySeconds.p99).toBeGreaterThan(0);
    expect(target.requests).toBe(40);
  });

  it('fails the webhook with 422 when the error ratio crosses its threshold (hey itself never fails on 500s)', async () => {
    const h = await harness();
    let n = 0;
    target.answer = () => ({ status: n++ % 4 === 0 ? 500 : 200 });
    const answer = await h.post('/', payload({ type: 'hey', cmd: `hey -n 40 -c 1 ${target.url}/`, maxErrorRatio: '0.1' }));
    expect(answer.status).toBe(422);
    const report = JSON.parse(answer.body) as LoadReport;
    expect(report).toMatchObject({ requests: 40, statusCodes: { '200': 30, '500': 10 }, errors: 10, errorRatio: 0.25, passed: false });
    expect(report.thresholds).toEqual([{ name: 'maxErrorRatio', limit: 0.1, actual: 0.25, passed: false }]);
  });

  it('fails on latency percentiles, and counts 4xx only when asked to', async () => {
    const h = await harness();
    target.answer = () => ({ status: 404, delayMs: 30 });
    const slow = await h.post('/', payload({ type: 'hey', cmd: `hey -n 4 -c 2 ${target.url}/`, maxLatencyP50: '5ms', maxErrorRatio: '0' }));
    expect(slow.status).toBe(422);
    expect((JSON.parse(slow.body) as LoadReport).thresholds.map((t) => [t.name, t.passed])).toEqual([['maxErrorRatio', true], ['maxLatencyP50', false]]);
    const strict = await h.post('/', payload({ type: 'hey', cmd: `hey -n 4 -c 2 ${target.url}/`, maxErrorRatio: '0', countClientErrors: 'true' }));
    expect(JSON.parse(strict.body)).toMatchObject({ errors: 4, passed: false });
  });

  it('exports the requests and their latency as Prometheus metrics by canary and code', async () => {
    const h = await harness();
    await h.post('/', payload({ type: 'hey', cmd: `hey -n 12 -c 3 ${target.url}/` }));
    const metrics = (await h.get('/metrics')).body;
    expect(metrics).toContain('songbird_loadtester_requests_total{canary="podinfo.test",code="200"} 12');
    expect(metrics).toContain('songbird_loadtester_request_duration_seconds_count{canary="podinfo.test"} 12');
    expect(metrics).toContain('songbird_loadtester_tasks_total{type="hey",result="succeeded"} 1');
  });

  it('stops the load test when the webhook caller hangs up', async () => {
    const h = await harness();
    const controller = new AbortController();
    const call = fetch(`${h.url}/`, { method: 'POST', body: JSON.stringify(payload({ type: 'hey', cmd: `hey -z 5m -q 50 -c 1 ${target.url}/` })), signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 300));
    controller.abort();
    await expect(call).rejects.toThrow();
    await idle(h, 5000);
    const seen = target.requests;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(target.requests).toBe(seen);
  });
});

describe('refused tasks', () => {
  it.each([
    [{}, 400, 'metadata not found in payload'],
    [{ type: 'cmd' }, 400, 'cmd not found in metadata'],
    [{ type: 'teleport', cmd: 'x' }, 400, 'unknown task type teleport'],
    [{ type: 'concord', cmd: 'x' }, 400, 'task type concord is not supported'],
    [{ cmd: 'hey -z 1m -o csv http://127.0.0.1:1/' }, 400, '-o csv is not supported'],
    [{ cmd: 'hey -z 1m -bogus http://127.0.0.1:1/' }, 400, 'unknown flag -bogus'],
    [{ type: 'hey', cmd: 'hey -n 1 -c 1 http://127.0.0.1:1/', maxErrorRatio: 'lots' }, 400, 'maxErrorRatio "lots"'],
    [{ cmd: 'hey -D /etc/passwd http://127.0.0.1:1/' }, 400, '-D (request body from a file) needs'],
    [{ type: 'bash', cmd: 'curl http://podinfo-canary:9898/' }, 403, 'shell tasks are disabled'],
    [{ cmd: 'curl http://podinfo-canary:9898/' }, 403, 'shell tasks are disabled'],
    [{ type: 'kubectl', cmd: 'get pods' }, 403, 'shell tasks are disabled'],
    [{ cmd: 'hey -z 1m -c 101 http://127.0.0.1:1/' }, 400, '-c 101 is over this load tester\'s limit of 100 connections per load test (--max-connections)'],
    [{ type: 'hey', cmd: 'hey -z 1m -q 20 -c 51 http://127.0.0.1:1/' }, 400, '-q 20 × -c 51 = 1020 requests/s is over this load tester\'s limit of 1000 requests/s per load test (--max-rate)'],
    [{ cmd: 'hey -z 11m -q 1 -c 1 http://127.0.0.1:1/' }, 400, '-z 660s is over this load tester\'s limit of 600s per load test (--max-duration)'],
    [{ cmd: 'hey -n 600001 -c 1 http://127.0.0.1:1/' }, 400, '-n 600001 is over this load tester\'s limit of 600000 requests per load test (--max-requests)'],
    [{ cmd: 'hey -n 99999999999999999999999 -c 1 http://127.0.0.1:1/' }, 400, '(--max-requests)'],
    [{ cmd: 'hey -z 99999999999h -c 1 http://127.0.0.1:1/' }, 400, '(--max-duration)'],
  ])('refuses %j with %d', async (metadata, status, reason) => {
    const h = await harness();
    const answer = await h.post('/', payload(metadata));
    expect(answer.status).toBe(status);
    expect(answer.body).toContain(reason);
  });

  it('refuses programs outside the allow-list and reports failing commands with their output', async () => {
    const processes = new FakeProcessRunner((spec) => (spec.args.includes('fail') ? { exitCode: 1, output: 'boom' } : {}));
    const h = await harness({ shell: { enabled: true, allow: new Set(['curl']) } }, { processes });
    expect(await h.post('/', payload({ type: 'bash', cmd: 'wget http://x/' }))).toMatchObject({ status: 403, body: expect.stringContaining('"wget" is not allowed') as unknown });
    expect(await h.post('/', payload({ type: 'bash', cmd: 'curl fail' }))).toEqual({ status: 500, body: 'command failed: exit code 1\nboom' });
    expect((await h.post('/', payload({ type: 'bash', cmd: 'curl ok' }))).status).toBe(200);
  });
});
