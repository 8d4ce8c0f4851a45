/**
 * The CloudWatch metrics provider (MetricTemplate `provider.type: cloudwatch`): runs the template's
 * `MetricDataQuery` list through `GetMetricData` over a window ending now and reduces the answer to the
 * newest value of the one returned series, or a typed error saying why it could not.
 */
import type { GetMetricDataCommandInput, GetMetricDataCommandOutput, MetricDataResult } from '@aws-sdk/client-cloudwatch';
import { parseGoDuration } from '../api/duration.js';
import type { CloudWatchPort } from '../ports/cloudwatch.js';
import { parseMetricDataQueries } from './cloudwatch-query.js';
import { MetricConfigError, NoDataError, QueryError, errorMessage } from './errors.js';
import type { MetricsProvider, OnlineProbe } from './prometheus.js';

/** What a {@link CloudWatchProvider} is built from. */
export interface CloudWatchProviderOptions {
  /** `spec.provider.region` of the template; required. */
  readonly region: string;
  /** GetMetricData in that region. */
  readonly client: CloudWatchPort;
  /** Milliseconds since the epoch (the Clock port's `now`); the query window ends here. */
  readonly now: () => number;
  /** Length of the query window; see {@link cloudWatchWindowSeconds}. */
  readonly windowSeconds: number;
}

// parity: Flagger's cloudwatch provider looks back ten metric intervals, so that the newest datapoint is
// found even when CloudWatch has not yet published the latest period.
const windowIntervals = 10;
// A page of GetMetricData is at most 100,800 datapoints; a runaway NextToken loop stops here instead.
const maxPages = 20;
// GetMetricData's argument errors; answering one means the credentials and the permission were accepted.
const validationError = /Validation|InvalidParameter|MissingParameter/;

/**
 * Seconds of the window a template metric looks back over: ten times its `interval`.
 * Examples: `1m` → 600; `30s` → 300; `1m30s` → 900. An interval that is not a positive Go duration
 * throws {@link MetricConfigError}.
 */
export function cloudWatchWindowSeconds(interval: string): number {
  const ms = parseGoDuration(interval);
  if (ms === undefined || ms <= 0) throw new MetricConfigError(`metric interval "${interval}" is not a positive duration`);
  return Math.ceil((ms * windowIntervals) / 1000);
}

/** The template's region; throws {@link MetricConfigError} naming the field when it is missing. */
export function cloudWatchRegion(region: string | undefined): string {
  if (region === undefined || region.trim() === '') {
    throw new MetricConfigError('spec.provider.region is required for provider type cloudwatch');
  }
  return region;
}

/**
 * CloudWatch `GetMetricData` as a {@link MetricsProvider}. A query is the rendered `spec.query` (see
 * {@link parseMetricDataQueries} for the format).
 *
 * parity: Flagger pkg/metrics/providers/cloudwatch.go. Same query format and window; differences: every
 * page is read (Flagger reads one page of 20 datapoints), the newest datapoint is chosen by timestamp
 * (Flagger takes the first value of the first result), NaN or ±Inf is no data, and a query returning several
 * series is an error rather than a silent choice. Credentials come from the operator's AWS chain, as in
 * Flagger; `spec.provider.secretRef` is not read.
 */
export class CloudWatchProvider implements MetricsProvider {
  private readonly client: CloudWatchPort;
  private readonly now: () => number;
  private readonly windowMs: number;

  /** Throws {@link MetricConfigError} for a missing region or a window that is not positive. */
  constructor(options: CloudWatchProviderOptions) {
    cloudWatchRegion(options.region);
    if (!(options.windowSeconds > 0)) throw new MetricConfigError(`window of ${options.windowSeconds}s is not positive`);
    this.client = options.client;
    this.now = options.now;
    this.windowMs = options.windowSeconds * 1000;
  }

  /** The newest finite value of the query's one returned series. */
  async query(query: string): Promise<number> {
    const { queries, returned } = parseMetricDataQueries(query);
    const end = this.now();
    const results = await getAllMetricData(this.client, {
      MetricDataQueries: queries, StartTime: new Date(end - this.windowMs), EndTime: new Date(end), ScanBy: 'TimestampDescending',
    });
    return newestValue(returnedSeries(results, returned));
  }

  /**
   * Sends a GetMetricData without queries: online when CloudWatch answers it, or refuses it only as an
   * invalid request (so the credentials and the `cloudwatch:GetMetricData` permission were accepted).
   */
  async isOnline(): Promise<OnlineProbe> {
    const end = this.now();
    try {
      await this.client.getMetricData({ MetricDataQueries: [], StartTime: new Date(end - 60_000), EndTime: new Date(end) });
      return { online: true };
    } catch (error) {
      const { status, name } = sdkErrorFacts(error);
      if (status === 400 && validationError.test(name)) return { online: true };
      return { online: false, reason: describeSdkError(error) };
    }
  }
}

/**
 * Every page of a GetMetricData request, following `NextToken`, with the pages of each series joined.
 * Series are told apart by `Id` and `Label` (a Metrics Insights `GROUP BY` returns several under one Id).
 * Throws {@link QueryError} when the call fails or a series ends `Forbidden` or `InternalError`.
 */
export async function getAllMetricData(client: CloudWatchPort, input: GetMetricDataCommandInput): Promise<MetricDataResult[]> {
  const series = new Map<string, MetricDataResult>();
  let token: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const out = await callGetMetricData(client, { ...input, ...(token === undefined ? {} : { NextToken: token }) });
    for (const result of out.MetricDataResults ?? []) mergeSeries(series, result);
    token = out.NextToken;
    if (token === undefined || token === '') return checkStatus([...series.values()]);
  }
  throw new QueryError(`CloudWatch GetMetricData still had more pages after ${maxPages}`, false);
}

async function callGetMetricData(client: CloudWatchPort, input: GetMetricDataCommandInput): Promise<GetMetricDataCommandOutput> {
  try {
    return await client.getMetricData(input);
  } catch (error) {
    const { status, name } = sdkErrorFacts(error);
    const retriable = status === undefined || status >= 500 || status === 429 || /Throttl/.test(name);
    throw new QueryError(`CloudWatch GetMetricData failed: ${describeSdkError(error)}`, retriable);
  }
}

function mergeSeries(series: Map<string, MetricDataResult>, result: MetricDataResult): void {
  const key = JSON.stringify([result.Id ?? '', result.Label ?? '']);
  const seen = series.get(key);
  series.set(key, seen === undefined ? { ...result } : {
    ...seen,
    Values: [...(seen.Values ?? []), ...(result.Values ?? [])],
    Timestamps: [...(seen.Timestamps ?? []), ...(result.Timestamps ?? [])],
    StatusCode: result.StatusCode,
  });
}

function checkStatus(results: MetricDataResult[]): MetricDataResult[] {
  const failed = results.find((r) => r.StatusCode === 'Forbidden' || r.StatusCode === 'InternalError');
  if (failed === undefined) return results;
  const messages = (failed.Messages ?? []).map((m) => m.Value ?? m.Code ?? '').filter((m) => m !== '');
  const detail = messages.length === 0 ? '' : `: ${messages.join('; ')}`;
  throw new QueryError(`CloudWatch series ${failed.Id ?? '?'} ended ${failed.StatusCode ?? ''}${detail}`, failed.StatusCode === 'InternalError');
}

/**
 * The one series of query `id` that has a finite value. None → {@link NoDataError}; several (a `GROUP BY`
 * splitting the series) → {@link MetricConfigError}, since any choice among them would be arbitrary.
 */
function returnedSeries(results: readonly MetricDataResult[], id: string): MetricDataResult {
  const withData = results.filter((r) => r.Id === id && finitePoints(r).length > 0);
  const [only, ...others] = withData;
  if (only === undefined) throw new NoDataError(`CloudWatch returned no datapoints for query ${id}`);
  if (others.length > 0) {
    const labels = withData.map((r) => r.Label ?? '?').join(', ');
    throw new MetricConfigError(`spec.query: query ${id} returned ${withData.length} series (${labels}); the check needs exactly one`);
  }
  return only;
}

/** The value with the newest timestamp among the finite values of a series; none → {@link NoDataError}. */
function newestValue(result: MetricDataResult): number {
  // Strictly newer wins, so without timestamps the first value is taken, as Flagger does.
  const newest = finitePoints(result).reduce<{ value: number; time: number } | undefined>(
    (best, p) => (best === undefined || p.time > best.time ? p : best), undefined);
  if (newest === undefined) throw new NoDataError(`CloudWatch returned no finite value for query ${result.Id ?? '?'}`);
  return newest.value;
}

/** The finite values of a series with their times (ms; a missing timestamp counts as the oldest). */
export function finitePoints(result: MetricDataResult): { value: number; time: number }[] {
  const times = result.Timestamps ?? [];
  return (result.Values ?? [])
    .map((value, i) => ({ value, time: times[i]?.getTime() ?? Number.NEGATIVE_INFINITY }))
    .filter((p) => Number.isFinite(p.value));
}

function sdkErrorFacts(error: unknown): { status: number | undefined; name: string } {
  const meta = (error as { $metadata?: { httpStatusCode?: unknown } } | null)?.$metadata;
  const status = typeof meta?.httpStatusCode === 'number' ? meta.httpStatusCode : undefined;
  return { status, name: error instanceof Error ? error.name : '' };
}

function describeSdkError(error: unknown): string {
  const { status, name } = sdkErrorFacts(error);
  const code = status === undefined ? name : `${name} (HTTP ${status})`;
  return code === '' ? errorMessage(error) : `${code}: ${errorMessage(error)}`;
}
