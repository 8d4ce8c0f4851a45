import type { Canary } from '../../api/canary.js';
import { ALL_PRIMARY, type Router, type Weights } from '../router.js';

/**
 * The `kubernetes` provider: Blue/Green with plain Services and no traffic objects. The apex Service always
 * selects the primary pods, so there is nothing to route; tests reach the canary through `<name>-canary`.
 * parity: pkg/router/nop.go, GetRoutes reports the canary as "live" (0/100) once iterations started, which
 * is what the Blue/Green steps of the phase machine expect.
 */
export class KubernetesRouter implements Router {
  reconcile(): Promise<void> {
    return Promise.resolve();
  }

  getRoutes(canary: Canary): Promise<Weights> {
    const started = (canary.status?.iterations ?? 0) > 0;
    return Promise.resolve(started ? { primary: 0, canary: 100, mirrored: false } : ALL_PRIMARY);
  }

  setRoutes(): Promise<void> {
    return Promise.resolve();
  }

  finalize(): Promise<void> {
    return Promise.resolve();
  }
}
