/**
 * The route table: Flagger's loadtester paths (spec §8). With a token configured, every gate and task route
 * needs it, checks included: with --gate-auto-close a check can close a gate, and any check tells the caller
 * which releases are approved. Only health and metrics, which change nothing, stay open.
 */
import { text } from './http/types.js';
import type { HandlerDeps } from './handlers/deps.js';
import { approve, checkGate, halt, setGate, type Handler } from './handlers/gates.js';
import { runTask } from './handlers/tasks.js';

/** A route: its handler, and whether it needs the bearer token (when one is configured). */
export interface Route {
  handler: Handler;
  auth: boolean;
}

/** The path every unrouted request goes to: task execution, like Flagger's catch-all `/`. */
export const taskPath = '/';

const healthz: Handler = () => Promise.resolve(text(200, 'OK'));

const metrics: Handler = async (_request, deps: HandlerDeps) => ({
  status: 200,
  body: await deps.registry.metrics(),
  contentType: deps.registry.contentType,
});

/** Builds the route table. */
export function routeTable(): ReadonlyMap<string, Route> {
  const open = (handler: Handler): Route => ({ handler, auth: false });
  const guarded = (handler: Handler): Route => ({ handler, auth: true });
  return new Map<string, Route>([
    ['/healthz', open(healthz)],
    ['/metrics', open(metrics)],
    ['/gate/approve', guarded(approve)],
    ['/gate/halt', guarded(halt)],
    ['/gate/check', guarded(checkGate('gate'))],
    ['/gate/open', guarded(setGate('gate', true))],
    ['/gate/close', guarded(setGate('gate', false))],
    ['/rollback/check', guarded(checkGate('rollback'))],
    ['/rollback/open', guarded(setGate('rollback', true))],
    ['/rollback/close', guarded(setGate('rollback', false))],
    [taskPath, guarded(runTask)],
  ]);
}
