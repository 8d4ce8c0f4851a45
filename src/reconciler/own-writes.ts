import type { Clock } from '../ports/clock.js';

/** How long a tick waits for the Canary cache to show the status the previous tick wrote. */
export const catchUpTimeoutMs = 5_000;

/**
 * True when resourceVersion `a` is older than `b`. Kubernetes resourceVersions are etcd revisions (decimal
 * integers) in practice; any other form counts as not older, so the wait ends on the next event.
 * Example: '98' is older than '102' (compared as numbers, not as strings, where '98' > '102').
 */
export function isOlder(a: string | undefined, b: string): boolean {
  if (a === undefined) return true;
  if (!/^\d+$/.test(a) || !/^\d+$/.test(b)) return false;
  return BigInt(a) < BigInt(b);
}

/**
 * The status writes of each canary that the Canary cache has not shown yet. A tick triggered right after
 * another (by a Deployment the first one scaled, say) would otherwise read the Canary from before that
 * tick's status patch and repeat its step: "Initialization done!" twice, or worse, a revision recorded as
 * promoted without a run. The next tick of that canary waits until the cache has caught up; if it has not
 * within the timeout, the tick does not run at all (the controller tries again shortly), because acting on
 * the older status would repeat or undo what the last tick did.
 */
export class OwnWrites {
  private readonly pending = new Map<string, { resourceVersion: string; done: () => void; seen: Promise<void> }>();

  constructor(private readonly clock: Clock) {}

  /** Records that `key`'s status was written at `resourceVersion`, unless the cache already shows it. */
  wrote(key: string, resourceVersion: string, cachedResourceVersion: string | undefined): void {
    if (!isOlder(cachedResourceVersion, resourceVersion)) return;
    let done = (): void => undefined;
    const seen = new Promise<void>((resolve) => {
      done = resolve;
    });
    this.pending.set(key, { resourceVersion, done, seen });
  }

  /** The cache showed `key` at `resourceVersion` (or deleted it). */
  observed(key: string, resourceVersion: string | undefined, deleted = false): void {
    const entry = this.pending.get(key);
    if (entry === undefined || (!deleted && isOlder(resourceVersion, entry.resourceVersion))) return;
    this.pending.delete(key);
    entry.done();
  }

  /**
   * True once the cache shows `key`'s last write (at once when there is none pending); false when it still
   * does not after {@link catchUpTimeoutMs}. The write stays pending then, so the next attempt waits again.
   */
  async caughtUp(key: string): Promise<boolean> {
    const entry = this.pending.get(key);
    if (entry === undefined) return true;
    let timer: { cancel(): void } | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = this.clock.setTimer(catchUpTimeoutMs, () => resolve(false));
    });
    const seen = await Promise.race([entry.seen.then(() => true), timeout]);
    timer?.cancel();
    return seen;
  }
}
