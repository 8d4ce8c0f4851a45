/** Timing of the leader Lease. */
export interface LeaseTiming {
  /** How long followers wait, after they last saw the Lease change, before taking it over. */
  leaseDurationMs: number;
  /** How long the leader keeps acting without a successful renewal; shorter than the lease. */
  renewDeadlineMs: number;
  /** Pause between two acquire or renew attempts. */
  retryPeriodMs: number;
}

/** Flagger's timing (cmd/flagger/main.go): 60 s lease, renew within 15 s, retry every 5 s. */
export const FLAGGER_LEASE_TIMING: LeaseTiming = { leaseDurationMs: 60_000, renewDeadlineMs: 15_000, retryPeriodMs: 5_000 };

/**
 * Checks a timing as client-go does, and returns it (Flagger's when none is given). The renew deadline must
 * be shorter than the lease, or a leader could still act after a follower took over; and longer than 1.2
 * retry periods, or a single slow attempt would end leadership.
 */
export function validateLeaseTiming(timing: LeaseTiming = FLAGGER_LEASE_TIMING): LeaseTiming {
  const { leaseDurationMs, renewDeadlineMs, retryPeriodMs } = timing;
  if (!(retryPeriodMs > 0)) throw new Error(`leader election: the retry period must be positive (got ${retryPeriodMs} ms)`);
  if (!(leaseDurationMs > renewDeadlineMs)) {
    throw new Error(`leader election: the lease duration (${leaseDurationMs} ms) must be longer than the renew deadline (${renewDeadlineMs} ms)`);
  }
  if (!(renewDeadlineMs > 1.2 * retryPeriodMs)) {
    throw new Error(`leader election: the renew deadline (${renewDeadlineMs} ms) must be longer than 1.2 × the retry period (${retryPeriodMs} ms)`);
  }
  if (leaseDurationMs % 1000 !== 0) throw new Error(`leader election: the lease duration must be whole seconds (got ${leaseDurationMs} ms)`);
  return timing;
}
