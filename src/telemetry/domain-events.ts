import { EventEmitter } from 'eventemitter3';

/** The canary a domain event is about. */
export interface CanaryIdentity {
  name: string;
  namespace: string;
  uid?: string;
  /** `targetRef.name`. */
  target: string;
}

/** How loud an event is: Flagger's info / warn / error (Kubernetes Event type Normal or Warning). */
export type Severity = 'info' | 'warn' | 'error';

/**
 * Something a user should see about a canary: becomes a Kubernetes Event (reason `Synced`, as Flagger), a log
 * line, an event-webhook call, and, when `alert` is set, a notification.
 */
export interface CanaryNotice {
  canary: CanaryIdentity;
  severity: Severity;
  message: string;
  /** Send to the alert providers too (one alert per state change, never per interval). */
  alert?: boolean;
  /** Current phase, for the event-webhook payload. */
  phase?: string;
  /** The Kubernetes Event's reason, when not Flagger's `Synced` (e.g. `ActionAccepted`, `ActionRefused`). */
  reason?: string;
}

/** A run that ended: its result, the reason the Ready condition gives, and how long it took. */
export interface ReleaseEnd {
  canary: CanaryIdentity;
  result: 'succeeded' | 'failed';
  /** `Succeeded`, or why the run failed (a failure reason of the Ready condition, e.g. `CheckFailed`). */
  reason: string;
  /** From the start of the run (its revision detected) to its outcome; absent when the start is not known. */
  seconds?: number;
}

/** Typed domain events; emitted only after the tick's status patch succeeded. */
export interface DomainEvents {
  notice: (notice: CanaryNotice) => void;
  /** `seconds`: the time spent in `from`, when its start is known. */
  phaseChanged: (change: { canary: CanaryIdentity; from: string; to: string; seconds?: number }) => void;
  releaseEnded: (end: ReleaseEnd) => void;
}

/** The bus the reconciler emits on and the telemetry sinks listen to. */
export type DomainBus = EventEmitter<DomainEvents>;

/** A new bus. Listeners must catch their own errors: eventemitter3 calls them synchronously inside `emit`. */
export function createDomainBus(): DomainBus {
  return new EventEmitter<DomainEvents>();
}
