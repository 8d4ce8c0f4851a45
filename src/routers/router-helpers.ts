import type { Canary } from '../api/canary.js';
import { isConflict } from '../ports/kube.js';

/** For `.then(() => true, rethrowUnlessConflict)`: false on a 409 (retry with a fresh read), else rethrows. */
export function rethrowUnlessConflict(error: unknown): false {
  if (isConflict(error)) return false;
  throw error;
}

/** The Canary's namespace. */
export function namespaceOf(canary: Canary): string {
  return canary.metadata.namespace ?? '';
}

/** Log fields naming the canary the way Flagger does (`<name>.<namespace>`). */
export function logFields(canary: Canary): Record<string, string> {
  return { canary: `${canary.metadata.name}.${namespaceOf(canary)}` };
}
