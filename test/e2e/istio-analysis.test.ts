import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { installCrds as installOurCrds } from '../../src/install-crds.js';
import { Resources } from '../../src/kube/resources.js';
import { startPrometheus, type RunningPrometheus } from '../../src/local-cluster/prometheus.js';
import { pinoLogger } from '../../src/adapters/pino-logger.js';
import type { KubeObject } from '../../src/ports/kube.js';
import { CanaryResource } from '../../src/reconciler/cluster-caches.js';
import { startOperator, type RunningOperator } from '../../src/operator.js';
import { aCanary, aDeployment } from '../fixtures/objects.js';
import { canaryProbe, type CanaryProbe } from '../support/e2e-canary.js';
import { startExporter, type TestExporter } from '../support/exporter.js';
import { installCrds, testKube, waitFor } from '../support/kube.js';

/** What the fake mesh reports for one canary workload: requests per second by outcome, and latency. */
interface Traffic { ok: number; errors: number; latencyMs: number }
const BUCKETS = [10, 50, 100, 250, 500, 1000, 5000];
// One namespace, watched by this file's operator alone (other e2e files run their own operators).
const NAMESPACE = `istio-${Math.random().toString(16).slice(2, 8)}`;

// Counters grow linearly from the exporter's start, so rate() over them is exactly the configured rate.
function istioSeries(traffic: ReadonlyMap<string, Traffic>, elapsedSeconds: number): string {
  const lines = ['# TYPE istio_requests_total counter', '# TYPE istio_request_duration_milliseconds_bucket counter'];
  for (const [workload, t] of traffic) {
    const labels = `reporter="destination",destination_workload_namespace="${NAMESPACE}",destination_workload="${workload}"`;
    lines.push(`istio_requests_total{${labels},response_code="200"} ${t.ok * elapsedSeconds}`);
    lines.push(`istio_requests_total{${labels},response_code="500"} ${t.errors * elapsedSeconds}`);
    const total = (t.ok + t.errors) * elapsedSeconds;
    for (const le of BUCKETS) lines.push(`istio_request_duration_milliseconds_bucket{${labels},le="${le}"} ${t.latencyMs <= le ? total : 0}`);
    lines.push(`istio_request_duration_milliseconds_bucket{${labels},le="+Inf"} ${total}`);
  }
  return `${lines.join('\n')}\n`;
}

const VirtualServices = Resources.virtualServices;
interface VirtualService extends KubeObject { spec?: { http?: { route?: { destination: { host: string }; weight?: number }[] }[] } }

function canaryWeight(vs: VirtualService | undefined, name: string): number | undefined {
  return vs?.spec?.http?.[0]?.route?.find((r) => r.destination.host === `${name}-canary`)?.weight;
}

describe('Istio canary analysis with a real Prometheus', () => {
  const traffic = new Map<string, Traffic>();
  const runDir = mkdtempSync(join(tmpdir(), 'songbird-istio-e2e-'));
  const started = Date.now();
  let exporter: TestExporter;
  let prometheus: RunningPrometheus;
  let gateServer: Server;
  let gateOpen = false;
  let gateUrl = '';
  let operator: RunningOperator;

  beforeAll(async () => {
    exporter = await startExporter(() => istioSeries(traffic, (Date.now() - started) / 1000));
    prometheus = await startPrometheus({ runDir, jobs: [{ job: 'istio', targets: [exporter.hostPort] }] });
    gateServer = createServer((_req, res) => res.writeHead(gateOpen ? 200 : 403).end(gateOpen ? 'Approved' : 'Forbidden'));
    await new Promise<void>((resolve) => gateServer.listen(0, '127.0.0.1', resolve));
    gateUrl = `http://127.0.0.1:${(gateServer.address() as AddressInfo).port}/gate/check`;
    const kube = testKube();
    await installCrds(join(import.meta.dirname, '..', 'fixtures', 'thirdparty-crds', 'istio-networking.yaml'));
    await installOurCrds(kube, join(import.meta.dirname, '..', '..', 'crds'), (ms) => new Promise((r) => setTimeout(r, ms)));
    await kube.create(Resources.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } });
    const config = parseConfig(['--port=0', '--mesh-provider=istio', `--metrics-server=${prometheus.url}`, `--namespace=${NAMESPACE}`], {});
    operator = await startOperator({ config, kube, logger: pinoLogger({ level: 'error', format: 'console' }), onFatal: (reason) => { throw new Error(reason); } });
  });

  afterAll(async () => {
    await operator.stop();
    await prometheus.stop();
    await exporter.close();
    await new Promise<void>((resolve) => gateServer.close(() => resolve()));
    rmSync(runDir, { recursive: true, force: true });
  });

  /** A Deployment `name` initialized under an Istio canary, then given a new image. */
  async function releaseNewVersion(name: string, t: Traffic | undefined, analysis: Record<string, unknown> = {}): Promise<string> {
    const kube = testKube();
    if (t !== undefined) traffic.set(name, t);
    await kube.create(Resources.deployments, aDeployment({ name, namespace: NAMESPACE, replicas: 1 }));
    const canary = aCanary({ name, namespace: NAMESPACE, target: name, provider: 'istio' });
    (canary.spec as Record<string, unknown>).analysis = {
      interval: '10s', threshold: 2, maxWeight: 30, stepWeight: 10,
      metrics: [
        { name: 'request-success-rate', thresholdRange: { min: 99 }, interval: '30s' },
        { name: 'request-duration', thresholdRange: { max: 300 }, interval: '30s' },
      ],
      ...analysis,
    };
    await kube.create(CanaryResource, canary);
    await waitFor(`${name} Initialized`, async () => (await phase(name)) === 'Initialized', 60_000);
    await canaryProbe(NAMESPACE, name).setImage('ghcr.io/stefanprodan/podinfo:6.0.1');
    return name;
  }

  const phase = (name: string): Promise<string | undefined> => canaryProbe(NAMESPACE, name).phase();
  const primaryImage = (name: string): Promise<string | undefined> => canaryProbe(NAMESPACE, name).primaryImage();
  const metricValues = (name: string): ReturnType<CanaryProbe['metricValues']> => canaryProbe(NAMESPACE, name).metricValues();

  async function weightOf(name: string): Promise<number | undefined> {
    return canaryWeight(await testKube().get<VirtualService>(VirtualServices, NAMESPACE, name), name);
  }

  it.concurrent('promotes a good version: weights 10, 20, 30, then Promoting, Finalising, Succeeded', async () => {
    const name = await releaseNewVersion('good', { ok: 20, errors: 0, latencyMs: 20 });
    const weights = new Set<number>();
    const phases = new Set<string>();
    await waitFor('Succeeded', async () => {
      const w = await weightOf(name);
      if (w !== undefined) weights.add(w);
      phases.add((await phase(name)) ?? '');
      return phases.has('Succeeded');
    }, 150_000);
    expect([...weights].filter((w) => w > 0).sort((a, b) => a - b)).toEqual([10, 20, 30]);
    expect(phases).toContain('Promoting');
    expect(await primaryImage(name)).toBe('ghcr.io/stefanprodan/podinfo:6.0.1');
    expect((await testKube().get(Resources.deployments, NAMESPACE, name))?.spec?.replicas).toBe(0);
    expect(await weightOf(name)).toBe(0);
  }, 200_000);

  it.concurrent('rolls back a version answering 5xx: Failed at the threshold, routes back to 100/0, primary untouched', async () => {
    const name = await releaseNewVersion('errors', { ok: 10, errors: 10, latencyMs: 20 });
    await waitFor('Failed', async () => (await phase(name)) === 'Failed', 150_000);
    const values = await metricValues(name);
    expect(values?.['request-success-rate']).toMatchObject({ verdict: 'Fail' });
    expect(values?.['request-success-rate']?.value).toBeCloseTo(50, 0);
    expect(await weightOf(name)).toBe(0);
    expect(await primaryImage(name)).toBe('ghcr.io/stefanprodan/podinfo:6.0.0');
  }, 200_000);

  it.concurrent('rolls back a slow version on request duration', async () => {
    const name = await releaseNewVersion('slow', { ok: 20, errors: 0, latencyMs: 400 });
    await waitFor('Failed', async () => (await phase(name)) === 'Failed', 150_000);
    const values = await metricValues(name);
    expect(values?.['request-duration']).toMatchObject({ verdict: 'Fail' });
    expect(values?.['request-duration']?.value).toBeGreaterThan(300);
  }, 200_000);

  it.concurrent('never promotes without data', async () => {
    const name = await releaseNewVersion('nodata', undefined);
    const phases = new Set<string>();
    await waitFor('Failed', async () => {
      phases.add((await phase(name)) ?? '');
      return phases.has('Failed');
    }, 150_000);
    expect(phases.has('Promoting')).toBe(false);
    expect(await primaryImage(name)).toBe('ghcr.io/stefanprodan/podinfo:6.0.0');
  }, 200_000);

  it.concurrent("keeps the user's fault-injection route through a promotion, with the canaryMatch route only while the canary gets traffic", async () => {
    const name = 'matched';
    const fault = { match: [{ headers: { 'x-fault': { exact: 'abort' } } }], fault: { abort: { httpStatus: 503, percentage: { value: 100 } } }, route: [{ destination: { host: name } }] };
    const users = { apiVersion: 'networking.istio.io/v1beta1', kind: 'VirtualService', metadata: { name, namespace: NAMESPACE },
      spec: { hosts: [name], http: [fault, { route: [{ destination: { host: name } }] }] } };
    const stored = JSON.stringify((await testKube().create<VirtualService>(VirtualServices, users)).spec?.http?.[0]);
    await releaseNewVersion(name, { ok: 20, errors: 0, latencyMs: 20 }, { canaryMatch: { header: { name: 'x-canary', exact: 'on' } } });
    const seen: { canaryWeight: number; matched: boolean; foreignKept: boolean }[] = [];
    await waitFor('Succeeded', async () => {
      const http = (await testKube().get<VirtualService>(VirtualServices, NAMESPACE, name))?.spec?.http ?? [];
      const weighted = http.find((r) => (r.route ?? []).length === 2);
      const canaryWeight = weighted?.route?.find((d) => d.destination.host === `${name}-canary`)?.weight ?? 0;
      const matched = http.some((r) => r.route?.length === 1 && r.route[0]?.destination.host === `${name}-canary`);
      seen.push({ canaryWeight, matched, foreignKept: JSON.stringify(http[0]) === stored });
      return (await phase(name)) === 'Succeeded';
    }, 150_000);
    expect(seen.filter((s) => !s.foreignKept)).toEqual([]);
    expect(seen.some((s) => s.canaryWeight > 0 && s.matched)).toBe(true);
    // The route and the weights move in one write, so no poll sees the route at weight 0.
    expect(seen.filter((s) => s.canaryWeight === 0 && s.matched)).toEqual([]);
    expect(seen.at(-1)).toEqual({ canaryWeight: 0, matched: false, foreignKept: true });
  }, 200_000);

  it.concurrent('holds WaitingPromotion while the confirm-promotion gate is closed, and promotes once it opens', async () => {
    const name = await releaseNewVersion('gate', { ok: 20, errors: 0, latencyMs: 20 }, { webhooks: [{ name: 'approval', type: 'confirm-promotion', url: gateUrl }] });
    await waitFor('WaitingPromotion', async () => (await phase(name)) === 'WaitingPromotion', 150_000);
    await new Promise((r) => setTimeout(r, 15_000));
    expect(await phase(name)).toBe('WaitingPromotion');
    expect(await primaryImage(name)).toBe('ghcr.io/stefanprodan/podinfo:6.0.0');
    gateOpen = true;
    await waitFor('Succeeded', async () => (await phase(name)) === 'Succeeded', 90_000);
    expect(await primaryImage(name)).toBe('ghcr.io/stefanprodan/podinfo:6.0.1');
  }, 250_000);
});
