import type {
  DescribeListenersCommandInput, DescribeListenersCommandOutput, DescribeLoadBalancersCommandInput, DescribeLoadBalancersCommandOutput,
  DescribeRulesCommandInput, DescribeRulesCommandOutput, Rule,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { ElbV2Port } from '../../src/ports/elbv2.js';

// The error the SDK raises for an unknown load balancer name (its name and AWS's message).
function notFound(): Error {
  return Object.assign(new Error('The specified load balancer does not exist.'), { name: 'LoadBalancerNotFoundException' });
}

const ACCOUNT = 'arn:aws:elasticloadbalancing:us-east-1:123456789012';
// A page size small enough that scenario tests go through the paging of DescribeLoadBalancers and DescribeRules.
const PAGE = 2;

interface FakeRule { arn: string; listenerArn: string; groups: { arn: string; weight: number }[] }

/**
 * ELBv2 in memory, answering the three reads of the port in the SDK's shapes (paged with Marker/NextMarker
 * as AWS does). Scenario tests play the load balancer controller with `forward`; the contract test
 * (test/contract/elbv2-contract.test.ts) checks that the verification reads the same from it as from moto.
 */
export class FakeElbV2 implements ElbV2Port {
  private readonly balancers: { name: string; arn: string; dnsName: string }[] = [];
  private readonly listeners: { arn: string; loadBalancerArn: string }[] = [];
  private readonly rules: FakeRule[] = [];
  private ids = 0;
  /** Fails every call with this error while set (AWS unreachable, bad credentials). */
  failure: Error | undefined;
  calls = 0;

  /** A load balancer with one listener; returns their ARNs and the DNS name (`<name>-<id>.<region>.elb.amazonaws.com`, as AWS). */
  addLoadBalancer(name: string): { arn: string; listenerArn: string; dnsName: string } {
    const id = (++this.ids).toString(16).padStart(16, '0');
    const arn = `${ACCOUNT}:loadbalancer/app/${name}/${id}`;
    const dnsName = `${name}-${id}.us-east-1.elb.amazonaws.com`;
    this.balancers.push({ name, arn, dnsName });
    const listenerArn = `${ACCOUNT}:listener/app/${name}/${id}/${id}`;
    this.listeners.push({ arn: listenerArn, loadBalancerArn: arn });
    return { arn, listenerArn, dnsName };
  }

  /** A target group ARN for `name`. */
  targetGroup(name: string): string {
    return `${ACCOUNT}:targetgroup/${name}/${(++this.ids).toString(16).padStart(16, '0')}`;
  }

  /** Creates or replaces the forward rule `key` of a listener. */
  forward(listenerArn: string, key: string, groups: { arn: string; weight: number }[]): void {
    const arn = `${listenerArn}/rule-${key}`;
    const existing = this.rules.find((r) => r.arn === arn);
    if (existing !== undefined) existing.groups = groups;
    else this.rules.push({ arn, listenerArn, groups });
  }

  /** Removes a forward rule. */
  removeRule(listenerArn: string, key: string): void {
    const index = this.rules.findIndex((r) => r.arn === `${listenerArn}/rule-${key}`);
    if (index >= 0) this.rules.splice(index, 1);
  }

  /** Filters by `Names` as AWS does, failing with LoadBalancerNotFound when one is unknown. */
  describeLoadBalancers(input: DescribeLoadBalancersCommandInput): Promise<DescribeLoadBalancersCommandOutput> {
    const names = input.Names ?? [];
    const named = this.balancers.filter((b) => names.includes(b.name));
    if (named.length < names.length) return this.answer({}).then(() => Promise.reject(notFound()));
    const { items, next } = this.page(names.length > 0 ? named : this.balancers, input.Marker);
    return this.answer({ LoadBalancers: items.map((b) => ({ LoadBalancerArn: b.arn, DNSName: b.dnsName })), NextMarker: next });
  }

  describeListeners(input: DescribeListenersCommandInput): Promise<DescribeListenersCommandOutput> {
    const listeners = this.listeners.filter((l) => l.loadBalancerArn === input.LoadBalancerArn);
    return this.answer({ Listeners: listeners.map((l) => ({ ListenerArn: l.arn, LoadBalancerArn: l.loadBalancerArn })) });
  }

  describeRules(input: DescribeRulesCommandInput): Promise<DescribeRulesCommandOutput> {
    const { items, next } = this.page(this.rules.filter((r) => r.listenerArn === input.ListenerArn), input.Marker);
    const rules: Rule[] = items.map((r) => ({
      RuleArn: r.arn,
      Actions: [{ Type: 'forward', ForwardConfig: { TargetGroups: r.groups.map((g) => ({ TargetGroupArn: g.arn, Weight: g.weight })) } }],
    }));
    return this.answer({ Rules: rules, NextMarker: next });
  }

  private page<T>(all: readonly T[], marker: string | undefined): { items: T[]; next: string | undefined } {
    const start = marker === undefined ? 0 : Number(marker);
    return { items: all.slice(start, start + PAGE), next: start + PAGE < all.length ? String(start + PAGE) : undefined };
  }

  private answer<T>(output: T): Promise<T & { $metadata: object }> {
    this.calls += 1;
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return Promise.resolve({ ...output, $metadata: {} });
  }
}
