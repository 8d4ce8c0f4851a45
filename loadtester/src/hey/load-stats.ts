import { LatencyHistogram } from './latency-histogram.js';

/** Status code 0 stands for "no HTTP response" (connection refused, reset, timed out, aborted). */
export const noResponse = 0;

/** Counters of one load test, in constant memory apart from the (small) set of distinct error codes. */
export class LoadStats {
  /** Responses by HTTP status code (index = code, 100–599; index 0 = no response). */
  readonly statusCounts = new Float64Array(600);
  /** Requests without a response, by error code (`ECONNREFUSED`, `ETIMEDOUT`, `UND_ERR_SOCKET`, …). */
  readonly transportErrors = new Map<string, number>();
  readonly latency = new LatencyHistogram();

  /** Records one finished request: its status (or {@link noResponse} with an error code) and latency. */
  record(status: number, error: string | undefined, latencyMs: number): void {
    this.latency.record(latencyMs);
    const index = status >= 100 && status < 600 ? status : noResponse;
    this.statusCounts[index] = (this.statusCounts[index] ?? 0) + 1;
    if (index === noResponse) {
      const code = error ?? 'UNKNOWN';
      this.transportErrors.set(code, (this.transportErrors.get(code) ?? 0) + 1);
    }
  }

  /** Requests finished so far, with or without a response. */
  get requests(): number {
    return this.latency.count;
  }

  /** Requests whose status is in [from, to). */
  countStatus(from: number, to: number): number {
    let total = 0;
    for (let code = from; code < to; code++) total += this.statusCounts[code] ?? 0;
    return total;
  }
}
