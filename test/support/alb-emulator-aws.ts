/**
 * The AWS half of the ALB controller emulator: what the AWS Load Balancer Controller would create in AWS
 * for an `alb` Ingress, here created in moto through the real SDK clients (aws-alb.md "Testing without AWS").
 */
import { createHash } from 'node:crypto';
import { CreateSubnetCommand, CreateVpcCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateListenerCommand, CreateLoadBalancerCommand, CreateRuleCommand, CreateTargetGroupCommand, DeleteRuleCommand,
  DescribeListenersCommand, DescribeLoadBalancersCommand, DescribeRulesCommand, DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client, LoadBalancerNotFoundException, ModifyRuleCommand, SetRulePrioritiesCommand,
  TargetGroupNotFoundException, type Action, type Rule, type RuleCondition,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { AwsClientConfig } from './moto.js';

/** The two SDK clients the emulator uses, pointed at moto. */
export interface AwsSide {
  ec2: EC2Client;
  elb: ElasticLoadBalancingV2Client;
  region: string;
}

/** A VPC with two subnets in two availability zones, which an application load balancer requires. */
export interface Network {
  vpcId: string;
  subnetIds: string[];
}

/** A load balancer and its HTTP:80 listener. */
export interface LoadBalancerInfo {
  arn: string;
  dnsName: string;
  listenerArn: string;
}

/** One target group of a weighted forward action. */
export interface WeightedTarget {
  targetGroupArn: string;
  /** 0–999 in AWS; undefined when the annotation gives none, and then left out of the request. */
  weight?: number;
}

/** Target-group stickiness of a forward action, in the SDK's spelling. */
export interface Stickiness {
  Enabled: boolean;
  DurationSeconds?: number;
}

// AWS names of load balancers and target groups: at most 32 characters, letters, digits and hyphens.
const maxAwsName = 32;
const hashLength = 8;
// A listener rule priority above any the emulator assigns (1, 2, … in Ingress order) and below AWS's 50000.
const parkingPriority = 40_000;

/** Clients for `config`; `destroy()` them when done. */
export function awsSide(config: AwsClientConfig): AwsSide {
  return { ec2: new EC2Client(config), elb: new ElasticLoadBalancingV2Client(config), region: config.region };
}

/**
 * A valid AWS name from `parts`, stable for the same input. A longer name keeps its first 23 characters
 * and ends with a hash of the whole, so that two long names sharing a start still differ:
 * `k8s-team-payments-podinfo-primary-80` (36 characters) becomes `k8s-team-payments-podin` + `-` + the first
 * 8 hex digits of its SHA-256, `k8s-team-payments-podin-2b2faaf7` (23 + 1 + 8 = 32).
 */
export function awsName(parts: readonly string[]): string {
  const full = parts.join('-').toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/^-|-$/g, '');
  if (full.length <= maxAwsName) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, hashLength);
  return `${full.slice(0, maxAwsName - hashLength - 1).replace(/-$/, '')}-${hash}`;
}

/** Creates a VPC `10.0.0.0/16` with subnets `10.0.1.0/24` and `10.0.2.0/24` in zones `a` and `b` of the region. */
export async function createNetwork(aws: AwsSide): Promise<Network> {
  const vpc = await aws.ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }));
  const vpcId = required(vpc.Vpc?.VpcId, 'VpcId');
  const subnetIds: string[] = [];
  for (const [index, zone] of ['a', 'b'].entries()) {
    const subnet = await aws.ec2.send(new CreateSubnetCommand({
      VpcId: vpcId, CidrBlock: `10.0.${index + 1}.0/24`, AvailabilityZone: `${aws.region}${zone}`,
    }));
    subnetIds.push(required(subnet.Subnet?.SubnetId, 'SubnetId'));
  }
  return { vpcId, subnetIds };
}

/**
 * The application load balancer named `name` with an HTTP:80 listener whose default action answers 404,
 * created when missing. It is looked up by name first because moto, unlike AWS, creates a second load
 * balancer when the same name is created twice.
 */
export async function ensureLoadBalancer(aws: AwsSide, name: string, network: Network): Promise<LoadBalancerInfo> {
  const existing = await aws.elb.send(new DescribeLoadBalancersCommand({ Names: [name] }))
    .then((out) => out.LoadBalancers?.[0], ignore(LoadBalancerNotFoundException));
  const lb = existing ?? (await aws.elb.send(new CreateLoadBalancerCommand({
    Name: name, Type: 'application', Scheme: 'internet-facing', Subnets: network.subnetIds,
  }))).LoadBalancers?.[0];
  const arn = required(lb?.LoadBalancerArn, 'LoadBalancerArn');
  const listeners = (await aws.elb.send(new DescribeListenersCommand({ LoadBalancerArn: arn }))).Listeners ?? [];
  const listener = listeners.find((l) => l.Port === 80) ?? (await aws.elb.send(new CreateListenerCommand({
    LoadBalancerArn: arn, Protocol: 'HTTP', Port: 80,
    DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain' } }],
  }))).Listeners?.[0];
  return { arn, dnsName: required(lb?.DNSName, 'DNSName'), listenerArn: required(listener?.ListenerArn, 'ListenerArn') };
}

/** The ARN of the IP target group `name` (HTTP on `port` in the VPC), created when missing. */
export async function ensureTargetGroup(aws: AwsSide, name: string, port: number, vpcId: string): Promise<string> {
  const existing = await aws.elb.send(new DescribeTargetGroupsCommand({ Names: [name] }))
    .then((out) => out.TargetGroups?.[0], ignore(TargetGroupNotFoundException));
  const group = existing ?? (await aws.elb.send(new CreateTargetGroupCommand({
    Name: name, Protocol: 'HTTP', Port: port, VpcId: vpcId, TargetType: 'ip',
  }))).TargetGroups?.[0];
  return required(group?.TargetGroupArn, 'TargetGroupArn');
}

/** The rule's single forward action with weighted target groups. */
export function forwardActions(targets: readonly WeightedTarget[], stickiness: Stickiness): Action[] {
  const TargetGroups = targets.map((t) => ({ TargetGroupArn: t.targetGroupArn, Weight: t.weight }));
  return [{ Type: 'forward', ForwardConfig: { TargetGroups, TargetGroupStickinessConfig: stickiness } }];
}

/** Creates a listener rule and returns its ARN. */
export async function createRule(aws: AwsSide, listenerArn: string,
  rule: { priority: number; conditions: RuleCondition[]; actions: Action[] }): Promise<string> {
  const out = await aws.elb.send(new CreateRuleCommand({
    ListenerArn: listenerArn, Priority: rule.priority, Conditions: rule.conditions, Actions: rule.actions,
  }));
  return required(out.Rules?.[0]?.RuleArn, 'RuleArn');
}

/** Replaces a rule's actions or conditions (the other part stays as it is). */
export async function modifyRule(aws: AwsSide, ruleArn: string,
  change: { actions: Action[] } | { conditions: RuleCondition[] }): Promise<void> {
  await aws.elb.send(new ModifyRuleCommand('actions' in change
    ? { RuleArn: ruleArn, Actions: change.actions }
    : { RuleArn: ruleArn, Conditions: change.conditions }));
}

export async function deleteRule(aws: AwsSide, ruleArn: string): Promise<void> {
  await aws.elb.send(new DeleteRuleCommand({ RuleArn: ruleArn }));
}

/**
 * Moves rules to new priorities. moto rejects a swap within one call (AWS accepts it), so every moved rule
 * is first parked above the range in use: rules A at 1 and B at 2 swap as A→40001, B→40002, then A→2, B→1.
 */
export async function setPriorities(aws: AwsSide, moves: readonly { ruleArn: string; priority: number }[]): Promise<void> {
  if (moves.length === 0) return;
  for (const offset of [parkingPriority, 0]) {
    await aws.elb.send(new SetRulePrioritiesCommand({
      RulePriorities: moves.map((m) => ({ RuleArn: m.ruleArn, Priority: m.priority + offset })),
    }));
  }
}

/** ARNs of the listener's rules other than its default one. */
export async function listenerRuleArns(aws: AwsSide, listenerArn: string): Promise<string[]> {
  const rules = (await aws.elb.send(new DescribeRulesCommand({ ListenerArn: listenerArn }))).Rules ?? [];
  return rules.filter((r) => r.IsDefault !== true).flatMap((r) => (r.RuleArn === undefined ? [] : [r.RuleArn]));
}

/** The rule as AWS has it now, or undefined when it is gone. */
export async function describeRule(aws: AwsSide, ruleArn: string): Promise<Rule | undefined> {
  const out = await aws.elb.send(new DescribeRulesCommand({ RuleArns: [ruleArn] })).catch(() => undefined);
  return out?.Rules?.[0];
}

// A rejection handler that turns one "not found" exception type into undefined and rethrows anything else.
function ignore(type: new (...args: never[]) => Error): (error: unknown) => undefined {
  return (error) => {
    if (error instanceof type) return undefined;
    throw error;
  };
}

function required<T>(value: T | undefined, field: string): T {
  if (value === undefined) throw new Error(`AWS answered without ${field}`);
  return value;
}
