/**
 * The operator's errors, in one catalogue (metric analysis has its own, metrics/errors.ts). Each has a
 * stable `code`, so callers branch on the kind of failure rather than on message text, and a `retriable`
 * flag: a load balancer not provisioned yet may be there next tick, a spec the router cannot act on will not
 * be until someone edits it. Errors caused by another keep it as `cause`.
 */

/** Stable codes of the operator's errors. */
export type OperatorErrorCode =
  | 'ProviderNotImplemented' | 'RouterConfig' | 'ProviderNotReady' | 'AwsReadFailed' | 'NotLeader' | 'LeadershipLost';

/** Base class of every error the operator throws on purpose. */
export class OperatorError extends Error {
  constructor(readonly code: OperatorErrorCode, message: string, readonly retriable: boolean, options?: ErrorOptions) {
    super(message, options);
    this.name = 'OperatorError';
  }
}

/** A provider the schema admits but this build does not implement (never a silent fallback to another). */
export class ProviderNotImplementedError extends OperatorError {
  constructor(readonly provider: string) {
    super('ProviderNotImplemented', `provider ${provider} is not implemented yet`, false);
    this.name = 'ProviderNotImplementedError';
  }
}

/**
 * A Canary the router cannot act on as written, e.g. an `ingressRef` Ingress with no backend the provider
 * can drive: the tick shows it as a Stalled condition naming `field`, like an admission problem, not as a
 * transient error.
 */
export class RouterConfigError extends OperatorError {
  /** `detail` says what is wrong; the message is `<field>: <detail>`. */
  constructor(readonly field: string, readonly detail: string) {
    super('RouterConfig', `${field}: ${detail}`, false);
    this.name = 'RouterConfigError';
  }
}

/**
 * What the provider needs does not exist yet (a TargetGroupBinding, the load balancer of an Ingress): weight
 * verification reports it as pending. `cause` is the failed lookup that led here, where there was one.
 */
export class ProviderNotReadyError extends OperatorError {
  constructor(message: string, options?: ErrorOptions) {
    super('ProviderNotReady', message, true, options);
    this.name = 'ProviderNotReadyError';
  }
}

/** An AWS read failed (throttled, denied, unreachable); the message is the SDK's, the SDK error is `cause`. */
export class AwsReadError extends OperatorError {
  constructor(readonly operation: string, cause: unknown) {
    super('AwsReadFailed', cause instanceof Error ? cause.message : String(cause), true, { cause });
    this.name = 'AwsReadError';
  }
}

/** A write refused, or aborted in flight, because this replica no longer surely holds the leader Lease. */
export class NotLeaderError extends OperatorError {
  constructor(what: string) {
    super('NotLeader', `${what} refused: this replica does not hold the leader Lease (any more), so it must not write`, true);
    this.name = 'NotLeaderError';
  }
}

/**
 * No renewal of the leader Lease succeeded within the renew deadline, or another replica took it; `cause`
 * is the last failed renewal attempt, when one failed.
 */
export class LeadershipLostError extends OperatorError {
  constructor(lease: string, options?: ErrorOptions) {
    super('LeadershipLost', `lost leadership of Lease ${lease}`, false, options);
    this.name = 'LeadershipLostError';
  }
}
