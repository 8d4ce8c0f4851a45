import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsCloudWatch } from './cloudwatch-aws.js';
import { awsElbV2 } from './elbv2-aws.js';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };

describe('AWS calls to an endpoint that never answers', () => {
  let server: Server;
  let endpoint = '';
  let requests = 0;

  beforeAll(async () => {
    // Accepts every request and never answers it.
    server = createServer(() => { requests++; });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('fail each attempt after the request timeout instead of holding the check forever', async () => {
    requests = 0;
    const started = Date.now();
    const cloudWatch = awsCloudWatch({ region: 'us-east-1', endpoint, credentials, requestTimeoutMs: 200 });
    await expect(cloudWatch.getMetricData({ MetricDataQueries: [], StartTime: new Date(0), EndTime: new Date(1000) })).rejects.toThrow(/timeout|timed out/i);
    const elbv2 = awsElbV2({ region: 'us-east-1', endpoint, credentials, requestTimeoutMs: 200 });
    await expect(elbv2.describeLoadBalancers({})).rejects.toThrow(/timeout|timed out/i);
    expect(requests).toBeGreaterThanOrEqual(2);
    expect(Date.now() - started).toBeLessThan(15_000);
  }, 20_000);
});
