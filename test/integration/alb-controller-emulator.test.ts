import { join } from 'node:path';
import {
  DescribeListenersCommand, DescribeLoadBalancersCommand, DescribeRulesCommand, ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Resources, type Ingress, type Service } from '../../src/kube/resources.js';
import type { KubeObject } from '../../src/ports/kube.js';
import { startAlbControllerEmulator, type AlbControllerEmulator } from '../support/alb-controller-emulator.js';
import { installCrds, testKube, useTestNamespace, waitFor } from '../support/kube.js';
import { awsClientConfig, startMoto, type RunningMoto } from '../support/moto.js';

const crdFile = join(import.meta.dirname, '..', 'fixtures', 'thirdparty-crds', 'aws-load-balancer-controller.yaml');
const namespace = useTestNamespace('alb');
const kube = testKube();
const delayMs = 2_000;
const actionKey = 'alb.ingress.kubernetes.io/actions.podinfo';
const headerActionKey = 'alb.ingress.kubernetes.io/actions.podinfo-canary-route-0';
const headerConditionsKey = 'alb.ingress.kubernetes.io/conditions.podinfo-canary-route-0';

let moto: RunningMoto;
let elb: ElasticLoadBalancingV2Client;
let emulator: AlbControllerEmulator;

interface TargetGroupBinding extends KubeObject {
  spec: { serviceRef: { name: string; port: string | number }; targetGroupARN: string; targetType?: string };
}

/** What AWS has: each non-default rule of the Ingress's load balancer, its weights by Service name. */
interface AwsRule {
  priority: string;
  conditions: string[];
  weights: Record<string, number>;
}

const forward = (primary: number, canary: number): string => JSON.stringify({
  type: 'forward',
  forwardConfig: {
    targetGroups: [
      { serviceName: 'podinfo-primary', servicePort: '80', weight: primary },
      { serviceName: 'podinfo-canary', servicePort: 80, weight: canary },
    ],
    targetGroupStickinessConfig: { enabled: false },
  },
});

const service = (name: string): Service => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: namespace() },
  spec: { selector: { app: name }, ports: [{ name: 'http', port: 80, targetPort: 9898 }] },
});

const path = (action: string): object => ({ path: '/', pathType: 'Prefix', backend: { service: { name: action, port: { name: 'use-annotation' } } } });

const ingress = (annotations: Record<string, string>): Ingress => ({
  apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'podinfo', namespace: namespace(), annotations },
  spec: { ingressClassName: 'alb', rules: [{ host: 'app.example.com', http: { paths: [path('podinfo')] } }] },
} as Ingress);

async function patchIngress(body: object): Promise<void> {
  await kube.patch(Resources.ingresses, { namespace: namespace(), name: 'podinfo' }, body, { kind: 'merge' });
}

async function bindings(): Promise<TargetGroupBinding[]> {
  return (await kube.list(Resources.targetGroupBindings, namespace())).items as TargetGroupBinding[];
}

/** Reads AWS the way the operator's verification does: load balancer by the Ingress hostname, then its rules. */
async function awsRules(): Promise<AwsRule[]> {
  const hostname = (await kube.get(Resources.ingresses, namespace(), 'podinfo'))?.status?.loadBalancer?.ingress?.[0]?.hostname;
  const lb = (await elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers?.find((l) => l.DNSName === hostname);
  if (lb === undefined) return [];
  const serviceOf = new Map((await bindings()).map((b) => [b.spec.targetGroupARN, b.spec.serviceRef.name]));
  const listeners = (await elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).Listeners ?? [];
  const rules = await Promise.all(listeners.map(async (l) => (await elb.send(new DescribeRulesCommand({ ListenerArn: l.ListenerArn }))).Rules ?? []));
  // moto lists rules in the order they were made; AWS evaluates them by priority, so they are compared that way.
  const ordered = rules.flat().filter((r) => r.IsDefault !== true).sort((a, b) => Number(a.Priority) - Number(b.Priority));
  return ordered.map((r) => ({
    priority: r.Priority ?? '',
    conditions: (r.Conditions ?? []).map((c) => `${c.Field ?? ''}=${JSON.stringify(c.HostHeaderConfig ?? c.PathPatternConfig ?? c.HttpHeaderConfig)}`),
    weights: Object.fromEntries((r.Actions?.[0]?.ForwardConfig?.TargetGroups ?? [])
      .map((g) => [serviceOf.get(g.TargetGroupArn ?? '') ?? g.TargetGroupArn, g.Weight ?? -1])),
  }));
}

async function weightsInAws(): Promise<Record<string, number>[]> {
  return (await awsRules()).map((r) => r.weights);
}

const split = (primary: number, canary: number): Record<string, number> => ({ 'podinfo-primary': primary, 'podinfo-canary': canary });
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitForWeights(description: string, want: Record<string, number>[]): Promise<void> {
  await waitFor(`${description} (emulator error: ${emulator.lastError()?.message ?? 'none'})`,
    async () => JSON.stringify(await weightsInAws()) === JSON.stringify(want), 20_000);
}

beforeAll(async () => {
  await installCrds(crdFile);
  moto = await startMoto();
  elb = new ElasticLoadBalancingV2Client(awsClientConfig(moto));
  await kube.create(Resources.services, service('podinfo-primary'));
  await kube.create(Resources.services, service('podinfo-canary'));
  emulator = startAlbControllerEmulator({ kube, namespace: namespace(), aws: awsClientConfig(moto), delayMs, pollMs: 100 });
});

afterAll(async () => {
  await emulator?.stop();
  elb?.destroy();
  await moto?.stop();
});

describe('ALB controller emulator on moto and a real API server', () => {
  it('gives the Ingress the DNS name of its load balancer and binds each Service to a target group', async () => {
    await kube.create(Resources.ingresses, ingress({ [actionKey]: forward(100, 0) }));
    await waitFor('the Ingress hostname', async () => (await awsRules()).length === 1);

    const hostname = (await kube.get(Resources.ingresses, namespace(), 'podinfo'))?.status?.loadBalancer?.ingress?.[0]?.hostname;
    expect(hostname).toMatch(/\.us-east-1\.elb\.amazonaws\.com$/);
    const found = await bindings();
    expect(found.map((b) => ({ name: b.spec.serviceRef.name, port: b.spec.serviceRef.port, type: b.spec.targetType })).sort((a, b) => a.name.localeCompare(b.name)))
      .toEqual([{ name: 'podinfo-canary', port: 80, type: 'ip' }, { name: 'podinfo-primary', port: 80, type: 'ip' }]);
    expect(found.every((b) => b.spec.targetGroupARN.includes(':targetgroup/'))).toBe(true);
  });

  it('creates a listener rule for the host and path that forwards 100/0 as the annotation says', async () => {
    expect(await awsRules()).toEqual([{
      priority: '1',
      conditions: ['host-header={"Values":["app.example.com"]}', 'path-pattern={"Values":["/*"]}'],
      weights: split(100, 0),
    }]);
    expect(await emulator.appliedWeights('podinfo', 'podinfo')).toEqual(split(100, 0));
  });

  it('keeps 100/0 in AWS until the delay has passed after the annotation changed to 90/10, then has 90/10', async () => {
    const changed = Date.now();
    await patchIngress({ metadata: { annotations: { [actionKey]: forward(90, 10) } } });
    await sleep(delayMs / 2);
    expect(await weightsInAws()).toEqual([split(100, 0)]);

    await waitForWeights('weights 90/10', [split(90, 10)]);
    expect(Date.now() - changed).toBeGreaterThanOrEqual(delayMs);
  });

  it('never applies a weight change while paused, and applies it once resumed', async () => {
    emulator.pause();
    await patchIngress({ metadata: { annotations: { [actionKey]: forward(80, 20) } } });
    await sleep(delayMs + 1_000);
    expect(await weightsInAws()).toEqual([split(90, 10)]);

    emulator.resume();
    await waitForWeights('weights 80/20 after resume', [split(80, 20)]);
  });

  it('puts a header route before the weighted rule without touching its weights, and deletes it when its path goes', async () => {
    emulator.setDelay(0);
    const header = JSON.stringify([{ field: 'http-header', httpHeaderConfig: { httpHeaderName: 'x-canary', values: ['always'] } }]);
    await patchIngress({
      metadata: { annotations: { [headerActionKey]: JSON.stringify({ type: 'forward', forwardConfig: { targetGroups: [{ serviceName: 'podinfo-canary', servicePort: '80', weight: 100 }] } }), [headerConditionsKey]: header } },
      spec: { rules: [{ host: 'app.example.com', http: { paths: [path('podinfo-canary-route-0'), path('podinfo')] } }] },
    });
    await waitFor('two rules', async () => (await awsRules()).length === 2);
    expect(await awsRules()).toEqual([
      { priority: '1', conditions: ['host-header={"Values":["app.example.com"]}', 'path-pattern={"Values":["/*"]}', 'http-header={"HttpHeaderName":"x-canary","Values":["always"]}'], weights: { 'podinfo-canary': 100 } },
      { priority: '2', conditions: ['host-header={"Values":["app.example.com"]}', 'path-pattern={"Values":["/*"]}'], weights: split(80, 20) },
    ]);

    await patchIngress({ spec: { rules: [{ host: 'app.example.com', http: { paths: [path('podinfo')] } }] } });
    await waitFor('one rule', async () => (await awsRules()).length === 1);
    expect(await awsRules()).toEqual([expect.objectContaining({ priority: '1', weights: split(80, 20) })]);
  });
});
