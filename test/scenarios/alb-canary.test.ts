import { afterEach, describe, expect, it } from 'vitest';
import { Resources } from '../../src/kube/resources.js';
import { ACTION, ALB, annotationWeights, awsWeights, progressingAlb, syncAlb, tick, type FakeAlb } from './alb-world.js';
import type { World } from './world.js';

async function state(world: World, alb: FakeAlb): Promise<{ phase?: string; weight?: number; annotation: string; aws: string; targetReplicas?: number }> {
  const status = await world.canaryStatus();
  return {
    phase: status.phase, weight: status.canaryWeight, annotation: await annotationWeights(world), aws: await awsWeights(world, alb),
    targetReplicas: (await world.deployment('podinfo'))?.spec?.replicas,
  };
}

describe('canary strategy on an AWS ALB, with weight verification', () => {
  let world: World;
  afterEach(async () => world.stop());

  it('initializes with the action forwarding all to the primary, keeping the target up until AWS shows 100/0', async () => {
    ({ world } = await progressingAlb());
    const ingress = await world.kube.get(Resources.ingresses, 'test', 'podinfo');
    expect(ingress?.metadata.annotations?.[`${ALB}/scheme`]).toBe('internet-facing');
    expect(JSON.parse(ingress?.metadata.annotations?.[`${ALB}/actions.${ACTION}`] ?? '{}')).toEqual({
      type: 'forward',
      forwardConfig: {
        targetGroups: [{ serviceName: 'podinfo-primary', servicePort: '80', weight: 100 }, { serviceName: 'podinfo-canary', servicePort: '80', weight: 0 }],
        targetGroupStickinessConfig: { enabled: false },
      },
    });
    expect(world.messages()).toContain('Initialization done! podinfo.test');
  });

  it('holds a step as pending, counting nothing, until AWS shows the weights, then advances', async () => {
    let alb: FakeAlb;
    ({ world, alb } = await progressingAlb());
    await tick(world, alb, true);
    expect(await state(world, alb)).toMatchObject({ phase: 'Progressing', weight: 10, annotation: '90/10', aws: '100/0' });
    world.metricValue = 0; // a failing check would count, if the analysis ran
    await tick(world, alb, false);
    await tick(world, alb, false);
    const status = await world.canaryStatus();
    expect([status.canaryWeight, status.failedChecks]).toEqual([10, 0]);
    expect(status.trafficPending).toMatchObject({ weights: '90/10', reason: 'waiting for ALB weights 90/10, AWS has 100/0' });
    expect(status.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'TrafficPending' });
    expect(world.messages()).toContain('the ALB has not applied the weights yet: waiting for ALB weights 90/10, AWS has 100/0');
    world.metricValue = 100;
    await tick(world, alb, true);
    expect(await state(world, alb)).toMatchObject({ phase: 'Progressing', weight: 20, annotation: '80/20', aws: '90/10' });
    // 80/20 was written by this tick; the next one asks AWS about it.
    expect((await world.canaryStatus()).trafficPending).toBeUndefined();
  });

  it('rolls back when AWS never applies the weights within the progress deadline, scaling down once AWS shows 100/0', async () => {
    let alb: FakeAlb;
    ({ world, alb } = await progressingAlb());
    await tick(world, alb, true);
    // Pending since the first of these intervals (t); the 60 s deadline is passed at t + 75 s, the sixth.
    const phases: (string | undefined)[] = [];
    for (let i = 0; i < 6; i++) {
      await tick(world, alb, false);
      phases.push((await world.canaryStatus()).phase);
    }
    expect(phases).toEqual(['Progressing', 'Progressing', 'Progressing', 'Progressing', 'Progressing', 'Failed']);
    expect(world.messages()).toContain(
      'Rolling back podinfo.test traffic weights not applied within the progress deadline: waiting for ALB weights 90/10, AWS has 100/0');
    // AWS never moved off 100/0, so the check right after the rollback finds all traffic on the primary and
    // the target goes to zero at once.
    expect(await state(world, alb)).toMatchObject({ phase: 'Failed', weight: 0, annotation: '100/0', aws: '100/0', targetReplicas: 0 });
    expect((await world.canaryStatus()).trafficPending).toBeUndefined();
    expect(world.messages()).toContain('Traffic is all on the primary: scaling down podinfo.test');
  });

  it('promotes a good release with AWS in step, scaling the target down only after AWS shows 100/0', async () => {
    let alb: FakeAlb;
    ({ world, alb } = await progressingAlb());
    const seen: string[] = [];
    for (let i = 0; i < 6; i++) {
      await tick(world, alb, true);
      const s = await state(world, alb);
      seen.push(`${s.phase} ${s.annotation} ${s.targetReplicas}`);
    }
    expect(seen).toEqual(['Progressing 90/10 2', 'Progressing 80/20 2', 'Promoting 80/20 2', 'Finalising 100/0 2', 'Succeeded 100/0 0', 'Succeeded 100/0 0']);
    expect((await world.deployment('podinfo-primary'))?.spec?.template.spec?.containers[0]?.image).toBe('ghcr.io/stefanprodan/podinfo:6.0.1');
  });

  it('rolls back a failing release with AWS weights back at 100/0', async () => {
    let alb: FakeAlb;
    ({ world, alb } = await progressingAlb());
    await tick(world, alb, true);
    world.metricValue = 50;
    for (let i = 0; i < 3; i++) await tick(world, alb, true);
    expect(await state(world, alb)).toMatchObject({ phase: 'Failed', annotation: '100/0', aws: '90/10', targetReplicas: 2 });
    await tick(world, alb, true);
    expect(await state(world, alb)).toMatchObject({ phase: 'Failed', annotation: '100/0', aws: '100/0', targetReplicas: 0 });
    expect((await world.deployment('podinfo-primary'))?.spec?.template.spec?.containers[0]?.image).toBe('ghcr.io/stefanprodan/podinfo:6.0.0');
  });

  it.each<[string, Record<string, unknown>, string[]]>([
    ['the Canary', { verifyTrafficWeights: false }, []],
    ['the operator, for all Canaries,', {}, ['--verify-traffic-weights=false']],
  ])('advances without asking AWS when %s turns verification off', async (_who, spec, flags) => {
    let alb: FakeAlb;
    ({ world, alb } = await progressingAlb(spec, {}, flags));
    const calls = world.elbv2.calls;
    await tick(world, alb, false);
    await tick(world, alb, false);
    expect(world.elbv2.calls).toBe(calls);
    expect(await state(world, alb)).toMatchObject({ phase: 'Progressing', weight: 20, annotation: '80/20' });
  });

  it('reports an unreachable ELBv2 API as pending with the error, never as applied', async () => {
    let alb: FakeAlb;
    ({ world, alb } = await progressingAlb());
    await tick(world, alb, true);
    world.elbv2.failure = new Error('UnrecognizedClientException: The security token included in the request is invalid');
    await tick(world, alb, true);
    const status = await world.canaryStatus();
    expect(status.canaryWeight).toBe(10);
    expect(status.trafficPending?.reason).toBe(
      `cannot read the ALB of action ${ACTION} from AWS: UnrecognizedClientException: The security token included in the request is invalid`);
  });

  it('turns session affinity into target-group stickiness', async () => {
    let alb: FakeAlb;
    ({ world, alb } = await progressingAlb({}, { sessionAffinity: { cookieName: 'canary', maxAge: 3600 } }));
    await tick(world, alb, true);
    const ingress = await world.kube.get(Resources.ingresses, 'test', 'podinfo');
    const action = JSON.parse(ingress?.metadata.annotations?.[`${ALB}/actions.${ACTION}`] ?? '{}') as { forwardConfig: unknown };
    expect(action.forwardConfig).toMatchObject({ targetGroupStickinessConfig: { enabled: true, durationSeconds: 3600 } });
    await syncAlb(world, alb);
  });
});

describe('A/B testing on an AWS ALB', () => {
  let world: World;
  afterEach(async () => world.stop());

  it('adds a header route before the weighted path during the run and removes it at promotion', async () => {
    let alb: FakeAlb;
    ({ world, alb } = await progressingAlb({}, {
      stepWeight: undefined, maxWeight: undefined, iterations: 2, match: [{ headers: { 'x-canary': { exact: 'insider' } } }],
    }));
    // Another tool's annotation that merely looks like a header route's is not Songbird's to remove.
    const foreign = `example.com/actions.${ACTION}-canary-route-0`;
    await world.kube.patch(Resources.ingresses, { namespace: 'test', name: 'podinfo' }, { metadata: { annotations: { [foreign]: 'keep' } } });
    await tick(world, alb, true);
    const during = await world.kube.get(Resources.ingresses, 'test', 'podinfo');
    expect(during?.spec?.rules?.[0]?.http?.paths.map((p) => p.backend.service?.name)).toEqual([`${ACTION}-canary-route-0`, ACTION]);
    expect(JSON.parse(during?.metadata.annotations?.[`${ALB}/conditions.${ACTION}-canary-route-0`] ?? '[]')).toEqual([
      { field: 'http-header', httpHeaderConfig: { httpHeaderName: 'x-canary', values: ['insider'] } },
    ]);
    expect(await annotationWeights(world)).toBe('100/0');
    const phases: (string | undefined)[] = [];
    for (let i = 0; i < 5; i++) {
      await tick(world, alb, true);
      phases.push((await world.canaryStatus()).phase);
    }
    expect(phases).toContain('Succeeded');
    const after = await world.kube.get(Resources.ingresses, 'test', 'podinfo');
    expect(after?.spec?.rules?.[0]?.http?.paths.map((p) => p.backend.service?.name)).toEqual([ACTION]);
    expect(Object.keys(after?.metadata.annotations ?? {}).filter((k) => k.includes('canary-route'))).toEqual([foreign]);
  });

  it('stalls with a clear reason when a match needs more evaluations than ALB allows', async () => {
    let alb: FakeAlb;
    const headers = Object.fromEntries(['a', 'b', 'c', 'd', 'e'].map((h) => [`x-${h}`, { exact: '1' }]));
    ({ world, alb } = await progressingAlb({}, { stepWeight: undefined, maxWeight: undefined, iterations: 2, match: [{ headers }] }));
    await tick(world, alb, true);
    const conditions = (await world.canaryStatus()).conditions ?? [];
    expect(conditions.find((c) => c.type === 'Stalled')).toMatchObject({
      status: 'True', reason: 'InvalidSpec',
      message: 'spec.analysis.match[0]: ALB allows 5 match evaluations per rule and this header route needs 6 (host 0, path 1, conditions 5)',
    });
    expect(conditions.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'InvalidSpec' });
    expect(world.messages().filter((m) => m.startsWith('invalid canary spec: spec.analysis.match[0]'))).toHaveLength(1);
    expect((await world.canaryStatus()).iterations ?? 0).toBe(0);
  });
});

describe('builtin metrics of an ALB canary from CloudWatch', () => {
  let world: World;
  afterEach(async () => world.stop());
  const builtin = { metrics: [{ name: 'request-success-rate', thresholdRange: { min: 99 }, interval: '1m' }] };

  it('reads the success rate of the canary target group and advances while it is good', async () => {
    let alb: FakeAlb;
    ({ world, alb } = await progressingAlb({}, builtin));
    world.albTraffic = { requests: 1000, errors: 5 };
    await tick(world, alb, true);
    await tick(world, alb, true);
    const status = await world.canaryStatus();
    expect([status.canaryWeight, status.lastMetricValues?.['request-success-rate']?.value]).toEqual([20, 99.5]);
    const dimensions = world.cloudWatchRequests.at(-1)?.MetricDataQueries?.[0]?.MetricStat?.Metric?.Dimensions;
    expect(dimensions).toEqual([
      { Name: 'LoadBalancer', Value: expect.stringMatching(/^app\/k8s-test-podinfo\//) as unknown },
      { Name: 'TargetGroup', Value: alb.canaryArn.split(':').at(-1) },
    ]);
  });

  it('rolls back on a bad success rate, and never passes a check without datapoints', async () => {
    let alb: FakeAlb;
    ({ world, alb } = await progressingAlb({}, builtin));
    await tick(world, alb, true);
    world.albTraffic = null;
    await tick(world, alb, true);
    expect((await world.canaryStatus()).failedChecks).toBe(1);
    world.albTraffic = { requests: 1000, errors: 100 };
    await tick(world, alb, true);
    expect((await world.canaryStatus()).lastMetricValues?.['request-success-rate']).toMatchObject({ value: 90, verdict: 'Fail' });
    await tick(world, alb, true);
    const status = await world.canaryStatus();
    expect([status.phase, status.failedChecks]).toEqual(['Failed', 2]);
  });
});
