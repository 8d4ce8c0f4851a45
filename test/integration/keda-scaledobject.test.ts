import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/adapters/system-clock.js';
import { parseCanary } from '../../src/api/validate.js';
import { parseConfig } from '../../src/config.js';
import { ProviderCache } from '../../src/metrics/provider-cache.js';
import { Resources, type ScaledObject } from '../../src/kube/resources.js';
import { silentLogger } from '../../src/ports/logger.js';
import { CanaryResource, createClusterCaches } from '../../src/reconciler/cluster-caches.js';
import { OnDemandCaches } from '../../src/reconciler/on-demand-caches.js';
import { ensurePrimaryScaler, pauseTargetScaler, updatePrimaryScaler } from '../../src/reconciler/steps/scalers.js';
import { TickContext, type TickDeps } from '../../src/reconciler/tick-context.js';
import { createDomainBus } from '../../src/telemetry/domain-events.js';
import { Recorder } from '../../src/telemetry/recorder.js';
import { aCanary } from '../fixtures/objects.js';
import { installCrds, testKube, useTestNamespace, waitFor } from '../support/kube.js';

const crdFile = join(import.meta.dirname, '..', 'fixtures', 'thirdparty-crds', 'keda-scaledobjects.yaml');

// Flagger's documented ScaledObject (tutorials/keda-scaledobject): a Prometheus trigger on the canary's requests.
function targetScaledObject(namespace: string): ScaledObject {
  return {
    apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject',
    metadata: { name: 'podinfo-so', namespace, labels: { app: 'podinfo' } },
    spec: {
      scaleTargetRef: { name: 'podinfo' }, pollingInterval: 10, cooldownPeriod: 20, minReplicaCount: 1, maxReplicaCount: 3,
      triggers: [{
        type: 'prometheus', name: 'rps',
        metadata: { serverAddress: 'http://flagger-prometheus.flagger-system:9090', metricName: 'http_requests_total',
          query: 'sum(rate(http_requests_total{ app="podinfo-canary" }[30s]))', threshold: '5' },
      }],
    },
  };
}

describe('the primary ScaledObject on the real API server with the KEDA CRD', () => {
  const namespace = useTestNamespace('keda');
  const kube = testKube();
  const started: OnDemandCaches[] = [];

  beforeAll(async () => {
    await installCrds(crdFile);
    await installCrds(join(import.meta.dirname, '..', '..', 'crds', 'flagger.app_canaries.yaml'));
    await waitFor('scaledobjects and canaries served', async () => {
      await kube.list(Resources.scaledObjects, 'default');
      await kube.list(CanaryResource, 'default');
      return true;
    });
  });

  afterAll(() => {
    for (const c of started) c.stop();
  });

  // One tick's context over the real API server, for the Canary as stored.
  async function tickContext(): Promise<TickContext> {
    const caches = createClusterCaches({ kube, clock: systemClock, logger: silentLogger, namespace: namespace() });
    const providerCaches = new OnDemandCaches({ kube, clock: systemClock, logger: silentLogger, namespace: namespace() });
    started.push(providerCaches);
    const config = parseConfig([], {});
    const deps: TickDeps = {
      kube, caches, clock: systemClock, logger: silentLogger, bus: createDomainBus(), config, newId: () => 'id',
      recorder: new Recorder(new Registry(), { version: 'test', meshProvider: config.meshProvider }),
      providerObjects: providerCaches.reader(),
      analysis: {
        webhooks: { http: { post: () => Promise.reject(new Error('no webhooks here')) }, clock: systemClock, secrets: () => Promise.resolve(undefined) },
        metrics: { http: { get: () => Promise.reject(new Error('no metrics here')), post: () => Promise.reject(new Error('no metrics here')) }, providers: new ProviderCache(), metricsServer: 'http://prometheus.invalid' },
      },
    };
    const raw = await kube.get(CanaryResource, namespace(), 'podinfo');
    if (raw === undefined) throw new Error('canary not stored');
    const parsed = parseCanary(raw);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    return new TickContext(deps, raw, parsed.value);
  }

  it('creates podinfo-so-primary for the primary, accepted by KEDA\'s schema, and brings it in line at promotion', async () => {
    await kube.create(Resources.scaledObjects, targetScaledObject(namespace()));
    const canary = aCanary({ namespace: namespace() });
    (canary.spec as Record<string, unknown>).autoscalerRef = {
      apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', name: 'podinfo-so', primaryScalerReplicas: { minReplicas: 2, maxReplicas: 5 },
    };
    await kube.create(CanaryResource, canary);

    await ensurePrimaryScaler(await tickContext());
    const primary = await kube.get(Resources.scaledObjects, namespace(), 'podinfo-so-primary');
    expect(primary?.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Canary', name: 'podinfo', controller: true })]);
    expect(primary?.spec).toMatchObject({ scaleTargetRef: { name: 'podinfo-primary' }, minReplicaCount: 2, maxReplicaCount: 5, pollingInterval: 10 });
    expect(primary?.spec?.triggers[0]?.metadata.query).toBe('sum(rate(http_requests_total{ app="podinfo-primary" }[30s]))');

    await kube.patch(Resources.scaledObjects, { namespace: namespace(), name: 'podinfo-so' }, {
      spec: { cooldownPeriod: 60, triggers: [{ type: 'cpu', name: 'cpu', metricType: 'Utilization', metadata: { value: '80' } }] },
    });
    await updatePrimaryScaler(await tickContext());
    const promoted = await kube.get(Resources.scaledObjects, namespace(), 'podinfo-so-primary');
    expect(promoted?.spec).toMatchObject({ cooldownPeriod: 60, minReplicaCount: 2, maxReplicaCount: 5 });
    expect(promoted?.spec?.triggers).toEqual([{ type: 'cpu', name: 'cpu', metricType: 'Utilization', metadata: { value: '80' } }]);
  });

  it('pauses the target ScaledObject at zero replicas and resumes it', async () => {
    const ctx = await tickContext();
    await pauseTargetScaler(ctx, true);
    const paused = await kube.get(Resources.scaledObjects, namespace(), 'podinfo-so');
    expect(paused?.metadata.annotations?.['autoscaling.keda.sh/paused-replicas']).toBe('0');
    await pauseTargetScaler(await tickContext(), false);
    const resumed = await kube.get(Resources.scaledObjects, namespace(), 'podinfo-so');
    expect(resumed?.metadata.annotations?.['autoscaling.keda.sh/paused-replicas']).toBeUndefined();
  });

  it('refuses a primary ScaledObject KEDA\'s schema rejects, so the builder cannot drift from the CRD unnoticed', async () => {
    const invalid = { ...targetScaledObject(namespace()), metadata: { name: 'bounds-reversed', namespace: namespace() } };
    invalid.spec = { ...invalid.spec!, minReplicaCount: 6, maxReplicaCount: 2 };
    await expect(kube.create(Resources.scaledObjects, invalid)).rejects.toThrow(/minReplicaCount must be less than or equal to maxReplicaCount/);
  });
});
