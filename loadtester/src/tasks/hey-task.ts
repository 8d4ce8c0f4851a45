/**
 * Load tests written as hey command lines, run by the built-in generator with no shell. A `cmd` task runs
 * in the background (Flagger's behaviour); a `hey` task runs while the webhook waits and fails it when the
 * results cross the thresholds in its metadata.
 */
import { isAbsolute, relative, resolve } from 'node:path';
import type { Files } from '../ports/files.js';
import type { Logger } from '../ports/logger.js';
import type { LoadTesterMetrics } from '../metrics.js';
import { runLoad, type LoadDeps } from '../hey/engine.js';
import { limitPlan, type LoadLimits } from '../hey/limits.js';
import { parseHeyCommand, type HeyPlan } from '../hey/plan.js';
import { buildReport } from '../hey/report.js';
import { loadTestOutcome, commandTask, textOutcome, type LoadTaskRequest, type TaskOutcome, type TaskResult } from './task.js';

/** What hey tasks need from outside. */
export interface HeyTaskDeps {
  load: Omit<LoadDeps, 'onSample'>;
  metrics: LoadTesterMetrics;
  logger: Logger;
  files: Files;
  /** Folder `-D` files must be in; `undefined` refuses `-D`, which could otherwise send any local file. */
  bodyDir: string | undefined;
  /** The largest load one test may ask for (`--max-connections`, `--max-rate`, …). */
  limits: LoadLimits;
}

/** What the webhook asked for. */
export type HeyTaskRequest = LoadTaskRequest;

/** Parses the hey command line and returns the task, or a 400 explaining what is wrong with it. */
export function heyTask(request: HeyTaskRequest, deps: HeyTaskDeps): TaskResult {
  const parsed = parseHeyCommand(request.command);
  if (!parsed.ok) return { ok: false, status: 400, message: parsed.error };
  const limited = limitPlan(parsed.plan, deps.limits);
  if (!limited.ok) return { ok: false, status: 400, message: limited.error };
  const { plan } = limited;
  const bodyPath = plan.bodyFile;
  if (bodyPath !== undefined && bodyFileRefusal(bodyPath, deps.bodyDir) !== undefined) {
    return { ok: false, status: 400, message: bodyFileRefusal(bodyPath, deps.bodyDir) ?? '' };
  }
  const task = commandTask(request, (signal) => runHey(plan, request, deps, signal));
  return { ok: true, task };
}

function bodyFileRefusal(path: string, bodyDir: string | undefined): string | undefined {
  if (bodyDir === undefined) return '-D (request body from a file) needs the load tester to be started with --body-dir <folder>';
  const inside = relative(resolve(bodyDir), resolve(bodyDir, path));
  if (inside.startsWith('..') || isAbsolute(inside)) return `-D ${path} is outside the --body-dir folder`;
  return undefined;
}

async function runHey(plan: HeyPlan, request: HeyTaskRequest, deps: HeyTaskDeps, signal: AbortSignal): Promise<TaskOutcome> {
  const body = plan.bodyFile === undefined ? plan.body : await deps.files.read(resolve(deps.bodyDir ?? '.', plan.bodyFile));
  if (plan.bodyFile !== undefined && body === undefined) return textOutcome(false, 400, `-D ${plan.bodyFile}: no such file`);
  const samples = deps.metrics.samplesFor(request.canary);
  const result = await runLoad({ ...plan, body }, { ...deps.load, onSample: (status, ms) => samples.record(status, ms) }, signal);
  return loadTestOutcome(buildReport(result, request.thresholds), request, deps.logger);
}
