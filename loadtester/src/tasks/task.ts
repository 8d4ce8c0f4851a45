import type { Thresholds } from '../hey/report.js';
import type { Logger } from '../ports/logger.js';

/** What a finished task answers to the webhook caller (synchronous tasks) or logs (background tasks). */
export interface TaskOutcome {
  ok: boolean;
  status: number;
  body: string;
  contentType: 'text/plain; charset=utf-8' | 'application/json';
}

/**
 * A unit of work created from a webhook payload. Background tasks answer 202 at once and are
 * deduplicated by `key` (canary + command, as Flagger does); blocking tasks answer with their outcome.
 */
export interface Task {
  readonly mode: 'background' | 'blocking';
  /** `metadata.type` as sent (`cmd`, `bash`, `hey`, …), for logs and metrics. */
  readonly type: string;
  /** `<name>.<namespace>` of the canary. */
  readonly canary: string;
  /** Deduplication key of background tasks. */
  readonly key: string;
  /** What runs, for logs. */
  readonly description: string;
  run(signal: AbortSignal): Promise<TaskOutcome>;
}

/** A task, or the HTTP answer explaining why the payload does not make one. */
export type TaskResult = { ok: true; task: Task } | { ok: false; status: number; message: string };

/** A plain-text outcome. */
export function textOutcome(ok: boolean, status: number, body: string): TaskOutcome {
  return { ok, status, body, contentType: 'text/plain; charset=utf-8' };
}

/** What the webhook asked a load test (`hey` or `ghz`) to do. */
export interface LoadTaskRequest {
  mode: Task['mode'];
  type: string;
  canary: string;
  command: string;
  thresholds: Thresholds;
  logOutput: boolean;
}

/** A command line's task; background ones are deduplicated by canary and command line, as Flagger does. */
export function commandTask(request: Pick<LoadTaskRequest, 'mode' | 'type' | 'canary' | 'command'>, run: Task['run']): Task {
  return {
    mode: request.mode,
    type: request.type,
    canary: request.canary,
    key: `${request.canary}\u0000${request.command}`,
    description: request.command,
    run,
  };
}

/** Logs a finished load test and answers with its report. */
export function loadTestOutcome(report: { requests: number; errorRatio: number; passed: boolean }, request: LoadTaskRequest, logger: Logger): TaskOutcome {
  const summary = { canary: request.canary, command: request.command, requests: report.requests, errorRatio: report.errorRatio };
  logger.info(request.logOutput ? { ...summary, report } : summary, 'load test finished');
  // A failed threshold answers 422, not 5xx: webhook clients retry 5xx and drop their body, a 4xx body
  // reaches the canary's events.
  const status = report.passed ? 200 : 422;
  return { ok: report.passed, status, body: `${JSON.stringify(report)}\n`, contentType: 'application/json' };
}
