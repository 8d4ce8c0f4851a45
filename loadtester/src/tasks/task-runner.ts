/**
 * Runs tasks with the limits Flagger lacks (spec §12.26): at most `maxConcurrent` tasks at once, each
 * bounded by `timeoutMs`, blocking tasks also cancelled when their HTTP request goes away, and everything
 * cancelled on shutdown. Background tasks with the same key run once at a time, as in Flagger.
 */
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { LoadTesterMetrics } from '../metrics.js';
import { textOutcome, type Task, type TaskOutcome } from './task.js';

/** Dependencies and limits of a {@link TaskRunner}. */
export interface TaskRunnerDeps {
  clock: Clock;
  logger: Logger;
  metrics: LoadTesterMetrics;
  maxConcurrent: number;
  timeoutMs: number;
}

/** How a background submission went. */
export type Submission = 'started' | 'already-running' | 'busy';

/** Starts and tracks tasks. */
export class TaskRunner {
  private readonly running = new Map<symbol, Promise<unknown>>();
  private readonly backgroundKeys = new Set<string>();
  private readonly stopping = new AbortController();

  constructor(private readonly deps: TaskRunnerDeps) {}

  /** The most tasks that run at once (`--max-tasks`). */
  get limit(): number {
    return this.deps.maxConcurrent;
  }

  /** Tasks running now. */
  get size(): number {
    return this.running.size;
  }

  /** Starts a background task unless the same one is running or the runner is full. */
  submit(task: Task): Submission {
    if (this.backgroundKeys.has(task.key)) return 'already-running';
    if (this.running.size >= this.deps.maxConcurrent) return 'busy';
    this.backgroundKeys.add(task.key);
    void this.execute(task, undefined).finally(() => this.backgroundKeys.delete(task.key));
    return 'started';
  }

  /** Runs a blocking task, cancelled if `signal` aborts (the caller hung up); `busy` when full. */
  async runBlocking(task: Task, signal: AbortSignal): Promise<TaskOutcome | 'busy'> {
    if (this.running.size >= this.deps.maxConcurrent) return 'busy';
    return this.execute(task, signal);
  }

  /** Cancels every task and waits for them to end. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await Promise.allSettled([...this.running.values()]);
  }

  private async execute(task: Task, callerSignal: AbortSignal | undefined): Promise<TaskOutcome> {
    const id = Symbol(task.key);
    const timeout = new AbortController();
    const cancelTimer = this.deps.clock.setTimer(this.deps.timeoutMs, () => timeout.abort());
    const signals = [this.stopping.signal, timeout.signal, ...(callerSignal === undefined ? [] : [callerSignal])];
    const { logger, metrics } = this.deps;
    logger.info({ canary: task.canary, type: task.type, command: task.description }, 'task started');
    metrics.taskStarted(task.type);
    const run = task.run(AbortSignal.any(signals)).catch((error: unknown) => textOutcome(false, 500, `task failed: ${String(error)}`));
    this.running.set(id, run);
    const outcome = await run;
    cancelTimer();
    this.running.delete(id);
    const result = timeout.signal.aborted ? textOutcome(false, 500, `task timed out after ${this.deps.timeoutMs / 1000}s; ${outcome.body}`) : outcome;
    metrics.taskFinished(task.type, result.ok ? 'succeeded' : 'failed');
    const context = { canary: task.canary, type: task.type, command: task.description, status: result.status };
    if (result.ok) logger.info(context, 'task finished');
    else logger.warn({ ...context, output: result.body }, 'task failed');
    return result;
  }
}
