import { describe, expect, it } from 'vitest';
import { buildGrpcReport, GrpcStats } from './ghz-report.js';
import { statusName } from './grpc-target.js';

function stats(calls: [code: number, latencyMs: number][]): GrpcStats {
  const result = new GrpcStats();
  for (const [code, ms] of calls) result.record(code, code === 0 ? undefined : `${statusName(code)}: failed`, ms);
  return result;
}

describe('gRPC load-test reports', () => {
  it('names status codes as gRPC does and counts every status other than OK as an error', () => {
    const report = buildGrpcReport({ stats: stats([[0, 10], [0, 10], [14, 1], [4, 100]]), elapsedMs: 2000, aborted: false }, { countClientErrors: false, maxErrorRatio: 0.5 });
    expect(report).toMatchObject({
      requests: 4,
      requestsPerSecond: 2,
      durationSeconds: 2,
      statusCodes: { OK: 2, DEADLINE_EXCEEDED: 1, UNAVAILABLE: 1 },
      errorMessages: { 'UNAVAILABLE: failed': 1, 'DEADLINE_EXCEEDED: failed': 1 },
      errors: 2,
      errorRatio: 0.5,
      thresholds: [{ name: 'maxErrorRatio', limit: 0.5, actual: 0.5, passed: true }],
      passed: true,
    });
  });

  it('keeps ten distinct error messages and counts the rest without their text', () => {
    const result = new GrpcStats();
    for (let i = 0; i < 12; i++) result.record(13, `INTERNAL: failure ${i}`, 1);
    result.record(13, 'INTERNAL: failure 0', 1);
    expect(result.errorMessages.size).toBe(10);
    expect(result.errorMessages.get('INTERNAL: failure 0')).toBe(2);
    expect(result.errors).toBe(13);
  });

  it('fails a run that was cut short, and an empty run has no error ratio to divide', () => {
    expect(buildGrpcReport({ stats: stats([[0, 1]]), elapsedMs: 10, aborted: true }, { countClientErrors: false }).passed).toBe(false);
    expect(buildGrpcReport({ stats: new GrpcStats(), elapsedMs: 0, aborted: false }, { countClientErrors: false, minRequests: 1 })).toMatchObject({
      errorRatio: 0,
      requestsPerSecond: 0,
      passed: false,
    });
  });

  it('names codes beyond the standard ones by number', () => {
    expect(statusName(14)).toBe('UNAVAILABLE');
    expect(statusName(0)).toBe('OK');
    expect(statusName(99)).toBe('CODE_99');
  });
});
