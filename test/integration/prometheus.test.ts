import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrometheus, type RunningPrometheus } from '../../src/local-cluster/index.js';
import { startExporter, queryScalar, type TestExporter } from '../support/exporter.js';
import { waitFor } from '../support/kube.js';

describe('the real Prometheus launcher', () => {
  let prometheus: RunningPrometheus;
  let exporter: TestExporter;
  const runDir = mkdtempSync(join(tmpdir(), 'songbird-prom-'));

  beforeAll(async () => {
    // A counter that grows by exactly 10 per second of wall time, so rate() must come out at 10.
    const start = Date.now();
    exporter = await startExporter(() => {
      const value = ((Date.now() - start) / 1000) * 10;
      return `# TYPE songbird_test_requests_total counter\nsongbird_test_requests_total{code="200"} ${value}\n`;
    });
    prometheus = await startPrometheus({ runDir, jobs: [{ job: 'exporter', targets: [exporter.hostPort] }] });
  });

  afterAll(async () => {
    await prometheus.stop();
    await exporter.close();
    rmSync(runDir, { recursive: true, force: true });
  });

  it('answers /-/ready on a loopback port', async () => {
    expect(prometheus.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${prometheus.url}/-/ready`)).status).toBe(200);
  });

  it('scrapes a local endpoint every second and rate() returns the rate it serves', async () => {
    const query = 'sum(rate(songbird_test_requests_total{job="exporter"}[5s]))';
    await waitFor('five seconds of samples', async () => (await queryScalar(prometheus.url, 'count_over_time(songbird_test_requests_total[10s])')) >= 5, 30_000);
    expect(await queryScalar(prometheus.url, query)).toBeCloseTo(10, 0);
    expect(exporter.scrapes()).toBeGreaterThanOrEqual(5);
  });

  it('picks up scrape targets added after start', async () => {
    const late = await startExporter(() => 'songbird_test_late 42\n');
    try {
      prometheus.setJobs([
        { job: 'exporter', targets: [exporter.hostPort] },
        { job: 'late', targets: [late.hostPort] },
      ]);
      await waitFor('the late target scraped', async () => (await queryScalar(prometheus.url, 'songbird_test_late{job="late"}')) === 42, 30_000);
    } finally {
      await late.close();
    }
  });
});
