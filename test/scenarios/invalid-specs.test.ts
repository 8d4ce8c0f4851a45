import { afterEach, describe, expect, it } from 'vitest';
import type { Condition } from '../../src/api/common.js';
import type { Logger } from '../../src/ports/logger.js';
import { CanaryResource } from '../../src/reconciler/cluster-caches.js';
import { aCanary, aDeployment } from '../fixtures/objects.js';
import { invalidObject, invalidSpecs } from '../fixtures/invalid-specs.js';
import { World } from './world.js';

const HOUR = 3_600_000;

/** A logger that counts what a crash or a failing tick would log. */
function countingLogger(): Logger & { errors: string[] } {
  const errors: string[] = [];
  const logger: Logger & { errors: string[] } = {
    errors, debug: () => undefined, info: () => undefined, warn: () => undefined,
    error: (message, fields) => errors.push(`${message} ${JSON.stringify(fields ?? {})}`),
    child: () => logger,
  };
  return logger;
}

/** The API writes that touched one Canary (status patches, finalizers). */
function canaryWrites(world: World, name: string): number {
  return world.kube.writes.filter((w) => w.kind === 'Canary' && w.name === name).length;
}

async function condition(world: World, name: string, type: string): Promise<Condition | undefined> {
  return (await world.canaryStatus(name)).conditions?.find((c) => c.type === type);
}

type Spec = Record<string, unknown> & { analysis: Record<string, unknown>; targetRef: Record<string, unknown> };

/** Problems only the operator can see: cross-object references, operator flags, objects stored under another CRD. */
const runtimeProblems: Array<[string, (spec: Spec) => void, { type: 'Stalled' | 'Ready'; reason: string; fragment: string }]> = [
  ['a provider the operator does not implement', (s) => { s.provider = 'linkerd'; },
    { type: 'Stalled', reason: 'InvalidSpec', fragment: 'spec.provider: provider linkerd is not implemented yet' }],
  ['provider knative with a Deployment target', (s) => { s.provider = 'knative'; },
    { type: 'Stalled', reason: 'InvalidSpec', fragment: 'spec.provider: provider knative requires a Knative Service target' }],
  ['provider nginx without ingressRef', (s) => { s.provider = 'nginx'; },
    { type: 'Stalled', reason: 'InvalidSpec', fragment: 'spec.ingressRef: ingressRef is required when provider is nginx' }],
  ['provider alb without ingressRef', (s) => { s.provider = 'alb'; },
    { type: 'Stalled', reason: 'InvalidSpec', fragment: 'spec.ingressRef: ingressRef is required when provider is alb' }],
  ['a target kind this version does not roll out', (s) => { Object.assign(s.targetRef, { apiVersion: 'v1', kind: 'Service' }); },
    { type: 'Stalled', reason: 'InvalidSpec', fragment: 'spec.targetRef.kind: target kind Service is not supported yet' }],
  ['an autoscaler kind the operator cannot handle (stored under another CRD)', (s) => { s.autoscalerRef = { apiVersion: 'http.keda.sh/v1alpha1', kind: 'HTTPScaledObject', name: 'podinfo' }; },
    { type: 'Stalled', reason: 'InvalidSpec', fragment: 'spec.autoscalerRef.kind' }],
  ['an autoscaler for a DaemonSet target (stored before the CEL rules)', (s) => {
    s.targetRef.kind = 'DaemonSet';
    s.autoscalerRef = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name: 'podinfo' };
  }, { type: 'Stalled', reason: 'InvalidSpec', fragment: 'spec.autoscalerRef: autoscalerRef is not supported with a DaemonSet target' }],
  ['a target that does not exist', (s) => { s.targetRef.name = 'missing'; },
    { type: 'Ready', reason: 'TargetNotFound', fragment: 'Deployment missing.test not found' }],
  ['a threshold that is not a number (stored under another CRD)', (s) => { s.analysis.threshold = 'five'; },
    { type: 'Stalled', reason: 'InvalidSpec', fragment: 'spec.analysis.threshold' }],
  ['two strategies (stored before the CEL rules)', (s) => { s.analysis.stepWeight = 10; },
    { type: 'Stalled', reason: 'InvalidSpec', fragment: 'spec.analysis: exactly one of iterations, stepWeight or stepWeights must be set' }],
  ['a relative webhook URL (stored before the CEL rules)', (s) => { s.analysis.webhooks = [{ name: 'gate', url: '/gate/approve' }]; },
    { type: 'Stalled', reason: 'InvalidSpec', fragment: 'spec.analysis.webhooks[0].url: url must be an absolute http or https URL' }],
  ['a webhook timeout that is not a duration', (s) => { s.analysis.webhooks = [{ name: 'gate', url: 'http://gate.test/', timeout: '5soon' }]; },
    { type: 'Stalled', reason: 'InvalidSpec', fragment: 'spec.analysis.webhooks[0].timeout: "5soon" is not a duration' }],
  ['a custom metric with neither templateRef nor query', (s) => { s.analysis.metrics = [{ name: 'error-rate' }]; },
    { type: 'Stalled', reason: 'InvalidSpec', fragment: 'spec.analysis.metrics[0]: a metric other than request-success-rate or request-duration' }],
];

describe('specs the operator cannot act on', () => {
  let world: World;
  afterEach(async () => world.stop());

  it.each(runtimeProblems)('reports %s with a reason naming it, and stays quiet for an hour', async (_case, change, expected) => {
    const logger = countingLogger();
    world = await new World([], logger).start();
    await world.create('deployment', aDeployment());
    const canary = aCanary();
    change(canary.spec as Spec);
    await world.create('canary', canary);
    await world.advance(HOUR);

    const reported = await condition(world, 'podinfo', expected.type);
    expect(reported).toMatchObject({ status: expected.type === 'Stalled' ? 'True' : 'False', reason: expected.reason });
    expect(reported?.message).toContain(expected.fragment);
    // A hot retry would write and warn every tick (240 times an hour at a 15 s interval).
    expect(canaryWrites(world, 'podinfo')).toBeLessThanOrEqual(3);
    expect(world.notices.length).toBeLessThanOrEqual(2);
    expect(logger.errors).toEqual([]);
    // Nothing acted on the workload but the test's own create.
    expect(world.kube.writes.filter((w) => w.kind === 'Deployment' && w.verb !== 'create')).toEqual([]);
  });

  it('fails the checks of a run whose MetricTemplate is missing, naming it, and rolls back; never promotes', async () => {
    world = await new World().start();
    await world.create('deployment', aDeployment());
    const canary = aCanary();
    (canary.spec as Spec).analysis.metrics = [{ name: 'error-rate', templateRef: { name: 'error-rate' }, thresholdRange: { max: 1 } }];
    await world.create('canary', canary);
    await world.makeReady('podinfo-primary');
    await world.setImage('podinfo', 'ghcr.io/stefanprodan/podinfo:6.0.1');
    await world.makeReady('podinfo');
    for (let i = 0; i < 4; i++) {
      await world.advance(15_000);
      await world.makeReady('podinfo');
    }
    const status = await world.canaryStatus();
    expect(status.phase).toBe('Failed');
    expect(status.lastMetricValues?.['error-rate']).toMatchObject({ verdict: 'Fail', message: 'metric error-rate: MetricTemplate test/error-rate not found' });
    const writes = canaryWrites(world, 'podinfo');
    await world.advance(HOUR);
    expect(canaryWrites(world, 'podinfo') - writes).toBeLessThanOrEqual(1);
    expect((await world.canaryStatus()).phase).toBe('Failed');
  });
});

describe('objects stored before the API had its bounds', () => {
  let world: World;
  afterEach(async () => world.stop());

  // 10 simulated minutes (40 intervals) keep this short with 43 canaries; the hour-long quiet check is above.
  it('serves every invalid Canary of the admission table without a crash or a hot retry, and still serves a valid one', async () => {
    const logger = countingLogger();
    world = await new World([], logger).start();
    const rows = invalidSpecs.map((row, i) => ({ row, name: `invalid-${i}` })).filter(({ row }) => row.example === 'istio-canary.yaml');
    for (const { row, name } of rows) {
      const canary = { ...invalidObject(row, name), metadata: { name, namespace: 'test' } };
      const target = canary.spec.targetRef as { name: string };
      // Each its own target (a row may name a target that cannot exist).
      if (target.name === 'podinfo') {
        target.name = name;
        await world.create('deployment', aDeployment({ name }));
      }
      // Bypasses admission: the in-memory API server has no schema, as a cluster upgraded from older CRDs.
      await world.kube.create(CanaryResource, canary);
    }
    await world.create('deployment', aDeployment());
    await world.create('canary', aCanary());
    await world.makeReady('podinfo-primary');
    await world.advance(HOUR / 6);

    expect(logger.errors).toEqual([]);
    expect(world.controller.scheduler.keys()).toHaveLength(rows.length + 1);
    for (const { name } of rows) expect(canaryWrites(world, name), name).toBeLessThanOrEqual(4);
    expect((await world.canaryStatus()).phase).toBe('Initialized');
  }, 30_000);
});
