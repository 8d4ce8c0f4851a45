import { createHash } from 'node:crypto';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import type { CloudWatchPort } from '../ports/cloudwatch.js';

/** Static AWS credentials, for endpoints that need them (an emulator, or a deployment without IRSA). */
export interface AwsStaticCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** Where the CloudWatch port sends its calls. */
export interface AwsCloudWatchOptions {
  readonly region: string;
  /** An endpoint other than AWS's, e.g. a VPC endpoint or a local emulator. */
  readonly endpoint?: string;
  /** Omitted: the SDK's default chain (environment, IRSA web identity on EKS, instance profile). */
  readonly credentials?: AwsStaticCredentials;
  /** Deadline of one attempt (default {@link awsRequestTimeoutMs}). */
  readonly requestTimeoutMs?: number;
}

/**
 * Deadline of one AWS attempt: 10 s. The SDK waits forever by default, so a CloudWatch or ELBv2 endpoint that
 * accepts a connection and never answers would hold a metric check (and its canary) without end; with 4
 * attempts a check now ends within about 45 s, failing with the timeout as its reason.
 */
export const awsRequestTimeoutMs = 10_000;

/**
 * The SDK's HTTP handler settings for a deadline per attempt (connecting included). Without
 * `throwOnRequestTimeout` the handler only logs a warning when the deadline passes and keeps waiting.
 */
export function awsRequestHandler(requestTimeoutMs = awsRequestTimeoutMs): { requestTimeout: number; connectionTimeout: number; throwOnRequestTimeout: true } {
  return { requestTimeout: requestTimeoutMs, connectionTimeout: requestTimeoutMs, throwOnRequestTimeout: true };
}

// Metric analysis asks for a port for a template's region on every check; one SDK client (with its
// connection pool and cached credentials) per region, endpoint and credentials serves all of them.
const clients = new Map<string, CloudWatchClient>();

/**
 * The CloudWatch port over the AWS SDK. The client is created on the first call, so an operator without
 * AWS access starts normally and only the checks that read CloudWatch report the missing credentials.
 * Ports built with the same options share one client.
 */
export function awsCloudWatch(options: AwsCloudWatchOptions): CloudWatchPort {
  return {
    getMetricData: (input) => sharedClient(options).send(new GetMetricDataCommand(input)),
  };
}

function sharedClient(options: AwsCloudWatchOptions): CloudWatchClient {
  const key = clientKey(options);
  let client = clients.get(key);
  if (client === undefined) {
    client = new CloudWatchClient({
      region: options.region,
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
      ...(options.credentials === undefined ? {} : { credentials: { ...options.credentials } }),
      // parity: Flagger pkg/metrics/providers/cloudwatch.go allows 3 retries; the SDK counts the first try too.
      maxAttempts: 4,
      requestHandler: awsRequestHandler(options.requestTimeoutMs),
    });
    clients.set(key, client);
  }
  return client;
}

// Keys hold a digest of the secret, never the secret itself, so printing a key while debugging leaks nothing.
function clientKey({ region, endpoint, credentials, requestTimeoutMs }: AwsCloudWatchOptions): string {
  const secret = credentials === undefined ? '' : createHash('sha256')
    .update(`${credentials.secretAccessKey}\0${credentials.sessionToken ?? ''}`).digest('hex');
  return JSON.stringify([region, endpoint ?? '', credentials?.accessKeyId ?? '', secret, requestTimeoutMs ?? awsRequestTimeoutMs]);
}
