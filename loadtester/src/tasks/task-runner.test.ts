import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../metrics.js';
import { silentLogger } from '../ports/logger.js';
import { FakeClock } from '../../../test/fakes/fake-clock.js';
import { textOutcome, type Task, type TaskOutcome } from './task.js';
import { TaskRunner } from './task-runner.js';

/** A task that runs until released (or aborted), counting its runs. */
class ControlledTask implements Task {
  runs = 0;
  readonly type = 'cmd';
  readonly canary = 'podinfo.test';
  readonly description = 'sleep';
  private release: ((outcome: TaskOutcome) => void) | undefined;

  constructor(
    readonly key: string,
    readonly mode: Task['mode'] = 'background',
  ) {}

  run(signal: AbortSignal): Promise<TaskOutcome> {
    this.runs++;
    return new Promise((resolve) => {
      this.release = resolve;
      signal.addEventListener('abort', () => resolve(textOutcome(false, 500, 'cancelled')), { once: true });
    });
  }

  finish(): void {
    this.release?.(textOutcome(true, 200, 'done'));
  }
}

function runner(clock = new FakeClock(), maxConcurrent = 2, registry = new Registry()): TaskRunner {
  return new TaskRunner({ clock, logger: silentLogger(), metrics: createMetrics(registry), maxConcurrent, timeoutMs: 1000 });
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('task runner', () => {
  it('runs the same background task once at a time, and again after it ended', async () => {
    const tasks = runner();
    const task = new ControlledTask('podinfo.test hey');
    expect(tasks.submit(task)).toBe('started');
    expect(tasks.submit(task)).toBe('already-running');
    expect(task.runs).toBe(1);
    task.finish();
    await settle();
    expect(tasks.submit(task)).toBe('started');
    expect(task.runs).toBe(2);
    await tasks.stop();
  });

  it('answers busy beyond its concurrency cap', async () => {
    const tasks = runner();
    expect(tasks.submit(new ControlledTask('a'))).toBe('started');
    expect(tasks.submit(new ControlledTask('b'))).toBe('started');
    expect(tasks.submit(new ControlledTask('c'))).toBe('busy');
    expect(await tasks.runBlocking(new ControlledTask('d', 'blocking'), new AbortController().signal)).toBe('busy');
    expect(tasks.size).toBe(2);
    await tasks.stop();
    expect(tasks.size).toBe(0);
  });

  it('cancels a task at the timeout and reports it', async () => {
    const clock = new FakeClock();
    const tasks = runner(clock);
    const outcome = tasks.runBlocking(new ControlledTask('a', 'blocking'), new AbortController().signal);
    clock.advanceSync(1000);
    expect(await outcome).toMatchObject({ ok: false, status: 500, body: expect.stringContaining('timed out after 1s') as unknown });
  });

  it('cancels a blocking task when its caller goes away', async () => {
    const tasks = runner();
    const caller = new AbortController();
    const outcome = tasks.runBlocking(new ControlledTask('a', 'blocking'), caller.signal);
    caller.abort();
    expect(await outcome).toMatchObject({ ok: false, body: 'cancelled' });
  });

  it('counts finished tasks in its metrics', async () => {
    const registry = new Registry();
    const tasks = runner(new FakeClock(), 2, registry);
    const task = new ControlledTask('a', 'blocking');
    const outcome = tasks.runBlocking(task, new AbortController().signal);
    task.finish();
    await outcome;
    expect(await registry.metrics()).toContain('songbird_loadtester_tasks_total{type="cmd",result="succeeded"} 1');
  });
});
