import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { Resources, type Lease } from './kube/resources.js';
import type { Clock } from './ports/clock.js';
import { isConflict, type Kube } from './ports/kube.js';
import type { Logger } from './ports/logger.js';

/** Timing of the Lease, Flagger's values: 60 s lease, renew within 15 s, retry every 5 s. */
export interface LeaseTiming {
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

const FLAGGER_TIMING: LeaseTiming = { leaseDurationMs: 60_000, renewDeadlineMs: 15_000, retryPeriodMs: 5_000 };

/**
 * Leader election with a `coordination.k8s.io` Lease named `flagger-leader-election`. `run` waits until this
 * replica holds the Lease, calls `onLeading`, then renews it; when renewal fails for longer than the renew
 * deadline it calls `onLost` (the operator exits, as Flagger does, so no two leaders ever tick).
 */
export class LeaderElector {
  readonly identity = `${hostname()}_${randomUUID()}`;
  private stopped = false;

  constructor(private readonly deps: { kube: Kube; clock: Clock; logger: Logger; namespace: string; name?: string; timing?: LeaseTiming }) {}

  async run(onLeading: () => Promise<void>, onLost: () => void): Promise<void> {
    const timing = this.deps.timing ?? FLAGGER_TIMING;
    while (!this.stopped && !(await this.tryAcquireOrRenew().catch((error: unknown) => this.campaignFailed(error)))) {
      await this.deps.clock.sleep(timing.retryPeriodMs);
    }
    if (this.stopped) return;
    this.deps.logger.info('acquired leadership', { identity: this.identity });
    await onLeading();
    let lastRenew = this.deps.clock.now();
    while (!this.stopped) {
      await this.deps.clock.sleep(timing.retryPeriodMs);
      if (this.stopped) return;
      if (await this.tryAcquireOrRenew().catch(() => false)) lastRenew = this.deps.clock.now();
      else if (this.deps.clock.now() - lastRenew > timing.renewDeadlineMs) {
        this.deps.logger.error('lost leadership', { identity: this.identity });
        onLost();
        return;
      }
    }
  }

  /** Stops campaigning and releases the Lease if held. */
  async release(): Promise<void> {
    this.stopped = true;
    const lease = await this.deps.kube.get(Resources.leases, this.deps.namespace, this.name).catch(() => undefined);
    if (lease?.spec?.holderIdentity !== this.identity) return;
    await this.deps.kube.replace(Resources.leases, { ...lease, spec: { ...lease.spec, holderIdentity: undefined, renewTime: undefined } }).catch(() => undefined);
  }

  // A follower keeps campaigning through any API error (the API server restarting, 429, 500), not only 409:
  // it logs and tries again at the next retry period.
  private campaignFailed(error: unknown): boolean {
    this.deps.logger.warn('could not read or take the leader election Lease, retrying', { error: String(error) });
    return false;
  }

  private get name(): string {
    return this.deps.name ?? 'flagger-leader-election';
  }

  // True when this replica holds the Lease after the call.
  private async tryAcquireOrRenew(): Promise<boolean> {
    const { kube, namespace, clock } = this.deps;
    const timing = this.deps.timing ?? FLAGGER_TIMING;
    const now = new Date(clock.now()).toISOString().replace('Z', '000Z');
    const lease = await kube.get(Resources.leases, namespace, this.name);
    const spec = { holderIdentity: this.identity, leaseDurationSeconds: timing.leaseDurationMs / 1000, renewTime: now as unknown as Date };
    try {
      if (lease === undefined) {
        await kube.create(Resources.leases, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: this.name, namespace }, spec: { ...spec, acquireTime: now as unknown as Date } });
        return true;
      }
      if (!this.mayTake(lease, timing)) return false;
      await kube.replace(Resources.leases, { ...lease, spec: { ...lease.spec, ...spec } });
      return true;
    } catch (error) {
      if (isConflict(error)) return false;
      throw error;
    }
  }

  private mayTake(lease: Lease, timing: LeaseTiming): boolean {
    const holder = lease.spec?.holderIdentity;
    if (holder === undefined || holder === '' || holder === this.identity) return true;
    const renewed = Date.parse(String(lease.spec?.renewTime ?? ''));
    const duration = (lease.spec?.leaseDurationSeconds ?? timing.leaseDurationMs / 1000) * 1000;
    return Number.isNaN(renewed) || this.deps.clock.now() > renewed + duration;
  }
}
