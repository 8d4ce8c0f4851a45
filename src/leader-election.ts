import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { LeadershipLostError } from './errors.js';
import { Resources, type Lease } from './kube/resources.js';
import type { Clock } from './ports/clock.js';
import type { Kube } from './ports/kube.js';
import type { Logger } from './ports/logger.js';
import { leaseRecordKey, nextLeaseSpec, releasedLeaseSpec } from './leader-lease-record.js';
import { validateLeaseTiming, type LeaseTiming } from './leader-lease-timing.js';

export { FLAGGER_LEASE_TIMING, validateLeaseTiming, type LeaseTiming } from './leader-lease-timing.js';

/** What the leadership fence asks: until when (local clock, ms) this replica surely holds the Lease. */
export interface Leadership {
  leadingUntil(): number;
}

interface ElectorDeps {
  kube: Kube;
  clock: Clock;
  logger: Logger;
  namespace: string;
  name?: string;
  timing?: LeaseTiming;
}

/**
 * Leader election with a `coordination.k8s.io` Lease named `flagger-leader-election`, with client-go's
 * semantics: `run` campaigns until this replica holds the Lease, calls `onLeading`, then renews it every
 * retry period; when no renewal succeeds within the renew deadline it calls `onLost` (the operator then
 * stops and exits, as Flagger does).
 *
 * Time is only ever compared on one clock. A follower never reads the holder's `renewTime` as a time: it
 * notes, on its own clock, when it last saw the Lease record change, and takes over once it has seen no
 * change for `leaseDurationSeconds`. So a follower whose clock is minutes off still waits exactly one lease.
 * The holder, in turn, counts its lease from the moment it *sent* its last successful renewal (a follower
 * cannot have seen that renewal earlier), and considers itself leader only until that moment plus the renew
 * deadline, which is shorter than the lease: {@link leadingUntil} ends before any follower can take over.
 * Example with Flagger's timings: renewal sent at 12:00:00 → leading surely until 12:00:15; a follower that
 * saw that renewal at 12:00:01 may take over from 12:01:01 on.
 *
 * parity: Flagger uses client-go's leaderelection, which judges expiry the same way, but its workers keep
 * running (and writing) until the process has exited; here `leadingUntil` fences every write of the operator.
 */
export class LeaderElector implements Leadership {
  readonly identity = `${hostname()}_${randomUUID()}`;
  private readonly timing: LeaseTiming;
  private stopped = false;
  private leading = false;
  /** Local time at which the last successful acquire or renew request was sent. */
  private lastRenewSent = Number.NEGATIVE_INFINITY;
  /** The Lease record last seen and the local time it was first seen. */
  private observed: { key: string; holder: string; at: number; durationMs: number } | undefined;
  /** Why the last acquire or renew attempt failed (an API error, or its deadline), until one succeeds. */
  private lastFailure: unknown;

  constructor(private readonly deps: ElectorDeps) {
    this.timing = validateLeaseTiming(deps.timing);
  }

  /** Local time until which this replica surely holds the Lease; in the past when it does not lead. */
  leadingUntil(): number {
    return this.leading ? this.lastRenewSent + this.timing.renewDeadlineMs : Number.NEGATIVE_INFINITY;
  }

  /** Campaigns, leads, and calls `onLost` with why leadership ended (the last failed renewal as its cause). */
  async run(onLeading: () => Promise<void>, onLost: (error: LeadershipLostError) => void): Promise<void> {
    await this.campaign();
    if (this.stopped) return;
    this.leading = true;
    this.deps.logger.info('acquired leadership', { identity: this.identity });
    await onLeading();
    await this.renewWhileLeading();
    this.leading = false;
    if (this.stopped) return;
    const lease = `${this.deps.namespace}/${this.name}`;
    const cause = this.lastFailure;
    this.deps.logger.error('lost leadership', { identity: this.identity, lease, ...(cause === undefined ? {} : { cause: cause instanceof Error ? cause.message : JSON.stringify(cause) }) });
    onLost(new LeadershipLostError(lease, cause === undefined ? undefined : { cause }));
  }

  /** Stops campaigning and, while this replica surely leads, hands the Lease back so that another takes over at once. */
  async release(): Promise<void> {
    this.stopped = true;
    const remaining = this.leadingUntil() - this.deps.clock.now();
    this.leading = false;
    if (remaining <= 0) return;
    await this.withDeadline(remaining, async (signal) => {
      const lease = await this.deps.kube.get(Resources.leases, this.deps.namespace, this.name, { signal });
      if (lease?.spec?.holderIdentity !== this.identity) return false;
      // resourceVersion-guarded: a Lease someone else has written meanwhile is left alone (409).
      await this.deps.kube.replace(Resources.leases, { ...lease, spec: releasedLeaseSpec(lease.spec, this.deps.clock.now()) }, { signal });
      return true;
    });
  }

  private get name(): string {
    return this.deps.name ?? 'flagger-leader-election';
  }

  // Tries every retry period until this replica holds the Lease. Any error (API server down, 409, 500,
  // timeout) is one failed attempt, never the end of the campaign.
  private async campaign(): Promise<void> {
    const { retryPeriodMs, renewDeadlineMs } = this.timing;
    for (;;) {
      if (this.stopped) return;
      const sent = this.deps.clock.now();
      if (await this.withDeadline(renewDeadlineMs, (signal) => this.tryAcquireOrRenew(signal))) {
        this.lastRenewSent = sent;
        return;
      }
      await this.deps.clock.sleep(retryPeriodMs);
    }
  }

  // Renews every retry period; returns when leadership is lost (no renewal within the renew deadline, or
  // another replica holds the Lease) or on release. An attempt is aborted when the deadline passes.
  private async renewWhileLeading(): Promise<void> {
    const { retryPeriodMs, renewDeadlineMs } = this.timing;
    while (!this.stopped) {
      const deadline = this.lastRenewSent + renewDeadlineMs;
      await this.deps.clock.sleep(Math.max(0, Math.min(retryPeriodMs, deadline - this.deps.clock.now())));
      if (this.stopped) return;
      const sent = this.deps.clock.now();
      if (sent >= deadline) return;
      if (await this.withDeadline(deadline - sent, (signal) => this.tryAcquireOrRenew(signal))) this.lastRenewSent = sent;
      else if (this.heldByAnother()) return;
    }
  }

  // Runs one attempt, aborting it (and counting it failed) after `timeoutMs`, even if the port ignores the signal.
  private async withDeadline(timeoutMs: number, attempt: (signal: AbortSignal) => Promise<boolean>): Promise<boolean> {
    const controller = new AbortController();
    let timer: { cancel(): void } | undefined;
    let failure: unknown;
    const expired = new Promise<boolean>((resolve) => {
      timer = this.deps.clock.setTimer(timeoutMs, () => {
        failure = new Error(`lease request abandoned after ${timeoutMs} ms`);
        controller.abort(failure);
        resolve(false);
      });
    });
    const attempted = attempt(controller.signal).catch((error: unknown) => {
      failure ??= error;
      this.deps.logger.debug('lease attempt failed', { identity: this.identity, error: String(error) });
      return false;
    });
    try {
      const done = await Promise.race([attempted, expired]);
      // No failure when the attempt answered, even `false` (another replica holds the Lease).
      this.lastFailure = failure;
      return done;
    } finally {
      timer?.cancel();
    }
  }

  // True when this replica holds the Lease after the call. Writes carry the resourceVersion read, so of two
  // replicas that both found the Lease free, one gets a 409 and stays a follower.
  private async tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const { kube, namespace, clock } = this.deps;
    const lease = await kube.get(Resources.leases, namespace, this.name, { signal });
    if (lease === undefined) {
      const spec = nextLeaseSpec(undefined, this.identity, clock.now(), this.timing);
      const created = await kube.create(Resources.leases, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: this.name, namespace }, spec }, { signal });
      this.observe(created);
      return true;
    }
    this.observe(lease);
    if (!this.mayTake(lease)) return false;
    const updated = await kube.replace(Resources.leases, { ...lease, spec: nextLeaseSpec(lease.spec, this.identity, clock.now(), this.timing) }, { signal });
    this.observe(updated);
    return true;
  }

  // Notes when the record changed, on the local clock: the only time expiry is judged against.
  private observe(lease: Lease): void {
    const key = leaseRecordKey(lease.spec);
    if (this.observed?.key === key) return;
    const seconds = lease.spec?.leaseDurationSeconds;
    const durationMs = seconds !== undefined && seconds > 0 ? seconds * 1000 : this.timing.leaseDurationMs;
    this.observed = { key, holder: lease.spec?.holderIdentity ?? '', at: this.deps.clock.now(), durationMs };
  }

  private mayTake(lease: Lease): boolean {
    const holder = lease.spec?.holderIdentity;
    if (holder === undefined || holder === '' || holder === this.identity) return true;
    const observed = this.observed;
    return observed !== undefined && this.deps.clock.now() >= observed.at + observed.durationMs;
  }

  private heldByAnother(): boolean {
    const holder = this.observed?.holder ?? '';
    return holder !== '' && holder !== this.identity;
  }
}
