/**
 * CloudWatch data for the ALB release e2e test: the dimensions of a release's load balancer and canary
 * target group (from the Ingress hostname and the TargetGroupBindings), and the request counts published
 * into moto under them, as an ALB would.
 */
import { CloudWatchClient, PutMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import { DescribeLoadBalancersCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { Resources } from '../../src/kube/resources.js';
import type { KubeObject } from '../../src/ports/kube.js';
import type { AlbWorld } from './alb-e2e.js';
import { testKube } from './kube.js';
import { awsClientConfig, type RunningMoto } from './moto.js';

interface TargetGroupBinding extends KubeObject {
  spec: { serviceRef: { name: string }; targetGroupARN: string };
}

/** The CloudWatch dimensions of the release's load balancer and of its canary and primary target groups. */
export interface AlbDimensions {
  loadBalancer: string;
  canary: string;
  primary: string;
}

const minuteMs = 60_000;

/**
 * Publishes into moto what the ALB would report for the release, one datapoint a minute from three
 * minutes ago to six minutes ahead (the builtin reads the minute before last): the canary target group
 * serves 600 requests a minute without a 5xx (so, as on AWS, it has no 5xx series), the primary 1000 with
 * 500 errors, which must never count for the canary. The dimensions come from the load balancer found by
 * the Ingress hostname and the target groups of the TargetGroupBindings, cut from their ARNs.
 */
export async function publishAlbMetrics(world: AlbWorld, name: string, moto: RunningMoto): Promise<AlbDimensions> {
  const dimensions = await albDimensions(world, name, moto);
  const now = Math.floor(Date.now() / minuteMs) * minuteMs;
  const datum = (targetGroup: string, MetricName: string, Value: number, minute: number): MetricDatum => ({
    MetricName, Value, Unit: 'Count', Timestamp: new Date(now + minute * minuteMs + 10_000),
    Dimensions: [{ Name: 'LoadBalancer', Value: dimensions.loadBalancer }, { Name: 'TargetGroup', Value: targetGroup }],
  });
  const MetricData = Array.from({ length: 10 }, (_, i) => i - 3).flatMap((minute) => [
    datum(dimensions.canary, 'RequestCount', 600, minute),
    datum(dimensions.primary, 'RequestCount', 1000, minute),
    datum(dimensions.primary, 'HTTPCode_Target_5XX_Count', 500, minute),
  ]);
  const client = new CloudWatchClient(awsClientConfig(moto));
  try {
    await client.send(new PutMetricDataCommand({ Namespace: 'AWS/ApplicationELB', MetricData }));
  } finally {
    client.destroy();
  }
  return dimensions;
}

// `…:loadbalancer/app/<name>/<id>` → `app/<name>/<id>`; `…:targetgroup/<name>/<id>` → `targetgroup/<name>/<id>`.
const after = (arn: string, marker: string): string => arn.slice(arn.lastIndexOf(marker) + marker.length);

async function albDimensions(world: AlbWorld, name: string, moto: RunningMoto): Promise<AlbDimensions> {
  const kube = testKube();
  const ingress = await kube.get(Resources.ingresses, world.namespace, name);
  const bindings = (await kube.list(Resources.targetGroupBindings, world.namespace)).items as TargetGroupBinding[];
  const groupOf = (service: string): string => bindings.find((b) => b.spec.serviceRef.name === service)?.spec.targetGroupARN ?? '';
  const dims = {
    loadBalancer: after(await loadBalancerArn(moto, ingress?.status?.loadBalancer?.ingress?.[0]?.hostname), ':loadbalancer/'),
    canary: after(groupOf(`${name}-canary`), ':'), primary: after(groupOf(`${name}-primary`), ':'),
  };
  if (!dims.loadBalancer.startsWith('app/') || !dims.canary.startsWith('targetgroup/') || !dims.primary.startsWith('targetgroup/')) {
    throw new Error(`the ALB of ${name} is not complete in AWS yet: ${JSON.stringify(dims)}`);
  }
  return dims;
}

async function loadBalancerArn(moto: RunningMoto, hostname: string | undefined): Promise<string> {
  const elb = new ElasticLoadBalancingV2Client(awsClientConfig(moto));
  try {
    const lbs = (await elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? [];
    return lbs.find((lb) => lb.DNSName === hostname)?.LoadBalancerArn ?? '';
  } finally {
    elb.destroy();
  }
}
