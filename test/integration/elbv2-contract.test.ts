import type { RuleCondition } from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsElbV2 } from '../../src/adapters/elbv2-aws.js';
import type { ElbV2Port } from '../../src/ports/elbv2.js';
import { appliedWeights, loadBalancerNameOf, type AlbTopology } from '../../src/routers/alb/alb-aws.js';
import { FakeElbV2 } from '../fakes/fake-elbv2.js';
import { awsSide, createNetwork, createRule, ensureLoadBalancer, ensureTargetGroup, forwardActions, modifyRule, type AwsSide } from '../support/alb-emulator-aws.js';
import { awsClientConfig, startMoto, type RunningMoto } from '../support/moto.js';

/** One side of the contract: the port to read through, and how to set the world up on it. */
interface Side {
  port: ElbV2Port;
  /** Creates `count` load balancers; the last one has the two target groups and a rule forwarding 90/10. */
  setUp(count: number): Promise<{ topology: AlbTopology; dnsName: string; setWeights: (primary: number, canary: number) => Promise<void> }>;
}

function fakeSide(): Side {
  const fake = new FakeElbV2();
  return {
    port: fake,
    setUp: (count) => {
      const balancers = Array.from({ length: count }, (_, i) => fake.addLoadBalancer(`lb-${i}`));
      const last = balancers[count - 1];
      if (last === undefined) throw new Error('no load balancer');
      const topology = { loadBalancerArn: last.arn, primaryTargetGroupArn: fake.targetGroup('primary'), canaryTargetGroupArn: fake.targetGroup('canary') };
      const setWeights = (primary: number, canary: number): Promise<void> => {
        fake.forward(last.listenerArn, 'weighted', [{ arn: topology.primaryTargetGroupArn, weight: primary }, { arn: topology.canaryTargetGroupArn, weight: canary }]);
        return Promise.resolve();
      };
      fake.forward(last.listenerArn, 'other', [{ arn: fake.targetGroup('other'), weight: 100 }]);
      return setWeights(90, 10).then(() => ({ topology, dnsName: last.dnsName, setWeights }));
    },
  };
}

function motoSide(aws: AwsSide, port: ElbV2Port): Side {
  return {
    port,
    setUp: async (count) => {
      const network = await createNetwork(aws);
      const balancers = [];
      for (let i = 0; i < count; i++) balancers.push(await ensureLoadBalancer(aws, `contract-lb-${i}`, network));
      const last = balancers[count - 1];
      if (last === undefined) throw new Error('no load balancer');
      const [primary, canary, other] = await Promise.all(['primary', 'canary', 'other'].map((n) => ensureTargetGroup(aws, `contract-${n}`, 80, network.vpcId)));
      if (primary === undefined || canary === undefined || other === undefined) throw new Error('no target groups');
      const path = (value: string): RuleCondition[] => [{ Field: 'path-pattern', PathPatternConfig: { Values: [value] } }];
      await createRule(aws, last.listenerArn, { priority: 2, conditions: path('/other/*'), actions: forwardActions([{ targetGroupArn: other, weight: 100 }], { Enabled: false }) });
      const rule = await createRule(aws, last.listenerArn, {
        priority: 1, conditions: path('/*'), actions: forwardActions([{ targetGroupArn: primary, weight: 90 }, { targetGroupArn: canary, weight: 10 }], { Enabled: false }),
      });
      const setWeights = (p: number, c: number): Promise<void> =>
        modifyRule(aws, rule, { actions: forwardActions([{ targetGroupArn: primary, weight: p }, { targetGroupArn: canary, weight: c }], { Enabled: false }) });
      return { topology: { loadBalancerArn: last.arn, primaryTargetGroupArn: primary, canaryTargetGroupArn: canary }, dnsName: last.dnsName, setWeights };
    },
  };
}

/**
 * What weight verification reads (DescribeLoadBalancers by DNS name across pages, DescribeListeners,
 * DescribeRules with forward configs) is the same from the scenario tests' FakeElbV2 as from moto through
 * the real SDK adapter.
 */
describe.each(['FakeElbV2', 'moto'])('ELBv2 contract: %s', (name) => {
  let moto: RunningMoto | undefined;
  let aws: AwsSide | undefined;
  let side: Side;

  beforeAll(async () => {
    if (name === 'FakeElbV2') {
      side = fakeSide();
      return;
    }
    moto = await startMoto();
    aws = awsSide(awsClientConfig(moto));
    side = motoSide(aws, awsElbV2(awsClientConfig(moto)));
  }, 60_000);

  afterAll(async () => {
    aws?.ec2.destroy();
    aws?.elb.destroy();
    await moto?.stop();
  });

  it('finds the load balancer by its DNS name, reads the weights of the rule forwarding to both target groups, and sees a change', async () => {
    const { topology, dnsName, setWeights } = await side.setUp(3);
    const balancers = [];
    let marker: string | undefined;
    do {
      const page = await side.port.describeLoadBalancers(marker === undefined ? {} : { Marker: marker });
      balancers.push(...(page.LoadBalancers ?? []));
      marker = page.NextMarker;
    } while (marker !== undefined);
    expect(balancers.find((lb) => lb.DNSName === dnsName)?.LoadBalancerArn).toBe(topology.loadBalancerArn);
    const name = loadBalancerNameOf(dnsName) ?? '';
    expect((await side.port.describeLoadBalancers({ Names: [name] })).LoadBalancers?.map((lb) => lb.DNSName)).toEqual([dnsName]);
    await expect(side.port.describeLoadBalancers({ Names: ['no-such-balancer'] })).rejects
      .toMatchObject({ name: 'LoadBalancerNotFoundException', message: 'The specified load balancer does not exist.' });
    expect(await appliedWeights(side.port, topology)).toEqual([{ primary: 90, canary: 10 }]);
    await setWeights(100, 0);
    expect(await appliedWeights(side.port, topology)).toEqual([{ primary: 100, canary: 0 }]);
  }, 60_000);
});
