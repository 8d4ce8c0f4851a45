/**
 * Counters of a gRPC load test and its report, in the shape of the hey report: every status other than
 * OK is an error (ghz counts them the same way in its status code distribution).
 */
import type { LoadResult } from '../hey/engine.js';
import { LatencyHistogram } from '../hey/latency-histogram.js';
import { summariseRun, type RunSummary, type Thresholds } from '../hey/report.js';
import { statusName } from './grpc-target.js';

/** Distinct error messages kept for the report; further ones are only counted. */
const maxErrorMessages = 10;

/** Calls by gRPC status code, their latency, and the first distinct error messages. */
export class GrpcStats {
  readonly codes = new Map<number, number>();
  readonly errorMessages = new Map<string, number>();
  readonly latency = new LatencyHistogram();

  record(code: number, error: string | undefined, latencyMs: number): void {
    this.latency.record(latencyMs);
    this.codes.set(code, (this.codes.get(code) ?? 0) + 1);
    if (error === undefined) return;
    const seen = this.errorMessages.get(error);
    if (seen !== undefined || this.errorMessages.size < maxErrorMessages) this.errorMessages.set(error, (seen ?? 0) + 1);
  }

  get requests(): number {
    return this.latency.count;
  }

  get errors(): number {
    return this.requests - (this.codes.get(0) ?? 0);
  }
}

/** What a gRPC load test did, returned by synchronous tasks and logged for background ones. */
export interface GrpcReport extends RunSummary {
  /** Calls by status name: `{"OK": 598, "UNAVAILABLE": 2}`. */
  statusCodes: Record<string, number>;
  /** Up to 10 distinct error messages (`UNAVAILABLE: No connection established`) and their counts. */
  errorMessages: Record<string, number>;
}

/** Summarises a run and checks it against `thresholds` (`countClientErrors` does not apply). */
export function buildGrpcReport(result: LoadResult<GrpcStats>, thresholds: Thresholds): GrpcReport {
  const { stats } = result;
  const { head, tail } = summariseRun(stats, result, thresholds);
  const statusCodes = Object.fromEntries([...stats.codes.entries()].sort((a, b) => a[0] - b[0]).map(([code, count]) => [statusName(code), count]));
  return { ...head, statusCodes, errorMessages: Object.fromEntries(stats.errorMessages), ...tail };
}
