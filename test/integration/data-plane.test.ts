import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProxyAgent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDataPlane, type DataPlane } from '../../src/dev/data-plane/index.js';
import { podsType, type Pod } from '../../src/dev/data-plane/pod-processes.js';
import { Resources, type Ingress } from '../../src/kube/resources.js';
import { isAlive } from '../../src/local-cluster/processes.js';
import { silentLogger } from '../../src/ports/logger.js';
import { virtualServiceType, type VirtualService } from '../../src/routers/istio-objects.js';
import { installCrds, testKube, useTestNamespace, waitFor } from '../support/kube.js';

const namespace = useTestNamespace('dataplane');
const kube = testKube();

/**
 * A pod as a ReplicaSet of `workload` would create it, made Ready by hand: this tier has no kubelet (kwok)
 * and no controllers, so the test plays both, which keeps pod readiness under its control.
 */
async function readyPod(workload: string, index: number, image: string, env: Record<string, string> = {}): Promise<void> {
  const hash = 'abc123';
  const pod: Pod = {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name: `${workload}-${hash}-${index}`, namespace: namespace(), labels: { app: workload, 'pod-template-hash': hash },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${workload}-${hash}`, uid: '00000000-0000-0000-0000-000000000001' }],
    },
    spec: { nodeName: 'fake-node', containers: [{ name: 'podinfod', image, env: Object.entries(env).map(([name, value]) => ({ name, value })) }] },
  };
  await kube.create(podsType, pod);
  await kube.patch(podsType, { namespace: namespace(), name: pod.metadata.name },
    { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } }, { kind: 'merge', subresource: 'status' });
}

async function service(name: string, app: string): Promise<void> {
  await kube.create(Resources.services, {
    apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: namespace() },
    spec: { selector: { app }, ports: [{ name: 'http', port: 9898, targetPort: 9898 }] },
  });
}

/** Sends `n` GETs to `url` through the proxy, 16 at a time; returns how many each version answered, by status. */
async function send(dataPlane: DataPlane, url: string, n: number, headers: Record<string, string> = {}): Promise<Map<string, number>> {
  const dispatcher = new ProxyAgent(dataPlane.proxyUrl);
  const seen = new Map<string, number>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) {
      next += 1;
      const res = await request(url, { dispatcher, headers });
      await res.body.text();
      const key = `${String(res.headers['x-app-version'] ?? 'none')}:${res.statusCode}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  await dispatcher.close();
  return seen;
}

describe('the local data plane on a real API server', () => {
  const runDir = mkdtempSync(join(tmpdir(), 'songbird-dataplane-'));
  let dataPlane: DataPlane;

  beforeAll(async () => {
    await installCrds(join(import.meta.dirname, '..', 'fixtures', 'thirdparty-crds', 'istio-networking.yaml'));
    await service('podinfo', 'podinfo-primary');
    await service('podinfo-primary', 'podinfo-primary');
    await service('podinfo-canary', 'podinfo');
    await readyPod('podinfo-primary', 1, 'ghcr.io/stefanprodan/podinfo:6.0.0');
    await readyPod('podinfo-primary', 2, 'ghcr.io/stefanprodan/podinfo:6.0.0');
    await readyPod('podinfo', 1, 'ghcr.io/stefanprodan/podinfo:6.0.1', { FAULT_ERROR_RATIO: '0.5' });
    dataPlane = await startDataPlane({ kube, runDir, logger: silentLogger });
    await waitFor('three app processes listening', () => Promise.resolve( dataPlane.processes().filter((p) => p.namespace === namespace() && p.port !== undefined).length === 3));
  });

  afterAll(async () => {
    await dataPlane.stop();
    rmSync(runDir, { recursive: true, force: true });
  });

  it('answers through the apex Service with the primary version, round-robin over its two pods', async () => {
    const seen = await send(dataPlane, `http://podinfo.${namespace()}:9898/`, 40);
    expect(Object.fromEntries(seen)).toEqual({ '6.0.0:200': 40 });
    const primaries = dataPlane.counts().versions.filter((v) => v.workload === 'podinfo-primary');
    expect(primaries).toEqual([expect.objectContaining({ version: '6.0.0', requests: 40, errors: 0, failures: 0 })]);
  });

  it('splits by the VirtualService weights (80/20 within 5 points over 1000 requests) and sends a header match to the canary', async () => {
    const vs: VirtualService = {
      apiVersion: 'networking.istio.io/v1beta1', kind: 'VirtualService', metadata: { name: 'podinfo', namespace: namespace() },
      spec: {
        hosts: ['podinfo'], gateways: ['mesh'],
        http: [
          { match: [{ headers: { 'x-canary': { exact: 'insider' } } }], route: [{ destination: { host: 'podinfo-canary' }, weight: 100 }] },
          { route: [{ destination: { host: 'podinfo-primary' }, weight: 80 }, { destination: { host: 'podinfo-canary' }, weight: 20 }] },
        ],
      },
    };
    await kube.create(virtualServiceType, vs);
    await waitFor('the VirtualService applied', async () => (await send(dataPlane, `http://podinfo.${namespace()}/`, 10, { 'x-canary': 'insider' })).has('6.0.1:200'));
    const before = dataPlane.counts();
    const seen = await send(dataPlane, `http://podinfo.${namespace()}:9898/`, 1000);
    const canary = (seen.get('6.0.1:200') ?? 0) + (seen.get('6.0.1:500') ?? 0);
    // Binomial: sd = sqrt(1000 × 0.2 × 0.8) ≈ 12.6 requests, so ±50 is about 4 sd.
    expect(canary).toBeGreaterThan(150);
    expect(canary).toBeLessThan(250);
    expect(seen.get('6.0.0:200')).toBe(1000 - canary);
    // The canary's FAULT_ERROR_RATIO of 0.5 fails about half of its requests, and the counts agree with the client.
    const errors = seen.get('6.0.1:500') ?? 0;
    expect(errors / canary).toBeGreaterThan(0.3);
    expect(errors / canary).toBeLessThan(0.7);
    const after = dataPlane.counts().versions.find((v) => v.workload === 'podinfo');
    const earlier = before.versions.find((v) => v.workload === 'podinfo');
    expect((after?.requests ?? 0) - (earlier?.requests ?? 0)).toBe(canary);
    expect((after?.errors ?? 0) - (earlier?.errors ?? 0)).toBe(errors);

    const insiders = await send(dataPlane, `http://podinfo.${namespace()}/`, 30, { 'x-canary': 'insider' });
    expect([...insiders.keys()].every((k) => k.startsWith('6.0.1:'))).toBe(true);
  });

  it('adds FAULT_LATENCY_MS to every answer and mirrors a copy of each request to the mirror host', async () => {
    await service('slow', 'slow');
    await readyPod('slow', 1, 'ghcr.io/stefanprodan/podinfo:6.1.0', { FAULT_LATENCY_MS: '300' });
    await waitFor('the slow process listening', () => Promise.resolve(dataPlane.processes().some((p) => p.workload === 'slow' && p.port !== undefined)));
    const started = performance.now();
    expect(Object.fromEntries(await send(dataPlane, `http://slow.${namespace()}/`, 1))).toEqual({ '6.1.0:200': 1 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(300);

    await kube.create(virtualServiceType, {
      apiVersion: 'networking.istio.io/v1beta1', kind: 'VirtualService', metadata: { name: 'mirrored', namespace: namespace() },
      spec: { hosts: ['podinfo-primary'], http: [{ route: [{ destination: { host: 'podinfo-primary' } }], mirror: { host: 'slow' }, mirrorPercentage: { value: 100 } }] },
    } satisfies VirtualService);
    const mirroredCopies = (): number => dataPlane.counts().versions.find((v) => v.workload === 'slow')?.mirrored ?? 0;
    await waitFor('mirroring applied', async () => {
      await send(dataPlane, `http://podinfo-primary.${namespace()}/`, 1);
      return mirroredCopies() > 0;
    });
    // Copies sent while waiting answer 300 ms later; let them land before counting.
    await new Promise((r) => setTimeout(r, 1_000));
    const before = mirroredCopies();
    // The client gets the primary's answer at once; the mirror's slow answer is dropped.
    expect(Object.fromEntries(await send(dataPlane, `http://podinfo-primary.${namespace()}/`, 20))).toEqual({ '6.0.0:200': 20 });
    await waitFor('20 mirrored copies answered', () => Promise.resolve(mirroredCopies() - before === 20));
    await kube.delete(virtualServiceType, { namespace: namespace(), name: 'mirrored' });
  });

  it('exports istio_requests_total with the labels the builtin Istio queries select on', async () => {
    const [target] = dataPlane.scrapeTargets();
    const text = await (await fetch(`http://${target}/metrics`)).text();
    expect(text).toMatch(new RegExp(`istio_requests_total\\{[^}]*reporter="destination"[^}]*destination_workload="podinfo"[^}]*destination_workload_namespace="${namespace()}"[^}]*response_code="500"`));
    expect(text).toMatch(/istio_request_duration_milliseconds_bucket\{[^}]*destination_workload="podinfo-primary"/);
  });

  it('routes an NGINX canary Ingress by header and by weight', async () => {
    const ingress = (name: string, backend: string, annotations: Record<string, string>): Ingress => ({
      apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name, namespace: namespace(), annotations },
      spec: { ingressClassName: 'nginx', rules: [{ host: `app.${namespace()}.example`, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: backend, port: { number: 9898 } } } }] } }] },
    });
    await kube.create(Resources.ingresses, ingress('app', 'podinfo-primary', {}));
    await kube.create(Resources.ingresses, ingress('app-canary', 'podinfo-canary', {
      'nginx.ingress.kubernetes.io/canary': 'true', 'nginx.ingress.kubernetes.io/canary-weight': '0', 'nginx.ingress.kubernetes.io/canary-by-header': 'x-canary',
    }));
    const url = `http://app.${namespace()}.example/`;
    await waitFor('the Ingresses applied', async () => (await send(dataPlane, url, 4, { 'x-canary': 'always' })).has('6.0.1:200'));
    expect([...(await send(dataPlane, url, 40)).keys()]).toEqual(['6.0.0:200']);
    expect([...(await send(dataPlane, url, 20, { 'x-canary': 'never' })).keys()]).toEqual(['6.0.0:200']);
    const text = await (await fetch(`http://${dataPlane.scrapeTargets()[0]}/metrics`)).text();
    expect(text).toMatch(new RegExp(`nginx_ingress_controller_requests\\{[^}]*ingress="app"[^}]*namespace="${namespace()}"[^}]*canary="${namespace()}-podinfo-canary-9898"`));
  });

  it('ends every app process when the process running the data plane dies (SIGKILL: no chance to clean up)', async () => {
    const host = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '..', 'support', 'data-plane-child.ts')], {
      stdio: ['ignore', 'pipe', 'inherit'], env: process.env,
    });
    await new Promise<void>((resolve, reject) => {
      host.stdout.on('data', (chunk: Buffer) => { if (chunk.toString().includes('ready')) resolve(); });
      host.on('exit', (code) => reject(new Error(`the data plane process exited early (${code})`)));
    });
    const children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(host.pid)], { encoding: 'utf8' }).trim().split(/\s+/).map(Number);
    // Its pods' processes (three in this namespace, and any of other tests) and the spares.
    expect(children.length).toBeGreaterThanOrEqual(3);
    host.kill('SIGKILL');
    await waitFor('every app process gone', () => Promise.resolve(children.every((pid) => !isAlive(pid))), 10_000);
  });

  it('counts a crashed app process as failed requests (503, no answer) and stops every process on stop', async () => {
    const canary = dataPlane.processes().find((p) => p.namespace === namespace() && p.workload === 'podinfo');
    expect(canary?.pid).toBeDefined();
    process.kill(canary?.pid ?? 0, 'SIGKILL');
    await waitFor('the canary process gone', () => Promise.resolve(!isAlive(canary?.pid ?? 0)));
    const before = dataPlane.counts().total.failures;
    const seen = await send(dataPlane, `http://podinfo.${namespace()}/`, 200);
    expect(dataPlane.recentFailures().at(-1)).toMatchObject({ service: 'podinfo', destination: 'podinfo-canary', reason: 'connection error: ECONNREFUSED' });
    const failed = seen.get('none:503') ?? 0;
    expect(failed).toBeGreaterThan(15);
    expect(failed).toBeLessThan(70);
    expect(dataPlane.counts().total.failures - before).toBe(failed);

    const pids = dataPlane.processes().map((p) => p.pid ?? 0);
    await dataPlane.stop();
    expect(pids.filter((pid) => isAlive(pid))).toEqual([]);
    dataPlane = { ...dataPlane, stop: () => Promise.resolve() };
  });
});
