import type { Clock, Timer } from '../../src/ports/clock.js';
import type { CallOptions, Kube } from '../../src/ports/kube.js';

/** How one replica's requests fare: delivered, failing at once, or hanging until their signal aborts them. */
export type LinkState = 'up' | 'down' | 'hang';

/** One replica's connection to a shared fake API server, which a test can cut or make hang. */
export interface ReplicaLink {
  kube: Kube;
  state: LinkState;
  /** Requests that hung and were then aborted through their signal. */
  aborted: number;
  /** Requests still hanging. */
  hanging: number;
}

/**
 * Wraps `kube` as seen by one replica. `down` rejects every request as a refused connection would; `hang`
 * holds every request until its AbortSignal fires (never, without one), as a network partition does.
 */
export function replicaLink(kube: Kube): ReplicaLink {
  const link: ReplicaLink = { kube: kube, state: 'up', aborted: 0, hanging: 0 };
  const through = <R>(opts: CallOptions | undefined, call: () => Promise<R>): Promise<R> => {
    if (link.state === 'down') return Promise.reject(new Error('connect ECONNREFUSED'));
    if (link.state === 'up') return call();
    link.hanging += 1;
    return new Promise<R>((_, reject) => opts?.signal?.addEventListener('abort', () => {
      link.hanging -= 1;
      link.aborted += 1;
      reject(opts.signal?.reason instanceof Error ? opts.signal.reason : new Error('aborted'));
    }, { once: true }));
  };
  link.kube = {
    get: (type, namespace, name, opts) => through(opts, () => kube.get(type, namespace, name, opts)),
    list: (type, namespace, selectors) => through(undefined, () => kube.list(type, namespace, selectors)),
    listPage: (type, request) => through(undefined, () => kube.listPage(type, request)),
    create: (type, object, opts) => through(opts, () => kube.create(type, object, opts)),
    replace: (type, object, opts) => through(opts, () => kube.replace(type, object, opts)),
    patch: (type, target, body, opts) => through(opts, () => kube.patch(type, target, body, opts)),
    delete: (type, target, opts) => through(opts, () => kube.delete(type, target, opts)),
    watch: (type, opts, onEvent) => kube.watch(type, opts, onEvent),
  };
  return link;
}

/** A clock `offsetMs` ahead of (or, negative, behind) `base`, whose timers run on `base`'s time. */
export function skewedClock(base: Clock, offsetMs: number): Clock {
  return {
    now: () => base.now() + offsetMs,
    setTimer: (ms: number, fn: () => void): Timer => base.setTimer(ms, fn),
    sleep: (ms: number) => base.sleep(ms),
  };
}
