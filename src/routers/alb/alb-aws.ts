/**
 * What AWS has actually applied (aws-alb.md "Verifying weights"): the target groups of the `-primary` and
 * `-canary` Services (from their TargetGroupBindings), the load balancer behind the Ingress (by the DNS name
 * in its status) and the weights of every listener rule that forwards to both target groups.
 */
import type { Rule } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Canary } from '../../api/canary.js';
import { serviceNames } from '../../api/defaults.js';
import { Resources, type Ingress } from '../../kube/resources.js';
import type { ElbV2Port } from '../../ports/elbv2.js';
import type { Kube, KubeObject } from '../../ports/kube.js';
import { albServicePort } from './alb-desired.js';
import { AwsReadError, ProviderNotReadyError } from '../../errors.js';
import type { VerifyResult } from '../router.js';

/** A primary/canary weight pair, e.g. `{ primary: 90, canary: 10 }`. */
export interface WeightPair {
  primary: number;
  canary: number;
}

/** The AWS objects of one ALB canary. */
export interface AlbTopology {
  loadBalancerArn: string;
  primaryTargetGroupArn: string;
  canaryTargetGroupArn: string;
}

interface TargetGroupBinding extends KubeObject {
  spec?: { serviceRef?: { name?: string; port?: string | number }; targetGroupARN?: string };
}

/** One ELBv2 read; a failure becomes an AwsReadError naming the call, with the SDK's error as its cause. */
function read<T>(operation: string, call: () => Promise<T>): Promise<T> {
  return call().catch((error: unknown) => Promise.reject(new AwsReadError(operation, error)));
}

/** The target group ARN bound to `service` (preferring the binding on `port`); throws ProviderNotReadyError when none. */
function targetGroupArn(bindings: readonly TargetGroupBinding[], namespace: string, service: string, port: string): string {
  const candidates = bindings.filter((b) => b.spec?.serviceRef?.name === service && (b.spec.targetGroupARN ?? '') !== '');
  const chosen = candidates.find((b) => String(b.spec?.serviceRef?.port) === port) ?? candidates[0];
  if (chosen === undefined) throw new ProviderNotReadyError(`no TargetGroupBinding for Service ${service}.${namespace} yet`);
  return chosen.spec?.targetGroupARN ?? '';
}

function hostnameOf(ingress: Ingress): string {
  const dnsName = ingress.status?.loadBalancer?.ingress?.[0]?.hostname ?? '';
  if (dnsName === '') throw new ProviderNotReadyError(`Ingress ${ingress.metadata.name}.${ingress.metadata.namespace ?? ''} has no load balancer hostname yet`);
  return dnsName.toLowerCase();
}

/**
 * The load balancer name in an ALB DNS name: the first label without the `internal-` prefix and the `-<id>`
 * suffix. Example: `internal-k8s-shop-web-1a2b3c4d.eu-west-1.elb.amazonaws.com` → `k8s-shop-web`.
 */
export function loadBalancerNameOf(dnsName: string): string | undefined {
  const label = (dnsName.split('.')[0] ?? '').replace(/^internal-/, '');
  const cut = label.lastIndexOf('-');
  return cut > 0 ? label.slice(0, cut) : undefined;
}

async function loadBalancerArn(elb: ElbV2Port, ingress: Ingress): Promise<string> {
  const dnsName = hostnameOf(ingress);
  // One call by name in the common case; a DNS name of another form falls back to listing every page.
  const byName = await arnByName(elb, dnsName);
  const arn = byName.arn ?? await arnByScan(elb, dnsName);
  // A lookup by name that failed (denied, throttled) and a scan that found nothing: the failure is the cause.
  if (arn === undefined) throw new ProviderNotReadyError(`no load balancer with DNS name ${dnsName} in AWS`, byName.failure === undefined ? undefined : { cause: byName.failure });
  return arn;
}

// The lookup by name fails for a name AWS does not know (LoadBalancerNotFound), so its failure only falls
// back to the scan; it is kept as the cause in case the scan finds nothing either.
async function arnByName(elb: ElbV2Port, dnsName: string): Promise<{ arn?: string; failure?: AwsReadError }> {
  const name = loadBalancerNameOf(dnsName);
  if (name === undefined) return {};
  try {
    const page = await read('DescribeLoadBalancers', () => elb.describeLoadBalancers({ Names: [name] }));
    const arn = page.LoadBalancers?.find((lb) => lb.DNSName?.toLowerCase() === dnsName)?.LoadBalancerArn;
    return arn === undefined ? {} : { arn };
  } catch (error) {
    return { failure: error as AwsReadError };
  }
}

async function arnByScan(elb: ElbV2Port, dnsName: string): Promise<string | undefined> {
  let marker: string | undefined;
  do {
    const page = await read('DescribeLoadBalancers', () => elb.describeLoadBalancers(marker === undefined ? {} : { Marker: marker }));
    const found = page.LoadBalancers?.find((lb) => lb.DNSName?.toLowerCase() === dnsName)?.LoadBalancerArn;
    if (found !== undefined) return found;
    marker = page.NextMarker;
  } while (marker !== undefined);
  return undefined;
}

/** Finds the load balancer and both target groups; throws ProviderNotReadyError naming what is missing. */
export async function albTopology(kube: Kube, elb: ElbV2Port, canary: Canary, ingress: Ingress): Promise<AlbTopology> {
  const namespace = canary.metadata.namespace ?? '';
  const names = serviceNames(canary);
  const port = albServicePort(canary);
  const bindings = (await kube.list(Resources.targetGroupBindings, namespace)).items as TargetGroupBinding[];
  const primaryTargetGroupArn = targetGroupArn(bindings, namespace, names.primary, port);
  const canaryTargetGroupArn = targetGroupArn(bindings, namespace, names.canary, port);
  return { loadBalancerArn: await loadBalancerArn(elb, ingress), primaryTargetGroupArn, canaryTargetGroupArn };
}

/** The weight pairs of every rule of every listener of the load balancer that forwards to both target groups. */
export async function appliedWeights(elb: ElbV2Port, topology: AlbTopology): Promise<WeightPair[]> {
  const listeners = (await read('DescribeListeners', () => elb.describeListeners({ LoadBalancerArn: topology.loadBalancerArn }))).Listeners ?? [];
  const pairs: WeightPair[] = [];
  for (const listener of listeners) {
    let marker: string | undefined;
    do {
      const page = await read('DescribeRules', () => elb.describeRules({ ListenerArn: listener.ListenerArn, ...(marker === undefined ? {} : { Marker: marker }) }));
      pairs.push(...(page.Rules ?? []).flatMap((rule) => rulePair(rule, topology)));
      marker = page.NextMarker;
    } while (marker !== undefined);
  }
  return pairs;
}

function rulePair(rule: Rule, topology: AlbTopology): WeightPair[] {
  return (rule.Actions ?? []).flatMap((action) => {
    const groups = action.ForwardConfig?.TargetGroups ?? [];
    const weight = (arn: string): number | undefined => groups.find((g) => g.TargetGroupArn === arn)?.Weight;
    const primary = weight(topology.primaryTargetGroupArn);
    const canary = weight(topology.canaryTargetGroupArn);
    return primary === undefined || canary === undefined ? [] : [{ primary, canary }];
  });
}

/**
 * Applied when AWS has exactly the desired weight pairs (as a set) on the rules forwarding to both target
 * groups, else pending with both sides named. Example: desired [90/10], AWS [100/0] →
 * `waiting for ALB weights 90/10, AWS has 100/0`.
 */
export function compareWeights(desired: readonly WeightPair[], applied: readonly WeightPair[]): VerifyResult {
  const text = (pairs: readonly WeightPair[]): string => [...new Set(pairs.map((p) => `${p.primary}/${p.canary}`))].sort().join(' and ');
  const want = text(desired);
  const have = text(applied);
  if (want === have) return { state: 'applied' };
  return { state: 'pending', reason: `waiting for ALB weights ${want}, AWS has ${have === '' ? 'no rule forwarding to both target groups' : have}` };
}

/** CloudWatch dimension of an ARN: `…:loadbalancer/app/web/50dc6c` → `app/web/50dc6c`, `…:targetgroup/tg/943f` → `targetgroup/tg/943f`. */
export function cloudWatchDimension(arn: string): string {
  const resource = arn.split(':').slice(5).join(':');
  return resource.startsWith('loadbalancer/') ? resource.slice('loadbalancer/'.length) : resource;
}
