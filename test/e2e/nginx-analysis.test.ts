import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { installCrds as installOurCrds } from '../../src/install-crds.js';
import { Resources, type Ingress } from '../../src/kube/resources.js';
import { startPrometheus, type RunningPrometheus } from '../../src/local-cluster/prometheus.js';
import { pinoLogger } from '../../src/adapters/pino-logger.js';
import { CanaryResource } from '../../src/reconciler/cluster-caches.js';
import { startOperator, type RunningOperator } from '../../src/operator.js';
import { aCanary, aDeployment } from '../fixtures/objects.js';
import { canaryProbe, type CanaryProbe } from '../support/e2e-canary.js';
import { startExporter, type TestExporter } from '../support/exporter.js';
import { testKube, waitFor } from '../support/kube.js';
import { nginxSeries, type NginxIngressTraffic, type NginxTraffic } from '../support/nginx-exporter.js';

// One namespace, watched by this file's operator alone (other e2e files run their own operators).
const NAMESPACE = `nginx-${Math.random().toString(16).slice(2, 8)}`;
const P = 'nginx.ingress.kubernetes.io';
const OLD_IMAGE = 'ghcr.io/stefanprodan/podinfo:6.0.0';
const NEW_IMAGE = 'ghcr.io/stefanprodan/podinfo:6.0.1';
const GOOD: NginxTraffic = { ok: 20, errors: 0, latencyMs: 20 };
const BAD: NginxTraffic = { ok: 10, errors: 10, latencyMs: 20 };
// The stable upstream is slow and failing: a query that did not keep to the canary upstream would fail a good canary.
const STABLE: NginxTraffic = { ok: 90, errors: 10, latencyMs: 900 };

/** The user's Ingress `<name>-web` (class nginx) in front of the apex Service `<name>`. */
function sourceIngress(name: string): Ingress {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: `${name}-web`, namespace: NAMESPACE, labels: { app: name }, annotations: { 'example.com/tier': 'frontend' } },
    spec: {
      ingressClassName: 'nginx',
      rules: [{
        host: 'app.example.com',
        http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name, port: { number: 80 } } } }] },
      }],
    },
  };
}

/** The `<prefix>/canary*` annotations of an Ingress. */
function canaryAnnotations(ingress: Ingress | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(ingress?.metadata.annotations ?? {}).filter(([key]) => key.startsWith(`${P}/canary`)));
}

function weightOf(annotations: Record<string, string>): number {
  return Number(annotations[`${P}/canary-weight`] ?? '0');
}

/** One observation of a run: the Canary's phase and the canary Ingress's routing annotations. */
interface Snapshot { phase: string; annotations: Record<string, string> }

describe('NGINX canary analysis with a real Prometheus', () => {
  const traffic = new Map<string, NginxIngressTraffic>();
  const runDir = mkdtempSync(join(tmpdir(), 'songbird-nginx-e2e-'));
  const started = Date.now();
  let exporter: TestExporter;
  let prometheus: RunningPrometheus;
  let operator: RunningOperator;

  beforeAll(async () => {
    exporter = await startExporter(() => nginxSeries(traffic.values(), (Date.now() - started) / 1000));
    prometheus = await startPrometheus({ runDir, jobs: [{ job: 'ingress-nginx', targets: [exporter.hostPort] }] });
    const kube = testKube();
    await installOurCrds(kube, join(import.meta.dirname, '..', '..', 'crds'), (ms) => new Promise((r) => setTimeout(r, ms)));
    await kube.create(Resources.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } });
    // Nothing listens on the operator's default server: the builtins must go to each Canary's spec.metricsServer.
    const config = parseConfig(['--port=0', '--mesh-provider=nginx', '--metrics-server=http://127.0.0.1:9', `--namespace=${NAMESPACE}`], {});
    operator = await startOperator({ config, kube, logger: pinoLogger({ level: 'error', format: 'console' }), onFatal: (reason) => { throw new Error(reason); } });
  });

  afterAll(async () => {
    await operator.stop();
    await prometheus.stop();
    await exporter.close();
    rmSync(runDir, { recursive: true, force: true });
  });

  /** A Deployment `name` behind the Ingress `<name>-web`, initialized under an NGINX canary, then given a new image. */
  async function releaseNewVersion(name: string, canaryTraffic: NginxTraffic, analysis: Record<string, unknown> = {}): Promise<Ingress> {
    const kube = testKube();
    traffic.set(name, { namespace: NAMESPACE, ingress: `${name}-web`, service: name, canary: canaryTraffic, primary: STABLE });
    await kube.create(Resources.deployments, aDeployment({ name, namespace: NAMESPACE, replicas: 1 }));
    const source = await kube.create(Resources.ingresses, sourceIngress(name));
    const canary = aCanary({ name, namespace: NAMESPACE, target: name, provider: 'nginx' });
    Object.assign(canary.spec as Record<string, unknown>, {
      ingressRef: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: `${name}-web` },
      metricsServer: prometheus.url,
      analysis: {
        interval: '10s', threshold: 2, maxWeight: 40, stepWeight: 20,
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
    return source;
  }

  const phase = (name: string): Promise<string | undefined> => canaryProbe(NAMESPACE, name).phase();
  const primaryImage = (name: string): Promise<string | undefined> => canaryProbe(NAMESPACE, name).primaryImage();
  const metricValues = (name: string): ReturnType<CanaryProbe['metricValues']> => canaryProbe(NAMESPACE, name).metricValues();

  async function canaryIngress(name: string): Promise<Ingress | undefined> {
    return testKube().get(Resources.ingresses, NAMESPACE, `${name}-web-canary`);
  }

  /** Polls phase and canary Ingress annotations until the run ends in `final`; returns what it saw. */
  async function watchRun(name: string, final: 'Succeeded' | 'Failed'): Promise<Snapshot[]> {
    const seen: Snapshot[] = [];
    try {
      await waitFor(`${name} ${final}`, async () => {
        const current = (await phase(name)) ?? '';
        seen.push({ phase: current, annotations: canaryAnnotations(await canaryIngress(name)) });
        return current === final;
      }, 150_000);
    } catch (error) {
      const status = (await testKube().get(CanaryResource, NAMESPACE, name))?.status;
      throw new Error(`${(error as Error).message}; status: ${JSON.stringify(status)}`, { cause: error });
    }
    return seen;
  }

  it.concurrent('promotes a good version: the canary Ingress weight walks 20, 40, back to 0, and the source Ingress is untouched', async () => {
    const source = await releaseNewVersion('good', GOOD);
    const seen = await watchRun('good', 'Succeeded');
    const weights = [...new Set(seen.map((s) => weightOf(s.annotations)).filter((w) => w > 0))];
    expect(weights).toEqual([20, 40]);
    expect(seen.map((s) => s.phase)).toContain('Promoting');
    // Canary upstream only: with the slow, failing stable upstream mixed in these would be about 92 % and 750 ms.
    const values = await metricValues('good');
    expect(values?.['request-success-rate']).toMatchObject({ verdict: 'Pass', value: 100 });
    expect(values?.['request-duration']?.value).toBeCloseTo(20, -1);
    expect(await primaryImage('good')).toBe(NEW_IMAGE);
    expect((await testKube().get(Resources.deployments, NAMESPACE, 'good'))?.spec?.replicas).toBe(0);
    expect(canaryAnnotations(await canaryIngress('good'))).toEqual({ [`${P}/canary`]: 'true', [`${P}/canary-weight`]: '0' });
    const after = await testKube().get(Resources.ingresses, NAMESPACE, 'good-web');
    expect(after?.metadata.resourceVersion).toBe(source.metadata.resourceVersion);
    expect(JSON.stringify(after)).toBe(JSON.stringify(source));
  }, 200_000);

  it.concurrent('rolls back a version answering 5xx: Failed, canary weight 0, primary image unchanged', async () => {
    await releaseNewVersion('errors', BAD);
    await watchRun('errors', 'Failed');
    const values = await metricValues('errors');
    expect(values?.['request-success-rate']).toMatchObject({ verdict: 'Fail' });
    expect(values?.['request-success-rate']?.value).toBeCloseTo(50, 0);
    expect(canaryAnnotations(await canaryIngress('errors'))).toEqual({ [`${P}/canary`]: 'true', [`${P}/canary-weight`]: '0' });
    expect(await primaryImage('errors')).toBe(OLD_IMAGE);
  }, 200_000);

  it.concurrent('promotes an A/B canary routed by the header x-canary: insider, never by weight', async () => {
    await releaseNewVersion('abheader', GOOD, { stepWeight: undefined, maxWeight: undefined, iterations: 2, match: [{ headers: { 'x-canary': { exact: 'insider' } } }] });
    const seen = await watchRun('abheader', 'Succeeded');
    const byHeader = { [`${P}/canary`]: 'true', [`${P}/canary-by-header`]: 'x-canary', [`${P}/canary-by-header-value`]: 'insider' };
    expect(seen.filter((s) => s.phase === 'Progressing').map((s) => s.annotations)).toContainEqual(byHeader);
    expect(seen.filter((s) => weightOf(s.annotations) > 0)).toEqual([]);
    expect(await primaryImage('abheader')).toBe(NEW_IMAGE);
    expect(canaryAnnotations(await canaryIngress('abheader'))).toEqual({ [`${P}/canary`]: 'true', [`${P}/canary-weight`]: '0' });
  }, 200_000);

  it.concurrent('promotes an A/B canary routed by the cookie "canary"', async () => {
    await releaseNewVersion('abcookie', GOOD, { stepWeight: undefined, maxWeight: undefined, iterations: 2, match: [{ headers: { cookie: { exact: 'canary' } } }] });
    const seen = await watchRun('abcookie', 'Succeeded');
    const byCookie = { [`${P}/canary`]: 'true', [`${P}/canary-by-cookie`]: 'canary' };
    expect(seen.filter((s) => s.phase === 'Progressing').map((s) => s.annotations)).toContainEqual(byCookie);
    expect(seen.filter((s) => weightOf(s.annotations) > 0)).toEqual([]);
    expect(await primaryImage('abcookie')).toBe(NEW_IMAGE);
    expect(canaryAnnotations(await canaryIngress('abcookie'))).toEqual({ [`${P}/canary`]: 'true', [`${P}/canary-weight`]: '0' });
  }, 200_000);
});
