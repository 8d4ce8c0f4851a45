/**
 * Errors of metric analysis. Each has a stable `code`, so callers branch on the kind of failure rather than
 * on message text, and a `retriable` flag: a query that failed may work next tick, a template that names an
 * unknown variable will not until someone edits it.
 */

/** Stable codes of metric analysis errors. */
export type MetricsErrorCode = 'NoData' | 'QueryFailed' | 'RenderFailed' | 'Config' | 'NoBuiltinQuery';

/** Base class of every error this module throws on purpose. */
export class MetricsError extends Error {
  constructor(
    readonly code: MetricsErrorCode,
    message: string,
    readonly retriable: boolean,
  ) {
    super(message);
    this.name = 'MetricsError';
  }
}

/**
 * The query returned nothing to compare: an empty result, NaN (e.g. `0/0` when nothing was requested) or
 * ±Inf. Never a pass; `onNoData` decides between Fail and Skip.
 */
export class NoDataError extends MetricsError {
  constructor(readonly reason: string) {
    super('NoData', `no values found: ${reason}`, true);
    this.name = 'NoDataError';
  }
}

/** The metrics server refused or failed the query, or answered something other than one sample. */
export class QueryError extends MetricsError {
  constructor(message: string, retriable = true) {
    super('QueryFailed', message, retriable);
    this.name = 'QueryError';
  }
}

/** A query template could not be rendered; `field` names what it refers to, e.g. `variables.cluster`. */
export class RenderError extends MetricsError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super('RenderFailed', message, false);
    this.name = 'RenderError';
  }
}

/**
 * The configuration of a check is unusable: a missing MetricTemplate or Secret, a provider type Songbird
 * does not implement, an invalid address or incomplete credentials.
 */
export class MetricConfigError extends MetricsError {
  constructor(message: string, retriable = false) {
    super('Config', message, retriable);
    this.name = 'MetricConfigError';
  }
}

/** The traffic provider has no builtin query for a builtin metric name. */
export class NoBuiltinQueryError extends MetricsError {
  constructor(message: string) {
    super('NoBuiltinQuery', message, false);
    this.name = 'NoBuiltinQueryError';
  }
}

/** The message of anything thrown, for status and events. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
