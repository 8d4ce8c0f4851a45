/**
 * Turns a webhook payload into a task, by `metadata.type` (default `cmd`, as in Flagger). Unknown types
 * answer 400 (Flagger's handler panics on them, spec §12.28).
 */
import type { WebhookPayload } from '../../../src/api/webhook-payload.js';
import { isGhzCommand } from '../ghz/ghz-plan.js';
import { isHeyCommand } from '../hey/plan.js';
import { parseThresholds } from '../hey/report.js';
import { ghzTask, type GhzTaskDeps } from './ghz-task.js';
import { heyTask, type HeyTaskDeps } from './hey-task.js';
import { processTask, type ProcessTaskDeps } from './process-task.js';
import { planProcess, type ProcessTaskType, type ShellPolicy } from './shell-policy.js';
import type { Task, TaskResult } from './task.js';

/** Everything task factories need. */
export interface TaskFactoryDeps {
  hey: HeyTaskDeps;
  ghz: GhzTaskDeps;
  process: ProcessTaskDeps;
  shell: ShellPolicy;
}

/** Flagger task types this load tester does not implement. */
const unsupported = new Set(['concord', 'ngrinder']);

/** `type: hey` and `type: ghz` wait for the result (and can fail the webhook); a hey or ghz `cmd` runs in the background. */
function loadMode(type: string): Task['mode'] {
  return type === 'cmd' ? 'background' : 'blocking';
}

const known = new Set(['cmd', 'bash', 'hey', 'ghz', 'helm', 'helmv3', 'kubectl']);

function refuse(type: string, command: string): string | undefined {
  if (unsupported.has(type)) return `task type ${type} is not supported by this load tester`;
  if (!known.has(type)) return `unknown task type ${type}`;
  if (command.trim() === '') return 'cmd not found in metadata';
  return undefined;
}

const countClientErrorsRefusal = 'countClientErrors applies to hey tasks: in a ghz task every gRPC status other than OK is an error';

/**
 * Creates the task a payload asks for; the payload must carry metadata (checked by the caller). ghz tasks
 * load their proto first, hence the promise.
 */
export function createTask(payload: WebhookPayload, metadata: Readonly<Record<string, string>>, deps: TaskFactoryDeps): TaskResult | Promise<TaskResult> {
  const type = metadata.type ?? 'cmd';
  const command = metadata.cmd ?? '';
  const canary = `${payload.name}.${payload.namespace}`;
  const refusal = refuse(type, command);
  if (refusal !== undefined) return { ok: false, status: 400, message: refusal };
  const load = loadTaskKind(type, command);
  if (load !== undefined) return createLoadTask(load, { type, canary, command }, metadata, deps);
  const plan = planProcess(type as ProcessTaskType, command, deps.shell);
  if (!plan.ok) return plan;
  const mode = type === 'cmd' ? 'background' : 'blocking';
  const returnOutput = metadata.returnCmdOutput === 'true';
  const logOutput = metadata.logCmdOutput === 'true';
  return { ok: true, task: processTask({ mode, type, canary, command, file: plan.file, args: plan.args, returnOutput, logOutput }, deps.process) };
}

/** Load tests run by a built-in generator: `type: hey`/`ghz`, or a `cmd` that starts with `hey`/`ghz`. */
function loadTaskKind(type: string, command: string): 'hey' | 'ghz' | undefined {
  if (type === 'hey' || (type === 'cmd' && isHeyCommand(command))) return 'hey';
  if (type === 'ghz' || (type === 'cmd' && isGhzCommand(command))) return 'ghz';
  return undefined;
}

function createLoadTask(
  kind: 'hey' | 'ghz',
  task: { type: string; canary: string; command: string },
  metadata: Readonly<Record<string, string>>,
  deps: TaskFactoryDeps,
): TaskResult | Promise<TaskResult> {
  const thresholds = parseThresholds(metadata);
  if (!thresholds.ok) return { ok: false, status: 400, message: thresholds.error };
  const request = { ...task, mode: loadMode(task.type), thresholds: thresholds.thresholds, logOutput: metadata.logCmdOutput === 'true' };
  if (kind === 'hey') return heyTask(request, deps.hey);
  if (metadata.countClientErrors !== undefined) return { ok: false, status: 400, message: countClientErrorsRefusal };
  return ghzTask(request, deps.ghz);
}
