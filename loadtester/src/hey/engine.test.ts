import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../test/fakes/fake-clock.js';
import { quotas, runLoad, type Completion, type LoadResult, type LoadTarget } from './engine.js';
import { noResponse } from './load-stats.js';
import { parseHeyCommand, type HeyPlan } from './plan.js';

/** How the fake target answers: after `latencyMs` of fake time with `status`, or synchronously with an error. */
type Behaviour = { latencyMs: number; status: number } | 'fail-synchronously' | 'never';

class FakeTarget implements LoadTarget {
  readonly sendTimes: number[] = [];
  inFlight = 0;
  maxInFlight = 0;
  closed = false;
  private readonly cancels = new Map<number, () => void>();

  constructor(
    private readonly clock: FakeClock,
    private readonly onComplete: Completion,
    private readonly behaviour: Behaviour,
  ) {}

  send(worker: number): void {
    this.sendTimes.push(this.clock.now());
    const behaviour = this.behaviour;
    if (behaviour === 'fail-synchronously') return this.onComplete(worker, 0, 'ECONNREFUSED');
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    if (behaviour === 'never') return;
    this.cancels.set(worker, this.clock.setTimer(behaviour.latencyMs, () => this.complete(worker, behaviour.status, undefined)));
  }

  abort(worker: number, error: string): void {
    this.cancels.get(worker)?.();
    this.complete(worker, 0, error);
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  private complete(worker: number, status: number, error: string | undefined): void {
    this.inFlight--;
    this.onComplete(worker, status, error);
  }
}

function plan(command: string): HeyPlan {
  const parsed = parseHeyCommand(command);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.plan;
}

/** Runs a plan on fake time, advancing in 1 ms steps until it finishes or `limitMs` passes. */
async function run(command: string, behaviour: Behaviour, options: { lateness?: number; limitMs?: number; signal?: AbortSignal } = {}) {
  const clock = new FakeClock(0);
  clock.lateness = options.lateness ?? 0;
  let target: FakeTarget | undefined;
  let result: LoadResult | undefined;
  const samples: number[] = [];
  const done = runLoad(
    plan(command),
    {
      clock,
      createTarget: (_plan, onComplete) => (target = new FakeTarget(clock, onComplete, behaviour)),
      onSample: (status) => samples.push(status),
    },
    options.signal,
  ).then((r) => (result = r));
  for (let t = 0; t < (options.limitMs ?? 120_000) && result === undefined; t++) {
    clock.advanceSync(1);
    await Promise.resolve();
  }
  await done;
  if (target === undefined || result === undefined) throw new Error('the run did not finish');
  return { target, result, samples, clock };
}

describe('load scheduling', () => {
  it('sends -q per worker: -q 10 -c 2 -z 1s is 20 requests, 50 ms apart', async () => {
    const { target, result } = await run('hey -z 1s -q 10 -c 2 http://x.test/', { latencyMs: 5, status: 200 });
    expect(result.stats.requests).toBe(20);
    expect(target.sendTimes).toEqual(Array.from({ length: 20 }, (_, k) => k * 50));
  });

  it('keeps the asked rate when every timer fires late, because sends are scheduled by absolute time', async () => {
    const { result } = await run('hey -z 2s -q 50 -c 4 http://x.test/', { latencyMs: 2, status: 200 }, { lateness: 7 });
    // 4 workers × 50 req/s × 2 s = 400, give or take the last tick of each worker.
    expect(result.stats.requests).toBeGreaterThanOrEqual(396);
    expect(result.stats.requests).toBeLessThanOrEqual(400);
  });

  it('sends exactly -n requests, split over the workers, never more than -c at once', async () => {
    const { target, result } = await run('hey -n 10 -c 3 http://x.test/', { latencyMs: 4, status: 200 });
    expect(result.stats.requests).toBe(10);
    expect(target.sendTimes).toHaveLength(10);
    expect(target.maxInFlight).toBe(3);
    expect(target.closed).toBe(true);
  });

  it('stops sending at -z and lets requests in flight finish', async () => {
    const { result, target } = await run('hey -z 100ms -c 2 http://x.test/', { latencyMs: 30, status: 200 });
    // Each worker sends at 0, 30, 60, 90 ms; the 90 ms ones finish at 120 ms and are counted.
    expect(result.stats.requests).toBe(8);
    expect(Math.max(...target.sendTimes)).toBe(90);
    expect(result.elapsedMs).toBe(120);
  });

  it('counts status codes, and -t turns a request that never ends into ETIMEDOUT', async () => {
    const { result } = await run('hey -n 2 -c 2 -t 1 http://x.test/', 'never');
    expect(result.stats.requests).toBe(2);
    expect(result.stats.statusCounts[noResponse]).toBe(2);
    expect(result.stats.transportErrors.get('ETIMEDOUT')).toBe(2);
    expect(result.elapsedMs).toBeGreaterThanOrEqual(1000);
    expect(result.elapsedMs).toBeLessThanOrEqual(1250);
  });

  it('stops at once when its signal aborts, and says so', async () => {
    const controller = new AbortController();
    const clock = new FakeClock(0);
    const done = runLoad(plan('hey -z 1h -c 2 http://x.test/'), {
      clock,
      createTarget: (_plan, onComplete) => new FakeTarget(clock, onComplete, 'never'),
    }, controller.signal);
    clock.advanceSync(10);
    controller.abort();
    const result = await done;
    expect(result.aborted).toBe(true);
    expect(result.stats.transportErrors.get('ABORTED')).toBe(2);
  });

  it('survives a target that fails synchronously on every request without deep recursion', async () => {
    const { result, samples } = await run('hey -n 20000 -c 1 http://x.test/', 'fail-synchronously');
    expect(result.stats.requests).toBe(20_000);
    expect(samples).toHaveLength(20_000);
    expect(result.stats.transportErrors.get('ECONNREFUSED')).toBe(20_000);
  });
});

describe('splitting -n over workers', () => {
  it.each([
    [10, 3, [4, 3, 3]],
    [200, 50, new Array<number>(50).fill(4)],
    [5, 5, [1, 1, 1, 1, 1]],
  ])('%d requests over %d workers', (requests, workers, expected) => {
    expect(quotas(requests, workers)).toEqual(expected);
  });
});
