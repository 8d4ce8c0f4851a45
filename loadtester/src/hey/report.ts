/**
 * The summary of a load test, and the pass/fail thresholds a synchronous (`type: hey`) task checks it
 * against: hey itself never fails on HTTP 500s (Flagger #366, #431), this one can.
 */
import { parseGoDuration } from './go-duration.js';
import type { LoadResult } from './engine.js';
import type { LatencyHistogram } from './latency-histogram.js';
import { noResponse } from './load-stats.js';

/** Limits read from webhook metadata; each is optional. Latencies in milliseconds. */
export interface Thresholds {
  maxErrorRatio?: number;
  maxLatencyP50?: number;
  maxLatencyP90?: number;
  maxLatencyP99?: number;
  minRequests?: number;
  /** Count 4xx responses as errors too (5xx and no-response always count). */
  countClientErrors: boolean;
}

/** One threshold's verdict. */
export interface ThresholdVerdict {
  name: string;
  limit: number;
  actual: number;
  passed: boolean;
}

/** What every load test reports, whatever the protocol. */
export interface RunSummary {
  requests: number;
  durationSeconds: number;
  requestsPerSecond: number;
  errors: number;
  errorRatio: number;
  latencySeconds: { p50: number; p90: number; p99: number; mean: number; max: number };
  aborted: boolean;
  thresholds: ThresholdVerdict[];
  passed: boolean;
}

/** What a load test did, in the shape returned by synchronous tasks and logged for background ones. */
export interface LoadReport extends RunSummary {
  statusCodes: Record<string, number>;
  transportErrors: Record<string, number>;
}

/** Thresholds, or the message explaining which metadata value is wrong. */
export type ThresholdsResult = { ok: true; thresholds: Thresholds } | { ok: false; error: string };

/**
 * Reads thresholds from webhook metadata: `maxErrorRatio` (0–1, e.g. "0.01" = 1 %), `maxLatencyP50`,
 * `maxLatencyP90`, `maxLatencyP99` (Go durations, e.g. "250ms"), `minRequests` and `countClientErrors`.
 */
export function parseThresholds(metadata: Readonly<Record<string, string>>): ThresholdsResult {
  const thresholds: Thresholds = { countClientErrors: metadata.countClientErrors === 'true' };
  const ratio = metadata.maxErrorRatio;
  if (ratio !== undefined) {
    const value = Number(ratio);
    if (ratio.trim() === '' || !(value >= 0 && value <= 1)) return { ok: false, error: `maxErrorRatio "${ratio}" must be a number from 0 to 1` };
    thresholds.maxErrorRatio = value;
  }
  for (const name of ['maxLatencyP50', 'maxLatencyP90', 'maxLatencyP99'] as const) {
    const text = metadata[name];
    if (text === undefined) continue;
    const ms = parseGoDuration(text);
    if (ms === undefined) return { ok: false, error: `${name} "${text}" must be a duration such as 250ms or 1s` };
    thresholds[name] = ms;
  }
  const min = metadata.minRequests;
  if (min !== undefined) {
    if (!/^\d+$/.test(min)) return { ok: false, error: `minRequests "${min}" must be a whole number` };
    thresholds.minRequests = Number(min);
  }
  return { ok: true, thresholds };
}

/** Summarises a run and checks it against `thresholds`. */
export function buildReport(result: LoadResult, thresholds: Thresholds): LoadReport {
  const { stats } = result;
  const errors = stats.countStatus(500, 600) + (stats.statusCounts[noResponse] ?? 0) + (thresholds.countClientErrors ? stats.countStatus(400, 500) : 0);
  const { head, tail } = summariseRun({ requests: stats.requests, errors, latency: stats.latency }, result, thresholds);
  return { ...head, statusCodes: statusCodes(result), transportErrors: Object.fromEntries(stats.transportErrors), ...tail };
}

/** What every load test counts, whatever the protocol. */
export interface RunCounts {
  requests: number;
  errors: number;
  latency: LatencyHistogram;
}

/**
 * The protocol-independent parts of a report, checked against `thresholds`: `head` goes before the
 * protocol's own counters in the report and `tail` after them, so every report reads in the same order.
 */
export function summariseRun(counts: RunCounts, result: { elapsedMs: number; aborted: boolean }, thresholds: Thresholds): {
  head: Pick<RunSummary, 'requests' | 'durationSeconds' | 'requestsPerSecond'>;
  tail: Pick<RunSummary, 'errors' | 'errorRatio' | 'latencySeconds' | 'aborted' | 'thresholds' | 'passed'>;
} {
  const { requests, errors, latency } = counts;
  const { elapsedMs } = result;
  const errorRatio = requests === 0 ? 0 : errors / requests;
  const latencySeconds = {
    p50: microseconds(latency.percentileMs(50)),
    p90: microseconds(latency.percentileMs(90)),
    p99: microseconds(latency.percentileMs(99)),
    mean: microseconds(latency.meanMs()),
    max: microseconds(latency.maxMs()),
  };
  const verdicts = judge(thresholds, { errorRatio, requests, ...latencySeconds });
  return {
    head: { requests, durationSeconds: microseconds(elapsedMs), requestsPerSecond: elapsedMs > 0 ? requests / (elapsedMs / 1000) : 0 },
    tail: { errors, errorRatio, latencySeconds, aborted: result.aborted, thresholds: verdicts, passed: !result.aborted && verdicts.every((verdict) => verdict.passed) },
  };
}

/** Milliseconds as seconds rounded to the microsecond (0.0014155 s, not 0.0014154999999999999). */
export function microseconds(ms: number): number {
  return Math.round(ms * 1000) / 1e6;
}

function statusCodes(result: LoadResult): Record<string, number> {
  const codes: Record<string, number> = {};
  result.stats.statusCounts.forEach((count, code) => {
    if (count > 0 && code !== noResponse) codes[String(code)] = count;
  });
  return codes;
}

/** What the thresholds are checked against (latencies in seconds). */
export interface Observed {
  errorRatio: number;
  requests: number;
  p50: number;
  p90: number;
  p99: number;
}

/** Checks each threshold that is set against what was observed. */
export function judge(thresholds: Thresholds, observed: Observed): ThresholdVerdict[] {
  const verdicts: ThresholdVerdict[] = [];
  const atMost = (name: string, limit: number | undefined, actual: number): void => {
    if (limit !== undefined) verdicts.push({ name, limit, actual, passed: actual <= limit });
  };
  atMost('maxErrorRatio', thresholds.maxErrorRatio, observed.errorRatio);
  atMost('maxLatencyP50', seconds(thresholds.maxLatencyP50), observed.p50);
  atMost('maxLatencyP90', seconds(thresholds.maxLatencyP90), observed.p90);
  atMost('maxLatencyP99', seconds(thresholds.maxLatencyP99), observed.p99);
  if (thresholds.minRequests !== undefined) {
    const { minRequests: limit } = thresholds;
    verdicts.push({ name: 'minRequests', limit, actual: observed.requests, passed: observed.requests >= limit });
  }
  return verdicts;
}

function seconds(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : ms / 1000;
}
