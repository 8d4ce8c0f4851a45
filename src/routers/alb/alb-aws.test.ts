import { describe, expect, it } from 'vitest';
import { FakeKube } from '../../../test/fakes/fake-kube.js';
import { parseCanary } from '../../api/validate.js';
import { AwsReadError, ProviderNotReadyError } from '../../errors.js';
import { Resources, type Ingress } from '../../kube/resources.js';
import type { KubeObject } from '../../ports/kube.js';
import type { ElbV2Port } from '../../ports/elbv2.js';
import { albTopology, appliedWeights } from './alb-aws.js';

const denied = Object.assign(new Error('User is not authorized to perform: elasticloadbalancing:DescribeLoadBalancers'), { name: 'AccessDenied' });

// Denies the lookup by name, and knows no load balancer when listing them all.
const deniedByName: ElbV2Port = {
  describeLoadBalancers: (input) => (input.Names === undefined ? Promise.resolve({ LoadBalancers: [], $metadata: {} }) : Promise.reject(denied)),
  describeListeners: () => Promise.reject(denied),
  describeRules: () => Promise.reject(denied),
};

const canary = (() => {
  const parsed = parseCanary({
    apiVersion: 'flagger.app/v1beta1', kind: 'Canary', metadata: { name: 'podinfo', namespace: 'test' },
    spec: {
      provider: 'alb', targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' }, service: { port: 80 },
      ingressRef: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'podinfo' }, analysis: { interval: '1m', threshold: 1 },
    },
  });
  if (!parsed.ok) throw new Error('invalid fixture');
  return parsed.value;
})();

const ingress: Ingress = {
  apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'podinfo', namespace: 'test' },
  status: { loadBalancer: { ingress: [{ hostname: 'k8s-test-podinfo-0123456789.us-east-1.elb.amazonaws.com' }] } },
};

async function withBindings(): Promise<FakeKube> {
  const kube = new FakeKube();
  for (const service of ['podinfo-primary', 'podinfo-canary']) {
    await kube.create(Resources.targetGroupBindings, {
      apiVersion: 'elbv2.k8s.aws/v1beta1', kind: 'TargetGroupBinding', metadata: { name: service, namespace: 'test' },
      spec: { serviceRef: { name: service, port: 80 }, targetGroupARN: `arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/${service}/1` },
    } as KubeObject);
  }
  return kube;
}

describe('reading the ALB of a canary from AWS', () => {
  it('keeps a failed lookup by name as the cause when the load balancer is not found', async () => {
    const error: unknown = await albTopology(await withBindings(), deniedByName, canary, ingress).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderNotReadyError);
    expect(error).toMatchObject({ code: 'ProviderNotReady', message: 'no load balancer with DNS name k8s-test-podinfo-0123456789.us-east-1.elb.amazonaws.com in AWS' });
    expect((error as Error).cause).toMatchObject({ code: 'AwsReadFailed', operation: 'DescribeLoadBalancers', cause: denied });
  });

  it('names the failed read and keeps the SDK error as its cause, with the SDK message', async () => {
    const topology = { loadBalancerArn: 'lb', primaryTargetGroupArn: 'p', canaryTargetGroupArn: 'c' };
    const error: unknown = await appliedWeights(deniedByName, topology).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsReadError);
    expect(error).toMatchObject({ operation: 'DescribeListeners', message: denied.message, cause: denied, retriable: true });
  });
});
