import type { Logger } from '../ports/logger.js';
import type { ProcessRunner } from '../ports/process-runner.js';
import { commandTask, textOutcome, type Task, type TaskOutcome } from './task.js';

/** Output kept from a process (stdout and stderr together). */
const maxOutputBytes = 1024 * 1024;

/** Describes one process task. */
export interface ProcessTaskSpec {
  mode: Task['mode'];
  type: string;
  canary: string;
  command: string;
  file: string;
  args: string[];
  /** `returnCmdOutput: "true"`: a successful blocking task answers with the output. */
  returnOutput: boolean;
  /** `logCmdOutput: "true"`: the output is logged (background tasks). */
  logOutput: boolean;
}

/** What a process task needs from outside. */
export interface ProcessTaskDeps {
  runner: ProcessRunner;
  logger: Logger;
  timeoutMs: number;
}

/**
 * A task that runs a program (Flagger's `cmd`, `bash`, `helm`, `kubectl` types). Exit code 0 answers 200;
 * anything else 500 with the output, as in Flagger.
 */
export function processTask(spec: ProcessTaskSpec, deps: ProcessTaskDeps): Task {
  const { runner, logger, timeoutMs } = deps;
  return commandTask(spec, async (signal): Promise<TaskOutcome> => {
    const result = await runner.run({ file: spec.file, args: spec.args, timeoutMs, signal, maxOutputBytes });
    const output = result.truncated ? `${result.output}\n[output truncated at ${maxOutputBytes} bytes]` : result.output;
    if (spec.logOutput) logger.info({ canary: spec.canary, command: spec.command, output }, 'command output');
    if (result.exitCode === 0) return textOutcome(true, 200, spec.returnOutput ? output : '');
    const why = failure(result.startError, result.timedOut, result.aborted, result.exitCode);
    return textOutcome(false, 500, `command failed: ${why}\n${output}`);
  });
}

function failure(startError: string | undefined, timedOut: boolean, aborted: boolean, exitCode: number | null): string {
  if (startError !== undefined) return `could not start: ${startError}`;
  if (timedOut) return 'timed out';
  if (aborted) return 'cancelled (the request went away or the load tester is stopping)';
  return `exit code ${String(exitCode)}`;
}
