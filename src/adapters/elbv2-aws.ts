import {
  DescribeListenersCommand, DescribeLoadBalancersCommand, DescribeRulesCommand, ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { ElbV2Port } from '../ports/elbv2.js';
import { awsRequestHandler } from './cloudwatch-aws.js';

/** Where the AWS SDK sends ELBv2 calls; credentials come from the SDK's default chain (IRSA on EKS) unless given. */
export interface AwsClientOptions {
  region?: string;
  /** An endpoint other than AWS's, e.g. a VPC endpoint or a local emulator. */
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Deadline of one attempt (default `awsRequestTimeoutMs`, 10 s). */
  requestTimeoutMs?: number;
}

/**
 * The ELBv2 port over the AWS SDK. The client is created on the first call, so an operator without AWS
 * access starts normally and only Canaries that verify ALB weights report the missing credentials.
 */
export function awsElbV2(options: AwsClientOptions): ElbV2Port {
  let client: ElasticLoadBalancingV2Client | undefined;
  const sdk = (): ElasticLoadBalancingV2Client => {
    client ??= new ElasticLoadBalancingV2Client({
      ...(options.region === undefined ? {} : { region: options.region }),
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
      ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
      maxAttempts: 3,
      requestHandler: awsRequestHandler(options.requestTimeoutMs),
    });
    return client;
  };
  return {
    describeLoadBalancers: (input) => sdk().send(new DescribeLoadBalancersCommand(input)),
    describeListeners: (input) => sdk().send(new DescribeListenersCommand(input)),
    describeRules: (input) => sdk().send(new DescribeRulesCommand(input)),
  };
}
