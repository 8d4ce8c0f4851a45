import { Resources, type Ingress } from '../../src/kube/resources.js';
import type { KubeObject } from '../../src/ports/kube.js';
import { aCanary, aDeployment } from '../fixtures/objects.js';
import { World } from './world.js';

export const INTERVAL = 15_000;
export const ALB = 'alb.ingress.kubernetes.io';
/** The action the user's Ingress names with `port.name: use-annotation`. */
export const ACTION = 'podinfo-weighted';

/** The user's ALB Ingress: one rule whose backend is the action, plus an unrelated annotation to preserve. */
export function albIngress(): Ingress {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'podinfo', namespace: 'test', annotations: { [`${ALB}/scheme`]: 'internet-facing' } },
    spec: {
      ingressClassName: 'alb',
      rules: [{ http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: ACTION, port: { name: 'use-annotation' } } } }] } }],
    },
  };
}

/** What the AWS Load Balancer Controller would have: a load balancer, target groups and their bindings. */
export interface FakeAlb {
  listenerArn: string;
  primaryArn: string;
  canaryArn: string;
}

async function provisionAlb(world: World): Promise<FakeAlb> {
  const lb = world.elbv2.addLoadBalancer('k8s-test-podinfo');
  const alb = { listenerArn: lb.listenerArn, primaryArn: world.elbv2.targetGroup('primary'), canaryArn: world.elbv2.targetGroup('canary') };
  await world.kube.patch(Resources.ingresses, { namespace: 'test', name: 'podinfo' }, { status: { loadBalancer: { ingress: [{ hostname: lb.dnsName }] } } },
    { subresource: 'status' });
  for (const [service, arn] of [['podinfo-primary', alb.primaryArn], ['podinfo-canary', alb.canaryArn]] as const) {
    const binding: KubeObject = {
      apiVersion: 'elbv2.k8s.aws/v1beta1', kind: 'TargetGroupBinding', metadata: { name: `k8s-${service}`, namespace: 'test' },
      spec: { serviceRef: { name: service, port: 80 }, targetGroupARN: arn, targetType: 'ip' },
    } as KubeObject;
    await world.kube.create(Resources.targetGroupBindings, binding);
  }
  return alb;
}

/**
 * Plays the load balancer controller once: copies the weights of every forward action annotation into
 * the fake ELBv2 rule of that action (and drops rules whose annotation is gone).
 */
export async function syncAlb(world: World, alb: FakeAlb): Promise<void> {
  const ingress = await world.kube.get(Resources.ingresses, 'test', 'podinfo');
  const actions = Object.entries(ingress?.metadata.annotations ?? {}).filter(([key]) => key.startsWith(`${ALB}/actions.`));
  for (const key of ['weighted', 'route-0', 'route-1']) world.elbv2.removeRule(alb.listenerArn, key);
  for (const [key, value] of actions) {
    const groups = (JSON.parse(value) as { forwardConfig: { targetGroups: { serviceName: string; weight: number }[] } }).forwardConfig.targetGroups;
    const arn = (service: string): string => (service === 'podinfo-primary' ? alb.primaryArn : alb.canaryArn);
    const rule = key.endsWith(ACTION) ? 'weighted' : `route-${key.slice(-1)}`;
    world.elbv2.forward(alb.listenerArn, rule, groups.map((g) => ({ arn: arn(g.serviceName), weight: g.weight })));
  }
}

/** Weights AWS has on the rule of the weighted action, e.g. `100/0`. */
export async function awsWeights(world: World, alb: FakeAlb): Promise<string> {
  const rules = (await world.elbv2.describeRules({ ListenerArn: alb.listenerArn })).Rules ?? [];
  const groups = rules.find((r) => r.RuleArn?.endsWith('rule-weighted'))?.Actions?.[0]?.ForwardConfig?.TargetGroups ?? [];
  const weight = (arn: string): number | undefined => groups.find((g) => g.TargetGroupArn === arn)?.Weight;
  return `${weight(alb.primaryArn)}/${weight(alb.canaryArn)}`;
}

/** The split in the Ingress action annotation, e.g. `90/10`. */
export async function annotationWeights(world: World): Promise<string> {
  const ingress = await world.kube.get(Resources.ingresses, 'test', 'podinfo');
  const value = ingress?.metadata.annotations?.[`${ALB}/actions.${ACTION}`];
  if (value === undefined) return 'none';
  const groups = (JSON.parse(value) as { forwardConfig: { targetGroups: { weight: number }[] } }).forwardConfig.targetGroups;
  return groups.map((g) => g.weight).join('/');
}

/**
 * An ALB canary (stepWeight 10, maxWeight 20, one Prometheus check) on an Ingress whose load balancer
 * exists in AWS; initialized with the controller in sync, then given a new image (phase Progressing).
 */
export async function progressingAlb(spec: Record<string, unknown> = {}, analysis: Record<string, unknown> = {},
  flags: string[] = []): Promise<{ world: World; alb: FakeAlb }> {
  const world = await new World(flags).start();
  await world.create('deployment', aDeployment({ replicas: 2 }));
  await world.kube.create(Resources.ingresses, albIngress());
  const canary = aCanary({ provider: 'alb' });
  Object.assign(canary.spec as Record<string, unknown>, {
    ingressRef: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'podinfo' },
    analysis: { interval: '15s', threshold: 2, stepWeight: 10, maxWeight: 20, metrics: [{ name: 'success', query: 'sum(ok)', thresholdRange: { min: 99 } }], ...analysis },
    ...spec,
  });
  await world.create('canary', canary);
  await world.makeReady('podinfo-primary');
  const alb = await provisionAlb(world);
  await syncAlb(world, alb);
  await world.advance(INTERVAL);
  await world.setImage('podinfo', 'ghcr.io/stefanprodan/podinfo:6.0.1');
  await world.makeReady('podinfo');
  return { world, alb };
}

/** One interval with the workloads kept ready; `sync` plays the controller before the tick. */
export async function tick(world: World, alb: FakeAlb, sync: boolean): Promise<void> {
  if (sync) await syncAlb(world, alb);
  await world.advance(INTERVAL);
  await world.makeReady('podinfo');
  await world.makeReady('podinfo-primary');
}
