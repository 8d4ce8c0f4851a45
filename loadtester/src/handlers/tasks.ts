import { text, type LtRequest, type LtResponse } from '../http/types.js';
import { createTask } from '../tasks/registry.js';
import type { HandlerDeps } from './deps.js';
import { gateFailure } from './gates.js';
import { noteFinishedRelease, parsePayload } from './payload.js';

/**
 * Task execution on `/` (and any path without its own route, as Flagger's mux does). Background tasks
 * answer 202 at once, blocking ones with their outcome; 429 when the task limit is reached.
 */
export async function runTask(request: LtRequest, deps: HandlerDeps): Promise<LtResponse> {
  const parsed = parsePayload(request.body, deps.namespacePattern);
  if (!parsed.ok) return parsed.response;
  const noted = await noteFinishedRelease(parsed.payload, deps.gates).then(() => undefined, gateFailure);
  if (noted !== undefined) return noted;
  const { metadata } = parsed.payload;
  if (metadata === undefined || Object.keys(metadata).length === 0) return text(400, 'metadata not found in payload');
  const created = await createTask(parsed.payload, metadata, deps.tasks);
  if (!created.ok) return text(created.status, created.message);
  const { task } = created;
  if (task.mode === 'background') {
    const submitted = deps.runner.submit(task);
    if (submitted === 'busy') return busy(deps.runner.limit);
    return text(202, submitted === 'started' ? 'task accepted' : 'task already running');
  }
  const outcome = await deps.runner.runBlocking(task, request.signal);
  if (outcome === 'busy') return busy(deps.runner.limit);
  return { status: outcome.status, body: outcome.body, contentType: outcome.contentType };
}

function busy(limit: number): LtResponse {
  return { ...text(429, `${limit} tasks are running, the most this load tester runs at once (--max-tasks); retry later`), headers: { 'Retry-After': '5' } };
}
