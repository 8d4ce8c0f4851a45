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
