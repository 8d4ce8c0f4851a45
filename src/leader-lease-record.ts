import type { Lease } from './kube/resources.js';
import type { LeaseTiming } from './leader-lease-timing.js';

type LeaseSpec = NonNullable<Lease['spec']>;

/** A Lease's MicroTime: RFC 3339 with microseconds, e.g. `2026-01-01T00:00:00.000000Z`. */
function microTime(ms: number): Date {
  // The REST API carries timestamps as strings; the client-node type says Date.
  return new Date(ms).toISOString().replace('Z', '000Z') as unknown as Date;
}

/**
 * What identifies one state of the Lease record: holder, times, duration and transitions. A follower restarts
 * its expiry countdown whenever this changes (the holder renewed, or another replica took over).
 */
export function leaseRecordKey(spec: Lease['spec']): string {
  return JSON.stringify([spec?.holderIdentity, spec?.renewTime, spec?.acquireTime, spec?.leaseDurationSeconds, spec?.leaseTransitions]);
}

/**
 * The record `identity` writes to acquire or renew at `now`: renewing keeps the acquire time and the
 * transition count; taking over from another holder sets both anew.
 */
export function nextLeaseSpec(current: Lease['spec'], identity: string, now: number, timing: LeaseTiming): LeaseSpec {
  const renewing = current?.holderIdentity === identity;
  const transitions = current?.leaseTransitions ?? 0;
  return {
    ...current,
    holderIdentity: identity,
    leaseDurationSeconds: timing.leaseDurationMs / 1000,
    renewTime: microTime(now),
    acquireTime: renewing && current.acquireTime !== undefined ? current.acquireTime : microTime(now),
    leaseTransitions: renewing || current === undefined ? transitions : transitions + 1,
  };
}

/** The record a holder writes when it steps down: no holder, so that any follower may take over at once. */
export function releasedLeaseSpec(current: Lease['spec'], now: number): LeaseSpec {
  // client-go also shortens the duration to 1 s on release, for followers that still count the old record.
  return { ...current, holderIdentity: undefined, leaseDurationSeconds: 1, renewTime: microTime(now) };
}
