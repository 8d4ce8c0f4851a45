/**
 * Fuzzes a real load tester over loopback with {@link malformedRequest}s, several at a time, and checks that
 * it never answers 5xx, answers every refusal with a message, never lets an unauthenticated request through
 * a guarded endpoint, never runs more tasks than its limit, and is healthy and working afterwards. Seeded:
 * a failure names the seed and the request's index, and `fc.sample` with that seed replays it.
 */
import fc from 'fast-check';
import { startCountingServer } from './counting-server.js';
import { startHarness, type Harness } from './harness.js';
import { malformedRequest, type MalformedRequest } from './malformed-requests.js';
import { requestBytes, sendRaw, type RawAnswer } from './raw-http.js';

/** How hard to fuzz. */
export interface FuzzOptions {
  requests: number;
  /** Requests in flight at once. */
  concurrency: number;
  seed: number;
}

/** What a run saw. */
export interface FuzzReport {
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  statuses: Record<string, number>;
  maxTasks: number;
  mostTasksSeen: number;
  heapGrowthMiB: number;
}

const token = 'fuzz-token-0123456789';
const limits = { maxTasks: 4, maxBodyBytes: 64 * 1024, maxGates: 50 };
const openPaths = new Set(['/healthz', '/metrics']);

function pathname(path: string): string {
  try {
    return new URL(path, 'http://loadtester').pathname;
  } catch {
    return path;
  }
}

/** Why an answer breaks the contract, or `undefined` when it keeps it. */
export function violation(request: MalformedRequest, answer: RawAnswer): string | undefined {
  if (answer === 'timeout') return 'no answer within the time limit';
  // A client that hangs up mid-body gets no answer; any other request must get one.
  if (answer === 'none') return request.framing === 'over-declared' ? undefined : 'connection closed without an answer';
  return statusViolation(request, answer);
}

function statusViolation(request: MalformedRequest, answer: { status: number; body: string }): string | undefined {
  if (answer.status >= 500) return `answered ${answer.status}: ${answer.body.slice(0, 200)}`;
  if (answer.status >= 400 && request.method !== 'HEAD' && answer.body.trim() === '') return `answered ${answer.status} without a message`;
  const through = answer.status < 300 && !request.authenticated && !openPaths.has(pathname(request.path));
  return through ? `answered ${answer.status} to an unauthenticated request on a guarded path` : undefined;
}

async function settle(h: Harness, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (h.loadTester.runner.size > 0) {
    if (Date.now() > deadline) throw new Error(`${h.loadTester.runner.size} tasks still running ${timeoutMs} ms after the fuzzing`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Checks that the server still answers and still works: health, and an authenticated gate round trip. */
async function checkWorking(h: Harness): Promise<void> {
  const auth = { authorization: `Bearer ${token}` };
  const health = await h.get('/healthz');
  if (health.status !== 200) throw new Error(`unhealthy after fuzzing: ${health.status}`);
  await h.post('/gate/close', { name: 'after', namespace: 'fuzz' }, auth);
  const opened = await h.post('/gate/open', { name: 'after', namespace: 'fuzz' }, auth);
  const checked = await h.post('/gate/check', { name: 'after', namespace: 'fuzz' }, auth);
  // Fuzzing may have filled the gate limit; then opening answers 400 and the check 403, both correct.
  const consistent = (opened.status === 202 && checked.status === 200) || (opened.status === 400 && checked.status === 403);
  if (!consistent) throw new Error(`gates broken after fuzzing: open ${opened.status} ${opened.body}, check ${checked.status}`);
}

/** Runs the fuzzing; throws with the first violations, or resolves with the figures. */
export async function fuzzLoadTester(options: FuzzOptions): Promise<FuzzReport> {
  const sink = await startCountingServer();
  const h = await startHarness({ token, ...limits }, {}, { requestTimeoutMs: 2000 });
  const port = Number(new URL(h.url).port);
  const requests = fc.sample(malformedRequest({ token, sinkUrl: sink.url, maxBodyBytes: limits.maxBodyBytes }), { numRuns: options.requests, seed: options.seed });
  const statuses: Record<string, number> = {};
  const violations: string[] = [];
  let mostTasksSeen = 0;
  const sampleTasks = (): void => void (mostTasksSeen = Math.max(mostTasksSeen, h.loadTester.runner.size));
  const sampler = setInterval(sampleTasks, 1);
  const heapBefore = process.memoryUsage().heapUsed;
  const started = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < requests.length && violations.length < 5) {
      const index = next++;
      const request = requests[index] as MalformedRequest;
      const answer = await sendRaw(port, request, 10_000);
      sampleTasks();
      const key = typeof answer === 'string' ? answer : String(answer.status);
      statuses[key] = (statuses[key] ?? 0) + 1;
      const broken = violation(request, answer);
      if (broken !== undefined) violations.push(`request ${index} (seed ${options.seed}): ${broken}\n  ${requestBytes(request).toString('latin1').slice(0, 300)}`);
    }
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency }, worker));
    const seconds = (performance.now() - started) / 1000;
    if (violations.length > 0) throw new Error(`the load tester broke its contract:\n${violations.join('\n')}`);
    if (mostTasksSeen > limits.maxTasks) throw new Error(`${mostTasksSeen} tasks ran at once, over the limit of ${limits.maxTasks}`);
    await checkWorking(h);
    await settle(h, 10_000);
    const heapGrowthMiB = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
    return { requests: requests.length, seconds, requestsPerSecond: requests.length / seconds, statuses, maxTasks: limits.maxTasks, mostTasksSeen, heapGrowthMiB };
  } finally {
    clearInterval(sampler);
    await h.close();
    await sink.close();
  }
}
