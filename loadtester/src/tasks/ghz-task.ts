/**
 * gRPC load tests written as ghz command lines, run by the built-in generator over @grpc/grpc-js with no
 * shell. A `cmd` task runs in the background (Flagger's behaviour); a `ghz` task runs while the webhook
 * waits and fails it when the results cross the thresholds in its metadata, as `type: hey` does.
 */
import type { Logger } from '../ports/logger.js';
import type { LoadTesterMetrics } from '../metrics.js';
import { runLoadInto, type LoadDeps } from '../hey/engine.js';
import type { LoadLimits } from '../hey/limits.js';
import { limitGhzPlan } from '../ghz/ghz-limits.js';
import { parseGhzCommand } from '../ghz/ghz-plan.js';
import { buildGrpcReport, GrpcStats } from '../ghz/ghz-report.js';
import { resolveMethod } from '../ghz/grpc-method.js';
import { statusName, type GrpcRun } from '../ghz/grpc-target.js';
import { loadTestOutcome, commandTask, type LoadTaskRequest, type TaskOutcome, type TaskResult } from './task.js';

/** What ghz tasks need from outside. */
export interface GhzTaskDeps {
  load: Omit<LoadDeps<GrpcRun>, 'onSample'>;
  metrics: LoadTesterMetrics;
  logger: Logger;
  /** Folder `--proto`/`--protoset` files are read from; `undefined` refuses them (the health check needs none). */
  protoDir: string | undefined;
  limits: LoadLimits;
}

/** What the webhook asked for. */
export type GhzTaskRequest = LoadTaskRequest;

/**
 * Parses the ghz command line and loads the method's proto, returning the task or a 400 explaining what is
 * wrong: a bad flag, a proto that does not load, a `-d` that does not fit the request message.
 */
export async function ghzTask(request: GhzTaskRequest, deps: GhzTaskDeps): Promise<TaskResult> {
  const parsed = parseGhzCommand(request.command);
  if (!parsed.ok) return { ok: false, status: 400, message: parsed.error };
  const limited = limitGhzPlan(parsed.plan, deps.limits);
  if (!limited.ok) return { ok: false, status: 400, message: limited.error };
  const resolved = await resolveMethod(limited.plan, deps.protoDir);
  if (!resolved.ok) return { ok: false, status: 400, message: resolved.error };
  const run: GrpcRun = { ...limited.plan, resolved: resolved.method };
  const task = commandTask(request, (signal) => runGhz(run, request, deps, signal));
  return { ok: true, task };
}

async function runGhz(run: GrpcRun, request: GhzTaskRequest, deps: GhzTaskDeps, signal: AbortSignal): Promise<TaskOutcome> {
  const samples = deps.metrics.samplesFor(request.canary, statusName);
  const result = await runLoadInto(run, { ...deps.load, onSample: (code, ms) => samples.record(code, ms) }, new GrpcStats(), signal);
  return loadTestOutcome(buildGrpcReport(result, request.thresholds), request, deps.logger);
}
