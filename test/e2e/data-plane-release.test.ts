import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../../loadtester/test/support/harness.js';
import type { DataPlane, DataPlaneCounts } from '../../src/dev/data-plane/index.js';
import { Resources } from '../../src/kube/resources.js';
import { CanaryResource } from '../../src/reconciler/cluster-caches.js';
import { virtualServiceType } from '../../src/routers/istio/istio-objects.js';
import { aCanary, aDeployment } from '../fixtures/objects.js';
import { canaryProbe } from '../support/e2e-canary.js';
import { testKube, waitFor } from '../support/kube.js';
import { startTrafficStack, type TrafficStack } from '../support/traffic-stack.js';

// One namespace, watched by this file's operator alone.
const NAMESPACE = `dataplane-${Math.random().toString(16).slice(2, 8)}`;
const NAME = 'podinfo';
const IMAGE = 'ghcr.io/stefanprodan/podinfo';
// Shares of canary traffic per weight step may differ from the weight by this many percentage points: at
// 40 requests/s a step (two 5 s intervals) sends ~400 requests, binomial sd ≤ 2.5 points, and requests
// counted under the wrong step at a sampling edge (~200 ms, ~8 requests) add at most ~2 more.
const SHARE_TOLERANCE = 12;
const kube = testKube();
const probe = canaryProbe(NAMESPACE, NAME);

/** What a release looked like from outside: weights in the VirtualService, requests per weight, phases. */
interface ReleaseRecord {
  phases: string[];
  /** Per canary weight: requests that reached the primary and the canary while the VirtualService said so. */
  steps: Map<number, { primary: number; canary: number }>;
  failures: number;
  counts: DataPlaneCounts;
}

function versionRequests(counts: DataPlaneCounts, workload: string): number {
  return counts.versions.filter((v) => v.namespace === NAMESPACE && v.workload === workload).reduce((s, v) => s + v.requests, 0);
}

function apexFailures(counts: DataPlaneCounts, service = NAME): number {
  return counts.services.find((s) => s.namespace === NAMESPACE && s.service === service)?.failures ?? 0;
}

async function canaryWeight(): Promise<number> {
  const vs = await kube.get(virtualServiceType, NAMESPACE, NAME);
  return vs?.spec?.http?.[0]?.route?.find((r) => r.destination.host === `${NAME}-canary`)?.weight ?? 0;
}

describe('a release on the local data plane: real traffic from the load tester, real metrics, builtin checks', () => {
  let stack: TrafficStack | undefined;
  let dataPlane: DataPlane;
  let loadTester: Harness;
  const report: string[] = [];

  beforeAll(async () => {
    stack = await startTrafficStack(kube, NAMESPACE);
    ({ dataPlane, loadTester } = stack);
  });

  afterAll(async () => {
    console.log(`data plane e2e:\n  ${report.join('\n  ')}`);
    await stack?.stop();
  });

  /** Follows the release (started just before) through Progressing until `final`, sampling the VirtualService weight and the data plane's counts. */
  async function follow(final: string): Promise<ReleaseRecord> {
    const phases: string[] = [];
    const steps = new Map<number, { primary: number; canary: number }>();
    const start = dataPlane.counts();
    let last = start;
    let weight = await canaryWeight();
    await waitFor(final, async () => {
      const phase = (await probe.phase()) ?? '';
      if (phases.at(-1) !== phase) phases.push(phase);
      const now = dataPlane.counts();
      const step = steps.get(weight) ?? { primary: 0, canary: 0 };
      step.primary += versionRequests(now, `${NAME}-primary`) - versionRequests(last, `${NAME}-primary`);
      step.canary += versionRequests(now, NAME) - versionRequests(last, NAME);
      steps.set(weight, step);
      last = now;
      weight = await canaryWeight();
      // The previous release's final phase stays until the operator sees the new revision.
      return phase === final && phases.includes('Progressing');
    }, 150_000);
    const end = dataPlane.counts();
    return { phases, steps, failures: apexFailures(end) - apexFailures(start), counts: end };
  }

  function expectSharesNearWeights(record: ReleaseRecord, weights: number[]): void {
    for (const w of weights) {
      const step = record.steps.get(w);
      expect(step, `requests at weight ${w}`).toBeDefined();
      const total = (step?.primary ?? 0) + (step?.canary ?? 0);
      const share = (100 * (step?.canary ?? 0)) / total;
      report.push(`weight ${w}: ${step?.canary}/${total} requests to the canary (${share.toFixed(1)} %)`);
      expect(total).toBeGreaterThan(50);
      expect(Math.abs(share - w)).toBeLessThanOrEqual(SHARE_TOLERANCE);
    }
  }

  it.concurrent('promotes a good version and rolls back a failing one and a slow one, with no failed request through any', async () => {
    await kube.create(Resources.deployments, aDeployment({ name: NAME, namespace: NAMESPACE, replicas: 2, image: `${IMAGE}:6.0.0` }));
    const canary = aCanary({ name: NAME, namespace: NAMESPACE, target: NAME, provider: 'istio' });
    const hey = `hey -z 240s -q 20 -c 2 -x ${dataPlane.proxyUrl} http://${NAME}.${NAMESPACE}:80/`;
    (canary.spec as Record<string, unknown>).analysis = {
      interval: '5s', threshold: 2, maxWeight: 60, stepWeight: 20,
      metrics: [
        { name: 'request-success-rate', thresholdRange: { min: 99 }, interval: '10s' },
        { name: 'request-duration', thresholdRange: { max: 1000 }, interval: '10s' },
      ],
      webhooks: [{ name: 'load-test', type: 'rollout', url: `${loadTester.url}/`, metadata: { cmd: hey } }],
    };
    await kube.create(CanaryResource, canary);
    await waitFor('Initialized', async () => (await probe.phase()) === 'Initialized', 60_000);
    // The load runs from before the release to after both outcomes (the webhook's identical command joins it).
    const started = await loadTester.post('/', { name: NAME, namespace: NAMESPACE, phase: 'Progressing', metadata: { cmd: hey } });
    expect(started.status).toBe(202);
    await waitFor('traffic on the primary', async () => Promise.resolve(versionRequests(dataPlane.counts(), `${NAME}-primary`) > 40));

    await probe.setImage(`${IMAGE}:6.0.1`);
    const good = await follow('Succeeded');
    report.push(`good release phases: ${good.phases.join(' → ')}; failed requests: ${good.failures}`);
    expect(good.phases).toContain('Promoting');
    expect([...good.steps.keys()].filter((w) => w > 0).sort((a, b) => a - b)).toEqual([20, 40, 60]);
    expectSharesNearWeights(good, [20, 40, 60]);
    expect(await probe.primaryImage()).toBe(`${IMAGE}:6.0.1`);
    const goodValues = await probe.metricValues();
    // Every canary request succeeded, and the builtin check read exactly that.
    const canary601 = good.counts.versions.find((v) => v.workload === NAME && v.version === '6.0.1');
    expect(canary601?.errors).toBe(0);
    expect(goodValues?.['request-success-rate']?.value).toBe(100);
    expect(goodValues?.['request-duration']?.value).toBeLessThan(1000);
    expect(good.failures).toBe(0);

    await kube.patch(Resources.deployments, { namespace: NAMESPACE, name: NAME }, { spec: { template: { spec: { containers: [
      { name: 'podinfod', image: `${IMAGE}:6.0.2`, env: [{ name: 'FAULT_ERROR_RATIO', value: '0.5' }] },
    ] } } } }, { kind: 'strategic' });
    const bad = await follow('Failed');
    report.push(`faulty release phases: ${bad.phases.join(' → ')}; failed requests: ${bad.failures}`);
    const badValues = await probe.metricValues();
    const canary602 = bad.counts.versions.find((v) => v.workload === NAME && v.version === '6.0.2');
    const counted = (100 * ((canary602?.requests ?? 0) - (canary602?.errors ?? 0))) / (canary602?.requests ?? 1);
    report.push(`faulty canary: ${canary602?.errors}/${canary602?.requests} answered 5xx (success ${counted.toFixed(1)} %); ` +
      `request-success-rate in status ${badValues?.['request-success-rate']?.value?.toFixed(1)} %`);
    expect(badValues?.['request-success-rate']).toMatchObject({ verdict: 'Fail' });
    // The check's 10 s window (~80 canary requests at weight 20: sd ≈ 5.6 points) and the data plane's
    // whole-run count (~150: sd ≈ 4) measure the same 50 % fault; 25 points is over 3.5 sd of their difference.
    expect(Math.abs((badValues?.['request-success-rate']?.value ?? 0) - counted)).toBeLessThan(25);
    expect(await probe.primaryImage()).toBe(`${IMAGE}:6.0.1`);
    expect(await canaryWeight()).toBe(0);
    expect(bad.failures).toBe(0);

    await kube.patch(Resources.deployments, { namespace: NAMESPACE, name: NAME }, { spec: { template: { spec: { containers: [{
      name: 'podinfod', image: `${IMAGE}:6.0.3`, env: [{ name: 'FAULT_ERROR_RATIO', value: '0' }, { name: 'FAULT_LATENCY_MS', value: '1500' }],
    }] } } } }, { kind: 'strategic' });
    const slow = await follow('Failed');
    const slowValues = await probe.metricValues();
    report.push(`slow release phases: ${slow.phases.join(' → ')}; failed requests: ${slow.failures}; ` +
      `request-duration in status ${slowValues?.['request-duration']?.value} ms (FAULT_LATENCY_MS 1500)`);
    expect(slowValues?.['request-duration']).toMatchObject({ verdict: 'Fail' });
    // The p99 of the histogram falls in the bucket holding the 1500 ms the app adds: (1000, 2500].
    expect(slowValues?.['request-duration']?.value).toBeGreaterThan(1000);
    expect(slowValues?.['request-duration']?.value).toBeLessThanOrEqual(2500);
    expect(await probe.primaryImage()).toBe(`${IMAGE}:6.0.1`);
    expect(slow.failures).toBe(0);
  }, 260_000);

  it.concurrent('adopts a Service already serving traffic and hands it back when the Canary is deleted, with no failed request', async () => {
    const name = 'adopted';
    const requestsOf = (workload: string): number => versionRequests(dataPlane.counts(), workload);
    await kube.create(Resources.deployments, aDeployment({ name, namespace: NAMESPACE, replicas: 2, image: `${IMAGE}:6.0.0` }));
    await kube.create(Resources.services, {
      apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: NAMESPACE },
      spec: { selector: { app: name }, ports: [{ name: 'http', port: 80, targetPort: 9898 }] },
    });
    await waitFor('two app processes', () => Promise.resolve(dataPlane.processes().filter((p) => p.workload === name && p.port !== undefined && p.ready).length === 2));
    const hey = `hey -z 100s -q 10 -c 2 -x ${dataPlane.proxyUrl} http://${name}.${NAMESPACE}/`;
    expect((await loadTester.post('/', { name, namespace: NAMESPACE, metadata: { cmd: hey } })).status).toBe(202);
    await waitFor('traffic on the existing Service', () => Promise.resolve(requestsOf(name) > 40));

    const beforeAdoption = apexFailures(dataPlane.counts(), name);
    const canary = aCanary({ name, namespace: NAMESPACE, target: name, provider: 'istio', revertOnDeletion: true });
    (canary.spec as Record<string, unknown>).analysis = { interval: '5s', threshold: 2, maxWeight: 60, stepWeight: 20 };
    await kube.create(CanaryResource, canary);
    await waitFor('Initialized', async () => (await canaryProbe(NAMESPACE, name).phase()) === 'Initialized', 60_000);
    const onPrimary = requestsOf(`${name}-primary`);
    await waitFor('traffic on the primary', () => Promise.resolve(requestsOf(`${name}-primary`) > onPrimary + 60));
    const adoption = apexFailures(dataPlane.counts(), name) - beforeAdoption;
    report.push(`adoption of an existing Service: failed requests ${adoption}`);

    await kube.delete(CanaryResource, { namespace: NAMESPACE, name });
    await waitFor('the Canary gone', async () => (await kube.get(CanaryResource, NAMESPACE, name)) === undefined, 60_000);
    const onTarget = requestsOf(name);
    await waitFor('traffic back on the target', () => Promise.resolve(requestsOf(name) > onTarget + 60), 60_000);
    const deletion = apexFailures(dataPlane.counts(), name) - beforeAdoption - adoption;
    report.push(`Canary deletion (revertOnDeletion): failed requests ${deletion}`);
    const failures = dataPlane.recentFailures().filter((f) => f.namespace === NAMESPACE && f.service === name);
    if (failures.length > 0) report.push(`failures: ${JSON.stringify(failures)}`);
    expect(adoption).toBe(0);
    expect(deletion).toBe(0);
  }, 200_000);
});
