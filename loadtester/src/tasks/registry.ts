/**
 * Turns a webhook payload into a task, by `metadata.type` (default `cmd`, as in Flagger). Unknown types
 * answer 400 (Flagger's handler panics on them, spec §12.28).
 */
import type { WebhookPayload } from '../../../src/api/webhook-payload.js';
import { isHeyCommand } from '../hey/plan.js';
import { parseThresholds } from '../hey/report.js';
import { heyTask, type HeyTaskDeps } from './hey-task.js';
import { processTask, type ProcessTaskDeps } from './process-task.js';
import { planProcess, type ProcessTaskType, type ShellPolicy } from './shell-policy.js';
import type { Task, TaskResult } from './task.js';

/** Everything task factories need. */
export interface TaskFactoryDeps {
  hey: HeyTaskDeps;
  process: ProcessTaskDeps;
  shell: ShellPolicy;
}

/** Flagger task types this load tester does not implement. */
const unsupported = new Set(['concord', 'ngrinder']);

/** `type: hey` waits for the result (and can fail the webhook); a hey `cmd` runs in the background. */
function heyMode(type: string): Task['mode'] {
  return type === 'hey' ? 'blocking' : 'background';
}

const known = new Set(['cmd', 'bash', 'hey', 'helm', 'helmv3', 'kubectl']);

function refuse(type: string, command: string): string | undefined {
  if (unsupported.has(type)) return `task type ${type} is not supported by this load tester`;
  if (!known.has(type)) return `unknown task type ${type}`;
  if (command.trim() === '') return 'cmd not found in metadata';
  return undefined;
}

/** Creates the task a payload asks for; the payload must carry metadata (checked by the caller). */
export function createTask(payload: WebhookPayload, metadata: Readonly<Record<string, string>>, deps: TaskFactoryDeps): TaskResult {
  const type = metadata.type ?? 'cmd';
  const command = metadata.cmd ?? '';
  const canary = `${payload.name}.${payload.namespace}`;
  const refusal = refuse(type, command);
  if (refusal !== undefined) return { ok: false, status: 400, message: refusal };
  const logOutput = metadata.logCmdOutput === 'true';
  if (type === 'hey' || (type === 'cmd' && isHeyCommand(command))) {
    const thresholds = parseThresholds(metadata);
    if (!thresholds.ok) return { ok: false, status: 400, message: thresholds.error };
    return heyTask({ mode: heyMode(type), type, canary, command, thresholds: thresholds.thresholds, logOutput }, deps.hey);
  }
  const plan = planProcess(type as ProcessTaskType, command, deps.shell);
  if (!plan.ok) return plan;
  const mode = type === 'cmd' ? 'background' : 'blocking';
  const returnOutput = metadata.returnCmdOutput === 'true';
  return { ok: true, task: processTask({ mode, type, canary, command, file: plan.file, args: plan.args, returnOutput, logOutput }, deps.process) };
}
