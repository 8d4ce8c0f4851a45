import type { Clock, Timer } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';

/**
 * How long a tick may hold one of the global tick slots. A tick still running after this is waiting on
 * something slow — a metric query or a webhook that hangs until its timeout (up to 30 min × 11 attempts
 * for a webhook) — and gives its slot up, so that 16 hung canaries cannot stop every other canary from
 * ticking. The slow tick runs on; it holds no slot, costs no CPU while it waits, and its canary still never
 * ticks twice at once, so at most one slow tick per canary exists. A normal tick (cache reads and a few
 * API writes) ends well within it.
 *
 * Example with the default 16 slots: 16 canaries whose webhooks hang start at t = 0; at t = 2 s all 16
 * give up their slots and the 17th canary ticks; it then keeps its own interval.
 *
 * Limit: N hung ticks that fall due at once hold the slots in turn, so a quick tick behind them waits up to
 * N / slots × 2 s (200 hung canaries at start-up: 25 s); once their ticks spread out it waits at most 2 s
 * (`npm run bench:reliability`, module bounded-inputs).
 */
export const slowTickAfterMs = 2_000;

/**
 * Triggered ticks of one canary: a burst of {@link triggeredTickBurst} at once, then one per
 * {@link triggeredTickRefillMs} (a token bucket); a trigger beyond it waits for the next token, and triggers
 * meanwhile are coalesced into that one tick. A safety net against any pattern where canaries trigger each
 * other (each tick writes an object the other watches): without it such a pair ticks as fast as the API
 * server answers. A release needs a few triggered ticks in a row (a Deployment scaled, then ready, then a
 * Service written), hence the burst.
 * Example: canaries A and B rewrite a shared Service back and forth. Unchecked: thousands of ticks a
 * second, each with its writes. With the bucket: 10 ticks each at once, then one a second each, so the
 * pair makes at most 2 × (10 + 3,600) = 7,220 triggered ticks an hour; a canary quiet for 10 s has its
 * full burst again, so a `kubectl set image` is never delayed.
 */
export const triggeredTickBurst = 10;
export const triggeredTickRefillMs = 1_000;

/** What a tick may ask of the scheduler: to be run again, as the same kind (scheduled or triggered), after a delay. */
export interface TickOutcome {
  retryAfterMs: number;
}

/** Options of a {@link Scheduler}. */
export interface SchedulerOptions {
  clock: Clock;
  logger: Logger;
  /**
   * One reconcile of one canary; never called twice at once for the same key. `scheduled` is true for the
   * interval ticks (and the first tick of a job), false for ticks triggered by a change.
   */
  tick: (key: string, scheduled: boolean) => Promise<TickOutcome | void>;
  /**
   * Ticks of different canaries that may run at once, cluster-wide (default 16); a tick slower than
   * {@link slowTickAfterMs} stops counting.
   */
  maxConcurrentTicks?: number;
}

interface Job {
  intervalMs: number;
  timer: Timer | undefined;
  running: Promise<void> | undefined;
  /** A trigger arrived while a tick ran: run once more right after it. */
  again: boolean;
  /** The interval fell due while a tick ran: the follow-up is a scheduled tick. */
  againScheduled: boolean;
  /** A triggered tick that asked to be retried (a scheduled one is retried through `timer`). */
  retryTimer: Timer | undefined;
  /** Triggered ticks the canary may start now (see {@link triggeredTickBurst}), as of `tokensAt`. */
  tokens: number;
  tokensAt: number;
  /** The triggered tick held back until the next token. */
  floorTimer: Timer | undefined;
  stopped: boolean;
}

/**
 * Runs one serialized job per canary: a tick when the job starts, then one every `intervalMs` after the
 * previous scheduled tick ends, plus a prompt tick on {@link trigger} (a watched object changed) that does
 * not move the interval, so a stream of changes can never postpone the analysis. Ticks of one canary
 * never overlap — a trigger during a tick is coalesced into one follow-up tick — and a global limit bounds
 * how many canaries tick at once.
 * parity: pkg/controller/job.go, Flagger drops ticker fires during a running tick and polls its job map
 * every 10 s; here jobs start, restart and stop as soon as the canary changes.
 */
export class Scheduler {
  private readonly jobs = new Map<string, Job>();
  private readonly waiting: (() => void)[] = [];
  private active = 0;

  constructor(private readonly opts: SchedulerOptions) {}

  /** Starts a job for `key` (ticking at once), or re-arms its timer when the interval changed. */
  ensure(key: string, intervalMs: number): void {
    const job = this.jobs.get(key);
    if (job === undefined) {
      const created: Job = { intervalMs, timer: undefined, running: undefined, again: false, againScheduled: false, retryTimer: undefined, tokens: triggeredTickBurst, tokensAt: this.opts.clock.now(), floorTimer: undefined, stopped: false };
      this.jobs.set(key, created);
      this.run(key, created, true);
      return;
    }
    if (job.intervalMs !== intervalMs) {
      job.intervalMs = intervalMs;
      if (job.running === undefined) this.arm(key, job);
    }
  }

  /** Asks for a tick of `key` as soon as possible (no-op for unknown keys); the interval keeps its pace. */
  trigger(key: string): void {
    const job = this.jobs.get(key);
    if (job !== undefined) this.run(key, job, false);
  }

  /** Stops the job at once: no further tick starts (a tick in flight finishes on its own). */
  remove(key: string): void {
    const job = this.jobs.get(key);
    if (job === undefined) return;
    job.stopped = true;
    job.timer?.cancel();
    job.retryTimer?.cancel();
    job.floorTimer?.cancel();
    this.jobs.delete(key);
  }

  has(key: string): boolean {
    return this.jobs.has(key);
  }

  keys(): string[] {
    return [...this.jobs.keys()];
  }

  /** Stops every job and waits for the ticks in flight. */
  async stopAll(): Promise<void> {
    const inFlight = [...this.jobs.values()].map((j) => j.running).filter((p) => p !== undefined);
    for (const key of this.keys()) this.remove(key);
    await Promise.allSettled(inFlight);
  }

  private run(key: string, job: Job, scheduled: boolean): void {
    if (job.stopped) return;
    if (job.running !== undefined) {
      job.again = true;
      job.againScheduled ||= scheduled;
      return;
    }
    if (!scheduled && this.heldByFloor(key, job)) return;
    if (scheduled) {
      job.timer?.cancel();
      job.timer = undefined;
    } else {
      job.tokens -= 1;
    }
    job.running = this.runLimited(key, scheduled).then((outcome) => {
      job.running = undefined;
      if (job.stopped) return;
      if (outcome !== undefined) this.retry(key, job, scheduled, outcome.retryAfterMs);
      if (job.again) {
        const next = job.againScheduled;
        job.again = false;
        job.againScheduled = false;
        this.run(key, job, next);
      }
      // No tick started (none asked, or a triggered one held back by the floor): keep the interval going.
      if (job.running === undefined && job.timer === undefined) this.arm(key, job);
    });
  }

  /** True when a triggered tick must wait for a token (see {@link triggeredTickBurst}); it then runs once one is there. */
  private heldByFloor(key: string, job: Job): boolean {
    const now = this.opts.clock.now();
    job.tokens = Math.min(triggeredTickBurst, job.tokens + (now - job.tokensAt) / triggeredTickRefillMs);
    job.tokensAt = now;
    if (job.tokens >= 1) return false;
    const waitMs = Math.ceil((1 - job.tokens) * triggeredTickRefillMs);
    job.floorTimer ??= this.opts.clock.setTimer(waitMs, () => {
      job.floorTimer = undefined;
      this.run(key, job, false);
    });
    return true;
  }

  /**
   * A tick that could not act (e.g. the cache lags its own last write) runs again after `delayMs`, as the same
   * kind: a scheduled tick takes the place of the interval (so the analysis loses no interval), a triggered
   * one leaves the interval alone.
   */
  private retry(key: string, job: Job, scheduled: boolean, delayMs: number): void {
    if (scheduled) {
      job.timer?.cancel();
      job.timer = this.opts.clock.setTimer(delayMs, () => {
        job.timer = undefined;
        this.run(key, job, true);
      });
      return;
    }
    job.retryTimer?.cancel();
    job.retryTimer = this.opts.clock.setTimer(delayMs, () => {
      job.retryTimer = undefined;
      this.run(key, job, false);
    });
  }

  private arm(key: string, job: Job): void {
    job.timer?.cancel();
    job.timer = this.opts.clock.setTimer(job.intervalMs, () => {
      job.timer = undefined;
      this.run(key, job, true);
    });
  }

  private async runLimited(key: string, scheduled: boolean): Promise<TickOutcome | undefined> {
    await this.acquire();
    const slot = this.holdSlot(key);
    try {
      return (await this.opts.tick(key, scheduled)) ?? undefined;
    } catch (error) {
      this.opts.logger.error('tick failed', { canary: key, error: error instanceof Error ? error.message : String(error) });
      return undefined;
    } finally {
      slot.free();
    }
  }

  /** The acquired slot, freed when the tick ends or, if sooner, after {@link slowTickAfterMs}. */
  private holdSlot(key: string): { free(): void } {
    let held = true;
    const free = (): void => {
      if (!held) return;
      held = false;
      timer.cancel();
      this.release();
    };
    const timer = this.opts.clock.setTimer(slowTickAfterMs, () => {
      if (held) this.opts.logger.warn('slow tick: its slot goes to other canaries while it waits', { canary: key, afterMs: slowTickAfterMs });
      free();
    });
    return { free };
  }

  private acquire(): Promise<void> {
    if (this.active < (this.opts.maxConcurrentTicks ?? 16)) {
      this.active += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(() => { this.active += 1; resolve(); }));
  }

  private release(): void {
    this.active -= 1;
    this.waiting.shift()?.();
  }
}
