import type {
  DescribeListenersCommandInput, DescribeListenersCommandOutput, DescribeLoadBalancersCommandInput, DescribeLoadBalancersCommandOutput,
  DescribeRulesCommandInput, DescribeRulesCommandOutput,
} from '@aws-sdk/client-elastic-load-balancing-v2';

/**
 * The three read-only ELBv2 calls that weight verification needs (aws-alb.md "Verifying weights"). The
 * operator implements it with the AWS SDK (`adapters/elbv2-aws.ts`); scenario tests with an in-memory fake.
 */
export interface ElbV2Port {
  describeLoadBalancers(input: DescribeLoadBalancersCommandInput): Promise<DescribeLoadBalancersCommandOutput>;
  describeListeners(input: DescribeListenersCommandInput): Promise<DescribeListenersCommandOutput>;
  describeRules(input: DescribeRulesCommandInput): Promise<DescribeRulesCommandOutput>;
}
