import type { GetMetricDataCommandInput, GetMetricDataCommandOutput } from '@aws-sdk/client-cloudwatch';

/**
 * The one CloudWatch call metric analysis makes: `GetMetricData` in one region. The operator implements it
 * with the AWS SDK (`adapters/cloudwatch-aws.ts`); unit tests with a table-driven fake.
 */
export interface CloudWatchPort {
  /** One page of `GetMetricData`; the caller follows `NextToken`. Rejects with the SDK's service errors. */
  getMetricData(input: GetMetricDataCommandInput): Promise<GetMetricDataCommandOutput>;
}
