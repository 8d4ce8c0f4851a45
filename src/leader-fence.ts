import { NotLeaderError } from './errors.js';
import { passThroughReads } from './kube/kube-decorator.js';
import type { Clock, Timer } from './ports/clock.js';
import type { CallOptions, Kube, KubeObject, ResourceType } from './ports/kube.js';

/** Until when (local clock, ms) this replica surely holds the Lease; see LeaderElector.leadingUntil. */
export interface LeadershipWindow {
  leadingUntil(): number;
}

type Call<R> = (opts: CallOptions) => Promise<R>;

/**
 * Wraps the operator's Kube port so that no write reaches the API server unless this replica surely leads:
 * every create, replace, patch (status included), delete and Event is refused with a {@link NotLeaderError}
 * once the leadership window has closed, and a write still in flight when it closes is aborted. A tick in
 * flight when leadership is lost (say, one waiting for a slow webhook through a network partition) thus fails
 * its next write and stops, instead of acting beside the new leader. Reads and watches pass through.
 *
 * The window closes at the renew deadline after the last renewal was sent, which is before any follower may
 * take over (lease duration after it saw that renewal). A request already on the wire when the window closes
 * is aborted locally; the API server has no fencing token, so one delayed in the network could still land
 * (as with every client-go controller).
 */
export function fenceWrites(kube: Kube, window: LeadershipWindow, clock: Clock): Kube {
  const fenced = <R>(what: string, opts: CallOptions | undefined, call: Call<R>): Promise<R> => {
    if (clock.now() >= window.leadingUntil()) return Promise.reject(new NotLeaderError(what));
    const controller = new AbortController();
    let timer: Timer | undefined;
    // Re-armed at each expiry while renewals push the window forward; aborts once it really closed.
    const arm = (): void => {
      timer = clock.setTimer(Math.max(0, window.leadingUntil() - clock.now()), () => {
        if (clock.now() < window.leadingUntil()) arm();
        else controller.abort(new NotLeaderError(what));
      });
    };
    arm();
    const signal = opts?.signal === undefined ? controller.signal : AbortSignal.any([opts.signal, controller.signal]);
    return call({ ...opts, signal }).finally(() => timer?.cancel());
  };
  const named = (verb: string, type: ResourceType, target: { namespace?: string; name: string }): string =>
    `${verb} ${type.kind} ${target.namespace === undefined ? '' : `${target.namespace}/`}${target.name}`;
  return {
    ...passThroughReads(kube),
    create: <T extends KubeObject>(type: ResourceType<T>, object: T, opts?: CallOptions) =>
      fenced(named('create', type, object.metadata), opts, (o) => kube.create(type, object, o)),
    replace: (type, object, opts) => fenced(named(opts?.subresource === 'status' ? 'replace status of' : 'replace', type, object.metadata), opts, (o) => kube.replace(type, object, o)),
    patch: (type, target, body, opts) => fenced(named(opts?.subresource === 'status' ? 'patch status of' : 'patch', type, target), opts, (o) => kube.patch(type, target, body, o)),
    delete: (type, target, opts) => fenced(named('delete', type, target), opts, (o) => kube.delete(type, target, o)),
  };
}
