import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { installCrds as installOurCrds } from '../../src/install-crds.js';
import { Resources } from '../../src/kube/resources.js';
import { startPrometheus, type RunningPrometheus } from '../../src/local-cluster/prometheus.js';
import { pinoLogger } from '../../src/adapters/pino-logger.js';
import { CanaryResource } from '../../src/reconciler/cluster-caches.js';
import { startOperator, type RunningOperator } from '../../src/operator.js';
import { httpRouteType, type HttpRoute, type HttpRouteRule } from '../../src/routers/gatewayapi/gatewayapi-objects.js';
import { aCanary, aDeployment } from '../fixtures/objects.js';
import { canaryProbe, type CanaryProbe } from '../support/e2e-canary.js';
import { startExporter, type TestExporter } from '../support/exporter.js';
import { installCrds, testKube, waitFor } from '../support/kube.js';

/** What the application reports from one set of pods: requests per second by outcome, and latency. */
interface Traffic { ok: number; errors: number; latencyMs: number }
const BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 5];
// One namespace, watched by this file's operator alone (other e2e files run their own operators).
const NAMESPACE = `gwapi-${Math.random().toString(16).slice(2, 8)}`;
const OLD_IMAGE = 'ghcr.io/stefanprodan/podinfo:6.0.0';
const NEW_IMAGE = 'ghcr.io/stefanprodan/podinfo:6.0.1';
const GOOD: Traffic = { ok: 20, errors: 0, latencyMs: 20 };
const BAD: Traffic = { ok: 10, errors: 10, latencyMs: 20 };
// The primary pods fail and are slow: a query that did not keep to the canary pods would fail a good canary.
const PRIMARY: Traffic = { ok: 50, errors: 50, latencyMs: 900 };
const HTTP_ROUTES = httpRouteType('v1');

/**
 * The application's own `http_request_duration_seconds` histogram (the generic HTTP observer's source), per
 * pod: the canary workload's pod `<name>-5d4f8b9c7-x2x9q` and the primary's `<name>-primary-6c8d9f7b5-k8s2p`.
 * Counters grow linearly from the exporter's start, so rate() over them is exactly the configured rate.
 */
function httpSeries(traffic: ReadonlyMap<string, Traffic>, elapsedSeconds: number): string {
  const lines = ['# TYPE http_request_duration_seconds histogram'];
  const series = (pod: string, t: Traffic): void => {
    for (const [status, rate] of [['200', t.ok], ['500', t.errors]] as const) {
      const labels = `kubernetes_namespace="${NAMESPACE}",kubernetes_pod_name="${pod}",status="${status}"`;
      const total = rate * elapsedSeconds;
      for (const le of BUCKETS) lines.push(`http_request_duration_seconds_bucket{${labels},le="${le}"} ${t.latencyMs / 1000 <= le ? total : 0}`);
      lines.push(`http_request_duration_seconds_bucket{${labels},le="+Inf"} ${total}`);
      lines.push(`http_request_duration_seconds_count{${labels}} ${total}`);
      lines.push(`http_request_duration_seconds_sum{${labels}} ${(total * t.latencyMs) / 1000}`);
    }
  };
  for (const [name, t] of traffic) {
    series(`${name}-5d4f8b9c7-x2x9q`, t);
    series(`${name}-primary-6c8d9f7b5-k8s2p`, PRIMARY);
  }
  return `${lines.join('\n')}\n`;
}

/** A rule of the user's that is none of Songbird's business: `/docs` to another Service. */
const DOCS_RULE: HttpRouteRule = {
  matches: [{ path: { type: 'PathPrefix', value: '/docs' } }],
  filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x-docs', value: '1' }] } }],
  backendRefs: [{ group: '', kind: 'Service', name: 'docs', port: 80, weight: 1 }],
};

/** The user's HTTPRoute `<name>` in front of the apex Service, with a foreign `/docs` rule. */
function usersRoute(name: string): HttpRoute {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute',
    metadata: { name, namespace: NAMESPACE },
    spec: {
      parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'public', namespace: 'gateway' }],
      hostnames: ['app.example.com'],
      rules: [structuredClone(DOCS_RULE), { backendRefs: [{ group: '', kind: 'Service', name, port: 80 }] }],
    },
  };
}

/** One observation of a run: phase, canary weight of the weighted rule, and the foreign rule as stored. */
interface Snapshot { phase: string; weight: number | undefined; foreign: string; rules: number; pinned: boolean }

describe('Gateway API canary analysis with a real Prometheus (generic HTTP observer)', () => {
  const traffic = new Map<string, Traffic>();
  // The user's foreign rule as the API server stored it at creation, by release name.
  const foreignAsWritten = new Map<string, string>();
  const runDir = mkdtempSync(join(tmpdir(), 'songbird-gwapi-e2e-'));
  const started = Date.now();
  let exporter: TestExporter;
  let prometheus: RunningPrometheus;
  let operator: RunningOperator;

  beforeAll(async () => {
    exporter = await startExporter(() => httpSeries(traffic, (Date.now() - started) / 1000));
    prometheus = await startPrometheus({ runDir, jobs: [{ job: 'app', targets: [exporter.hostPort] }] });
    const kube = testKube();
    await installCrds(join(import.meta.dirname, '..', 'fixtures', 'thirdparty-crds', 'gateway-api.yaml'));
    await installOurCrds(kube, join(import.meta.dirname, '..', '..', 'crds'), (ms) => new Promise((r) => setTimeout(r, ms)));
    await kube.create(Resources.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } });
    const config = parseConfig(['--port=0', '--mesh-provider=gatewayapi:v1', `--metrics-server=${prometheus.url}`, `--namespace=${NAMESPACE}`], {});
    operator = await startOperator({ config, kube, logger: pinoLogger({ level: 'error', format: 'console' }), onFatal: (reason) => { throw new Error(reason); } });
  });

  afterAll(async () => {
    await operator.stop();
    await prometheus.stop();
    await exporter.close();
    rmSync(runDir, { recursive: true, force: true });
  });

  /** A Deployment `name` behind the user's HTTPRoute `<name>`, initialized under a Flagger Gateway API Canary, then given a new image. */
  async function releaseNewVersion(name: string, t: Traffic, analysis: Record<string, unknown> = {}): Promise<void> {
    const kube = testKube();
    traffic.set(name, t);
    await kube.create(Resources.deployments, aDeployment({ name, namespace: NAMESPACE, replicas: 1 }));
    const users = await kube.create(HTTP_ROUTES, usersRoute(name));
    foreignAsWritten.set(name, JSON.stringify(users.spec?.rules?.[0]));
    const canary = aCanary({ name, namespace: NAMESPACE, target: name, provider: 'gatewayapi:v1' });
    Object.assign(canary.spec as Record<string, unknown>, {
      service: { port: 80, targetPort: 9898, hosts: ['app.example.com'], gatewayRefs: [{ name: 'public', namespace: 'gateway' }] },
      analysis: {
        interval: '10s', threshold: 2, maxWeight: 30, stepWeight: 10,
        metrics: [
          { name: 'request-success-rate', thresholdRange: { min: 99 }, interval: '30s' },
          { name: 'request-duration', thresholdRange: { max: 500 }, interval: '30s' },
        ],
        ...analysis,
      },
    });
    await kube.create(CanaryResource, canary);
    await waitFor(`${name} Initialized`, async () => (await phase(name)) === 'Initialized', 60_000);
    await canaryProbe(NAMESPACE, name).setImage(NEW_IMAGE);
  }

  const phase = (name: string): Promise<string | undefined> => canaryProbe(NAMESPACE, name).phase();
  const primaryImage = (name: string): Promise<string | undefined> => canaryProbe(NAMESPACE, name).primaryImage();
  const metricValues = (name: string): ReturnType<CanaryProbe['metricValues']> => canaryProbe(NAMESPACE, name).metricValues();

  async function snapshot(name: string): Promise<Snapshot> {
    const route = await testKube().get(HTTP_ROUTES, NAMESPACE, name);
    const rules = route?.spec?.rules ?? [];
    const weighted = rules.find((r) => (r.backendRefs ?? []).length === 2);
    return {
      phase: (await phase(name)) ?? '',
      weight: weighted?.backendRefs?.find((b) => b.name === `${name}-canary`)?.weight,
      foreign: JSON.stringify(rules.find((r) => r.backendRefs?.[0]?.name === 'docs')),
      rules: rules.length,
      // The analysis.canaryMatch rule: the canary Service alone.
      pinned: rules.some((r) => r.backendRefs?.length === 1 && r.backendRefs[0]?.name === `${name}-canary`),
    };
  }

  /** Polls the run until it ends in `final`; returns what it saw. */
  async function watchRun(name: string, final: 'Succeeded' | 'Failed'): Promise<Snapshot[]> {
    const seen: Snapshot[] = [];
    try {
      await waitFor(`${name} ${final}`, async () => {
        const s = await snapshot(name);
        seen.push(s);
        return s.phase === final;
      }, 150_000);
    } catch (error) {
      const status = (await testKube().get(CanaryResource, NAMESPACE, name))?.status;
      throw new Error(`${(error as Error).message}; status: ${JSON.stringify(status)}`, { cause: error });
    }
    return seen;
  }

  it.concurrent("promotes a good version: weights 10, 20, 30, then back to 0, the canaryMatch rule only while the canary gets traffic, the user's foreign rule untouched", async () => {
    await releaseNewVersion('good', GOOD, { canaryMatch: { header: { name: 'x-canary', exact: 'always' } } });
    const seen = await watchRun('good', 'Succeeded');
    expect([...new Set(seen.map((s) => s.weight ?? 0).filter((w) => w > 0))]).toEqual([10, 20, 30]);
    expect(seen.some((s) => s.pinned && (s.weight ?? 0) > 0)).toBe(true);
    expect(seen.filter((s) => s.weight === 0 && s.pinned)).toEqual([]);
    expect(seen.map((s) => s.phase)).toContain('Promoting');
    expect(new Set(seen.map((s) => s.foreign))).toEqual(new Set([foreignAsWritten.get('good')]));
    // The canary pods only: with the failing, slow primary pods mixed in these would be about 70 % and 900 ms.
    const values = await metricValues('good');
    expect(values?.['request-success-rate']).toMatchObject({ verdict: 'Pass', value: 100 });
    expect(values?.['request-duration']?.value).toBeLessThanOrEqual(50);
    expect(await primaryImage('good')).toBe(NEW_IMAGE);
    expect((await testKube().get(Resources.deployments, NAMESPACE, 'good'))?.spec?.replicas).toBe(0);
    expect((await snapshot('good')).weight).toBe(0);
  }, 200_000);

  it.concurrent("rolls back a version answering 5xx: Failed, routes back to 100/0, primary untouched, the user's rule untouched", async () => {
    await releaseNewVersion('errors', BAD);
    const seen = await watchRun('errors', 'Failed');
    const values = await metricValues('errors');
    expect(values?.['request-success-rate']).toMatchObject({ verdict: 'Fail' });
    expect(values?.['request-success-rate']?.value).toBeCloseTo(50, 0);
    expect((await snapshot('errors')).weight).toBe(0);
    expect(new Set(seen.map((s) => s.foreign))).toEqual(new Set([foreignAsWritten.get('errors')]));
    expect(await primaryImage('errors')).toBe(OLD_IMAGE);
  }, 200_000);

  it.concurrent('promotes an A/B canary routed by the header x-canary: insider, never by weight', async () => {
    await releaseNewVersion('abtest', GOOD, { stepWeight: undefined, maxWeight: undefined, iterations: 2, match: [{ headers: { 'x-canary': { exact: 'insider' } } }] });
    const seen: HttpRouteRule[][] = [];
    const phases = new Set<string>();
    await waitFor('abtest Succeeded', async () => {
      const route = await testKube().get(HTTP_ROUTES, NAMESPACE, 'abtest');
      seen.push(route?.spec?.rules ?? []);
      phases.add((await phase('abtest')) ?? '');
      return phases.has('Succeeded');
    }, 150_000);
    const abRule = seen.flat().find((r) => r.matches?.some((m) => m.headers?.some((h) => h.name === 'x-canary')));
    expect(abRule?.matches).toEqual([{ path: { type: 'PathPrefix', value: '/' }, headers: [{ type: 'Exact', name: 'x-canary', value: 'insider' }] }]);
    const toCanary = seen.flat().some((r) => r.matches?.some((m) => m.headers?.some((h) => h.name === 'x-canary'))
      && r.backendRefs?.find((b) => b.name === 'abtest-canary')?.weight === 100);
    expect(toCanary).toBe(true);
    // Requests without the header only ever go to the primary.
    const unmatched = seen.flat().filter((r) => !(r.matches ?? []).some((m) => m.headers !== undefined) && r.backendRefs?.[0]?.name !== 'docs');
    expect(unmatched.every((r) => (r.backendRefs?.find((b) => b.name === 'abtest-canary')?.weight ?? 0) === 0)).toBe(true);
    expect(await primaryImage('abtest')).toBe(NEW_IMAGE);
    expect(new Set(seen.map((rules) => JSON.stringify(rules[0])))).toEqual(new Set([foreignAsWritten.get('abtest')]));
  }, 200_000);
});
