import { createServer } from 'node:https';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CanaryMetric } from '../../src/api/canary-analysis.js';
import type { Canary, CanaryProvider } from '../../src/api/canary.js';
import type { MetricTemplate } from '../../src/api/metric-template.js';
import { startPrometheus, type RunningPrometheus } from '../../src/local-cluster/index.js';
import { createPki } from '../../src/local-cluster/pki.js';
import {
  createAxiosHttpClient, PrometheusProvider, ProviderCache, runMetricChecks, type DisposableHttpClient, type TimedMetricCheck,
} from '../../src/metrics/index.js';
import { builtinsOf } from '../../src/routers/index.js';
import { queryScalar, startExporter, type TestExporter } from '../support/exporter.js';
import { waitFor } from '../support/kube.js';

/** Latency bucket bounds in ms; the HTTP observer's histogram uses the same bounds in seconds. */
const boundsMs = [25, 50, 100, 250, 500, 1000];

interface Workload {
  readonly mesh: 'istio' | 'http';
  readonly labels: Readonly<Record<string, string>>;
  readonly rps: number;
  readonly errorRatio: number;
  /** Share of requests per latency bucket, by upper bound in ms, e.g. {50: 0.9, 100: 0.1}. */
  readonly latencyMs: Readonly<Record<number, number>>;
}

/**
 * Serves counters that grow at each workload's request rate, split into 5xx and the rest by its error ratio
 * and into latency buckets by its shares. Every series of a workload is a fixed fraction of one running
 * total, so ratios and quantiles over any window are exact whatever the scrape timing.
 */
class Traffic {
  private readonly totals = new Map<Workload, number>();
  private last = Date.now();

  constructor(private readonly workloads: readonly Workload[]) {}

  render(): string {
    const now = Date.now();
    const seconds = (now - this.last) / 1000;
    this.last = now;
    const families = new Map<string, string[]>();
    for (const w of this.workloads) {
      const total = (this.totals.get(w) ?? 0) + w.rps * seconds;
      this.totals.set(w, total);
      for (const [family, line] of w.mesh === 'istio' ? istioSeries(w, total) : httpSeries(w, total)) {
        families.set(family, [...(families.get(family) ?? []), line]);
      }
    }
    return [...families].map(([family, lines]) => `# TYPE ${family}\n${lines.join('\n')}\n`).join('');
  }
}

type Series = [family: string, line: string];

const labelText = (labels: Readonly<Record<string, string>>): string =>
  `{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',')}}`;

// Share of requests at or under `le` ms; capped at 1 so float sums never make the +Inf bucket the smaller one.
const cumulative = (w: Workload, le: number): number =>
  Math.min(1, Object.entries(w.latencyMs).reduce((sum, [bound, share]) => (Number(bound) <= le ? sum + share : sum), 0));

function istioSeries(w: Workload, total: number): Series[] {
  const name = 'istio_request_duration_milliseconds';
  return [
    ['istio_requests_total counter', `istio_requests_total${labelText({ ...w.labels, response_code: '200' })} ${total * (1 - w.errorRatio)}`],
    ['istio_requests_total counter', `istio_requests_total${labelText({ ...w.labels, response_code: '503' })} ${total * w.errorRatio}`],
    ...[...boundsMs.map(String), '+Inf'].map((le): Series =>
      [`${name} histogram`, `${name}_bucket${labelText({ ...w.labels, le })} ${le === '+Inf' ? total : total * cumulative(w, Number(le))}`]),
    [`${name} histogram`, `${name}_sum${labelText(w.labels)} ${total * 100}`],
    [`${name} histogram`, `${name}_count${labelText(w.labels)} ${total}`],
  ];
}

function httpSeries(w: Workload, total: number): Series[] {
  const name = 'http_request_duration_seconds';
  return [['200', 1 - w.errorRatio], ['500', w.errorRatio]].flatMap(([status, share]) => {
    const labels = { ...w.labels, status: String(status) };
    const count = total * Number(share);
    return [
      ...[...boundsMs.map((ms) => String(ms / 1000)), '+Inf'].map((le): Series =>
        [`${name} histogram`, `${name}_bucket${labelText({ ...labels, le })} ${le === '+Inf' ? count : count * cumulative(w, Number(le) * 1000)}`]),
      [`${name} histogram`, `${name}_sum${labelText(labels)} ${count * 0.1}`],
      [`${name} histogram`, `${name}_count${labelText(labels)} ${count}`],
    ];
  });
}

/**
 * The p99 Prometheus interpolates from the shares: within the bucket holding the 99th percentile, linearly.
 * Example: {50: 0.9, 100: 0.095, 500: 0.005} → 50 + (100 − 50) × (0.99 − 0.9) / 0.095 = 97.37 ms.
 */
function expectedP99(latencyMs: Readonly<Record<number, number>>): number {
  let below = 0;
  let lower = 0;
  for (const upper of boundsMs) {
    const share = latencyMs[upper] ?? 0;
    if (below + share >= 0.99) return lower + ((upper - lower) * (0.99 - below)) / share;
    below += share;
    lower = upper;
  }
  throw new Error('the shares do not reach the 99th percentile');
}

const fast = { 50: 0.9, 100: 0.095, 500: 0.005 };
const slow = { 1000: 1 };
const istio = (workload: string, reporter = 'destination'): Record<string, string> =>
  ({ reporter, destination_workload_namespace: 'test', destination_workload: workload });
const pod = (name: string): Record<string, string> => ({ kubernetes_namespace: 'test', kubernetes_pod_name: name });

const traffic = new Traffic([
  { mesh: 'istio', labels: istio('podinfo'), rps: 20, errorRatio: 0.01, latencyMs: fast },
  // Traffic the builtin queries must not count: the primary, and the same workload reported by the client side.
  { mesh: 'istio', labels: istio('podinfo-primary'), rps: 50, errorRatio: 0.5, latencyMs: slow },
  { mesh: 'istio', labels: istio('podinfo', 'source'), rps: 30, errorRatio: 0.9, latencyMs: slow },
  { mesh: 'istio', labels: istio('broken'), rps: 10, errorRatio: 0.2, latencyMs: fast },
  { mesh: 'istio', labels: istio('sluggish'), rps: 10, errorRatio: 0, latencyMs: slow },
  { mesh: 'istio', labels: istio('idle'), rps: 0, errorRatio: 0, latencyMs: fast },
  { mesh: 'http', labels: pod('web-7d9b8c6f5-x2k4p'), rps: 6, errorRatio: 0.03, latencyMs: fast },
  { mesh: 'http', labels: pod('web-7d9b8c6f5-q8m3z'), rps: 4, errorRatio: 0.03, latencyMs: fast },
  { mesh: 'http', labels: pod('web-primary-5f6d7c8b9-abcde'), rps: 40, errorRatio: 0.6, latencyMs: slow },
]);

const interval = '10s';
const successRate = (min: number): CanaryMetric => ({ name: 'request-success-rate', thresholdRange: { min }, interval });
const duration = (max: number): CanaryMetric => ({ name: 'request-duration', thresholdRange: { max }, interval });

function aCanary(target: string, metrics: CanaryMetric[]): Canary {
  return {
    metadata: { name: target, namespace: 'test' },
    spec: { targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target }, analysis: { interval: '30s', threshold: 5, stepWeight: 10, metrics } },
  };
}

describe('metric analysis against a real Prometheus', () => {
  const runDir = mkdtempSync(join(tmpdir(), 'songbird-metrics-'));
  let prometheus: RunningPrometheus;
  let exporter: TestExporter;
  let http: DisposableHttpClient;
  const providers = new ProviderCache();

  const run = (canary: Canary, provider: CanaryProvider, templates: MetricTemplate[] = []): Promise<TimedMetricCheck[]> =>
    runMetricChecks({
      canary, provider, builtins: builtinsOf(provider), metricsServer: prometheus.url, providers, http, now: () => Date.now(),
      templates: (ns, name) => templates.find((t) => t.metadata.namespace === ns && t.metadata.name === name),
      secrets: () => undefined,
    });

  beforeAll(async () => {
    exporter = await startExporter(() => traffic.render());
    prometheus = await startPrometheus({ runDir, jobs: [{ job: 'mesh', targets: [exporter.hostPort] }] });
    http = createAxiosHttpClient();
    // A full rate window of samples.
    await waitFor('ten seconds of samples', async () =>
      (await queryScalar(prometheus.url, 'count_over_time(istio_requests_total{destination_workload="podinfo",reporter="destination",response_code="200"}[10s])')) >= 10, 60_000);
  });

  afterAll(async () => {
    http.destroy();
    await prometheus.stop();
    await exporter.close();
    rmSync(runDir, { recursive: true, force: true });
  });

  it('is online', async () => {
    expect(await new PrometheusProvider({ address: prometheus.url }, http).isOnline()).toEqual({ online: true });
  });

  it('measures the canary\'s success rate and p99 as its traffic sets them, ignoring the primary and client-side reports', async () => {
    const checks = await run(aCanary('podinfo', [successRate(98), duration(500)]), 'istio');
    expect(checks.map((c) => c.verdict)).toEqual(['Pass', 'Pass']);
    expect(checks[0]?.value).toBeCloseTo(99, 0);
    expect(checks[1]?.value).toBeGreaterThanOrEqual(Math.trunc(expectedP99(fast)) - 1);
    expect(checks[1]?.value).toBeLessThanOrEqual(Math.trunc(expectedP99(fast)) + 1);
  });

  it('fails a canary whose error ratio is too high, and stops there', async () => {
    const checks = await run(aCanary('broken', [successRate(99), duration(500)]), 'istio');
    expect(checks).toHaveLength(1);
    expect(checks[0]?.verdict).toBe('Fail');
    expect(checks[0]?.value).toBeCloseTo(80, 0);
    expect(checks[0]?.message).toMatch(/^success rate 80\.\d\d% < 99%$/);
  });

  it('fails a canary whose p99 is too high', async () => {
    const checks = await run(aCanary('sluggish', [successRate(99), duration(500)]), 'istio');
    expect(checks.map((c) => c.verdict)).toEqual(['Pass', 'Fail']);
    // All requests in (500, 1000] ms: 500 + 500 × 0.99 = 995.
    expect(checks[1]?.value).toBeGreaterThanOrEqual(994);
    expect(checks[1]?.value).toBeLessThanOrEqual(995);
    expect(checks[1]?.message).toMatch(/^request duration 99[45]ms > 500ms$/);
  });

  it.each([
    ['idle', 'query returned NaN'],
    ['ghost', 'query returned no series'],
  ])('fails, never passes, a canary without traffic (%s: %s)', async (target, reason) => {
    const [check, ...rest] = await run(aCanary(target, [successRate(0), duration(100_000)]), 'istio');
    expect(rest).toEqual([]);
    expect(check).toMatchObject({
      verdict: 'Fail', value: null,
      message: `no values found for metric request-success-rate, probably ${target}.test is not receiving traffic (${reason})`,
    });
  });

  it('skips checks without traffic when onNoData is skip', async () => {
    const skip = (m: CanaryMetric): CanaryMetric => ({ ...m, onNoData: 'skip' });
    const checks = await run(aCanary('idle', [skip(successRate(99)), skip(duration(500))]), 'istio');
    expect(checks.map((c) => c.verdict)).toEqual(['Skip', 'Skip']);
  });

  it('measures the generic HTTP observer over the canary pods only (kubernetes provider)', async () => {
    const checks = await run(aCanary('web', [successRate(95), duration(500)]), 'kubernetes');
    expect(checks.map((c) => c.verdict)).toEqual(['Pass', 'Pass']);
    expect(checks[0]?.value).toBeCloseTo(97, 0);
    // Seconds × 1000: 0.09737 s → 97 ms.
    expect(checks[1]?.value).toBeGreaterThanOrEqual(Math.trunc(expectedP99(fast)) - 1);
    expect(checks[1]?.value).toBeLessThanOrEqual(Math.trunc(expectedP99(fast)) + 1);
  });

  it('runs MetricTemplate queries: the request rate the traffic sets, and a clear error for several series', async () => {
    const template = (name: string, query: string): MetricTemplate =>
      ({ metadata: { name, namespace: 'monitoring', uid: name }, spec: { provider: { type: 'prometheus', address: prometheus.url }, query } });
    const rate = template('request-rate', `sum(rate(istio_requests_total{reporter="{{ variables.reporter }}",
      destination_workload_namespace="{{ namespace }}", destination_workload="{{ target }}"}[{{ interval }}]))`);
    const perCode = template('per-code', 'rate(istio_requests_total{reporter="destination",destination_workload="{{ target }}"}[{{ interval }}])');
    const metric = (name: string, range: CanaryMetric['thresholdRange']): CanaryMetric =>
      ({ name, templateRef: { name, namespace: 'monitoring' }, templateVariables: { reporter: 'destination' }, thresholdRange: range, interval });
    const checks = await run(aCanary('podinfo', [metric('request-rate', { min: 17, max: 23 }), metric('per-code', { max: 100 })]), 'istio', [rate, perCode]);
    expect(checks[0]).toMatchObject({ name: 'request-rate', verdict: 'Pass' });
    expect(checks[0]?.value).toBeGreaterThan(17);
    expect(checks[0]?.value).toBeLessThan(23);
    expect(checks[1]).toMatchObject({ name: 'per-code', verdict: 'Fail', value: null });
    expect(checks[1]?.message).toContain('query returned 2 series');
  });
});

describe('the Prometheus provider over TLS', () => {
  const runDir = mkdtempSync(join(tmpdir(), 'songbird-metrics-tls-'));
  let address = '';
  let close = (): void => undefined;
  const http = createAxiosHttpClient();

  beforeAll(async () => {
    const pki = await createPki(runDir);
    const server = createServer({ cert: readFileSync(pki.apiserverCert), key: readFileSync(pki.apiserverKey) }, (_req, res) => {
      res.end('{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"1"]}]}}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    address = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => server.close();
  });

  afterAll(() => {
    http.destroy();
    close();
    rmSync(runDir, { recursive: true, force: true });
  });

  it('refuses a certificate from an unknown CA, and accepts it with insecureSkipVerify', async () => {
    const strict = await new PrometheusProvider({ address }, http).isOnline();
    expect(strict.online).toBe(false);
    expect(await new PrometheusProvider({ address, insecureSkipVerify: true }, http).isOnline()).toEqual({ online: true });
  });
});
