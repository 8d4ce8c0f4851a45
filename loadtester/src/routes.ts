/** The route table: Flagger's loadtester paths (spec §8), with authentication on the mutating ones. */
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
    ['/gate/approve', open(approve)],
    ['/gate/halt', open(halt)],
    ['/gate/check', open(checkGate('gate'))],
    ['/gate/open', guarded(setGate('gate', true))],
    ['/gate/close', guarded(setGate('gate', false))],
    ['/rollback/check', open(checkGate('rollback'))],
    ['/rollback/open', guarded(setGate('rollback', true))],
    ['/rollback/close', guarded(setGate('rollback', false))],
    [taskPath, guarded(runTask)],
  ]);
}
