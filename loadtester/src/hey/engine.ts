/**
 * The load generator's scheduler: `c` workers, each with at most one request in flight, like hey's
 * goroutines. With `-q`, each worker's k-th request is due at an absolute time, start + offset + k / q, so
 * timer lateness never accumulates into a lower rate (hey sleeps on a ticker instead). Workers are offset
 * by 1 / (q × c) from each other to spread the load. Worked example: `-q 10 -c 2` ⇒ each worker sends every
 * 100 ms, worker 1 starts 50 ms after worker 0, together 20 req/s: at 0, 50, 100, 150 ms, …
 */
import type { CancelTimer, Clock } from '../ports/clock.js';
import { LoadStats } from './load-stats.js';
import type { HeyPlan } from './plan.js';

/** Called by a {@link LoadTarget} when a worker's request has finished (status 0 = no response). */
export type Completion = (worker: number, status: number, error: string | undefined) => void;

/** The HTTP side of a load test, as a port: one request in flight per worker at most. */
export interface LoadTarget {
  /** Starts the worker's next request; the outcome arrives through the {@link Completion} callback. */
  send(worker: number): void;
  /** Aborts the worker's request in flight (if any); it then completes with `error` as its code. */
  abort(worker: number, error: string): void;
  /** Releases connections once every request has completed. */
  close(): Promise<void>;
}

/** The part of a plan the scheduler reads; hey's and ghz's plans both have it. */
export type LoadShape = Pick<HeyPlan, 'requests' | 'concurrency' | 'qpsPerWorker' | 'durationMs' | 'timeoutMs'>;

/** Builds the target for one run; the undici or gRPC adapter in production, a fake in unit tests. */
export type TargetFactory<P extends LoadShape = HeyPlan> = (plan: P, onComplete: Completion) => LoadTarget;

/** Where a run's finished requests are counted ({@link LoadStats} for HTTP). */
export interface StatsSink {
  record(status: number, error: string | undefined, latencyMs: number): void;
}

/** What a run needs from outside. */
export interface LoadDeps<P extends LoadShape = HeyPlan> {
  clock: Clock;
  createTarget: TargetFactory<P>;
  /** Called for every finished request (Prometheus export); must be cheap. */
  onSample?: (status: number, latencyMs: number) => void;
}

/** The outcome of a run. */
export interface LoadResult<S extends StatsSink = LoadStats> {
  stats: S;
  elapsedMs: number;
  /** True when the run was cut short by its abort signal. */
  aborted: boolean;
}

/** Runs a load test to completion (its request count or duration), or until `signal` aborts. */
export function runLoad(plan: HeyPlan, deps: LoadDeps, signal?: AbortSignal): Promise<LoadResult> {
  return runLoadInto(plan, deps, new LoadStats(), signal);
}

/** Runs any load plan, counting its requests into `stats` (the gRPC generator counts status codes its own way). */
export function runLoadInto<P extends LoadShape, S extends StatsSink>(plan: P, deps: LoadDeps<P>, stats: S, signal?: AbortSignal): Promise<LoadResult<S>> {
  return new Promise((resolve) => new LoadRun(plan, deps, stats, resolve).start(signal));
}

/** Splits `-n` over the workers so that exactly `-n` requests are sent: 10 over 3 ⇒ 4, 3, 3. */
export function quotas(requests: number, workers: number): number[] {
  if (!Number.isFinite(requests)) return new Array<number>(workers).fill(Number.POSITIVE_INFINITY);
  const base = Math.floor(requests / workers);
  return Array.from({ length: workers }, (_, i) => base + (i < requests % workers ? 1 : 0));
}

class LoadRun<P extends LoadShape, S extends StatsSink> {
  private readonly target: LoadTarget;
  private readonly quota: number[];
  private readonly sent: Float64Array;
  private readonly sentAt: Float64Array;
  private readonly inFlight: Uint8Array;
  private readonly finished: Uint8Array;
  private readonly waits: (CancelTimer | undefined)[];
  private readonly fires: (() => void)[];
  private readonly intervalMs: number;
  private startedAt = 0;
  private endAt = Number.POSITIVE_INFINITY;
  private active: number;
  private stopping = false;
  private aborted = false;
  private sending = false;
  private readonly cancelTimers: CancelTimer[] = [];
  private cancelSweep: CancelTimer = () => undefined;

  constructor(
    private readonly plan: P,
    private readonly deps: LoadDeps<P>,
    private readonly stats: S,
    private readonly resolve: (result: LoadResult<S>) => void,
  ) {
    const c = plan.concurrency;
    this.quota = quotas(plan.requests, c);
    this.sent = new Float64Array(c);
    this.sentAt = new Float64Array(c);
    this.inFlight = new Uint8Array(c);
    this.finished = new Uint8Array(c);
    this.waits = new Array<CancelTimer | undefined>(c).fill(undefined);
    this.fires = Array.from({ length: c }, (_, i) => () => this.fireScheduled(i));
    this.intervalMs = plan.qpsPerWorker > 0 ? 1000 / plan.qpsPerWorker : 0;
    this.active = c;
    this.target = deps.createTarget(plan, (worker, status, error) => this.completed(worker, status, error));
  }

  start(signal: AbortSignal | undefined): void {
    const { clock } = this.deps;
    this.startedAt = clock.now();
    if (this.plan.durationMs > 0) {
      this.endAt = this.startedAt + this.plan.durationMs;
      this.cancelTimers.push(clock.setTimer(this.plan.durationMs, () => this.stop()));
    }
    if (this.plan.timeoutMs > 0) this.sweepTimeouts();
    if (signal !== undefined) this.watch(signal);
    for (let worker = 0; worker < this.plan.concurrency; worker++) this.next(worker);
  }

  private watch(signal: AbortSignal): void {
    const onAbort = (): void => {
      this.aborted = true;
      this.stop();
      for (let worker = 0; worker < this.plan.concurrency; worker++) {
        if (this.inFlight[worker] === 1) this.target.abort(worker, 'ABORTED');
      }
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    this.cancelTimers.push(() => signal.removeEventListener('abort', onAbort));
  }

  /** Checks in-flight requests against `-t` a few times per timeout, instead of one timer per request. */
  private sweepTimeouts(): void {
    const period = Math.min(250, this.plan.timeoutMs / 4);
    const sweep = (): void => {
      const now = this.deps.clock.now();
      for (let worker = 0; worker < this.plan.concurrency; worker++) {
        if (this.inFlight[worker] === 1 && now - (this.sentAt[worker] ?? now) >= this.plan.timeoutMs) {
          this.target.abort(worker, 'ETIMEDOUT');
        }
      }
      this.cancelSweep = this.deps.clock.setTimer(period, sweep);
    };
    this.cancelSweep = this.deps.clock.setTimer(period, sweep);
  }

  private next(worker: number): void {
    if (this.stopping || (this.sent[worker] ?? 0) >= (this.quota[worker] ?? 0)) return this.finish(worker);
    const due = this.dueAt(worker);
    if (due >= this.endAt) return this.finish(worker);
    const wait = due - this.deps.clock.now();
    if (wait > 0) this.waits[worker] = this.deps.clock.setTimer(wait, this.fires[worker] ?? (() => undefined));
    else this.fire(worker);
  }

  /** When the worker's next request is due: now without `-q`, else start + offset + k / q. */
  private dueAt(worker: number): number {
    if (this.intervalMs === 0) return this.deps.clock.now();
    const offset = (worker * this.intervalMs) / this.plan.concurrency;
    return this.startedAt + offset + (this.sent[worker] ?? 0) * this.intervalMs;
  }

  private fireScheduled(worker: number): void {
    this.waits[worker] = undefined;
    if (this.stopping) this.finish(worker);
    else this.fire(worker);
  }

  private fire(worker: number): void {
    this.sent[worker] = (this.sent[worker] ?? 0) + 1;
    this.inFlight[worker] = 1;
    this.sentAt[worker] = this.deps.clock.now();
    this.sending = true;
    this.target.send(worker);
    this.sending = false;
  }

  private completed(worker: number, status: number, error: string | undefined): void {
    if (this.inFlight[worker] !== 1) return;
    this.inFlight[worker] = 0;
    const latencyMs = this.deps.clock.now() - (this.sentAt[worker] ?? 0);
    this.stats.record(status, error, latencyMs);
    this.deps.onSample?.(status, latencyMs);
    // A target that fails synchronously inside send() must not recurse once per request.
    if (this.sending) this.deps.clock.setTimer(0, () => this.next(worker));
    else this.next(worker);
  }

  private stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    for (let worker = 0; worker < this.plan.concurrency; worker++) {
      const wait = this.waits[worker];
      if (wait === undefined) continue;
      wait();
      this.waits[worker] = undefined;
      this.finish(worker);
    }
  }

  private finish(worker: number): void {
    if (this.finished[worker] === 1) return;
    this.finished[worker] = 1;
    this.active--;
    if (this.active === 0) void this.complete();
  }

  private async complete(): Promise<void> {
    for (const cancel of this.cancelTimers) cancel();
    this.cancelSweep();
    const elapsedMs = this.deps.clock.now() - this.startedAt;
    await this.target.close().catch(() => undefined);
    this.resolve({ stats: this.stats, elapsedMs, aborted: this.aborted });
  }
}
