import type { GetMetricDataCommandInput, GetMetricDataCommandOutput, MetricDataResult } from '@aws-sdk/client-cloudwatch';
import { describe, expect, it } from 'vitest';
import type { CloudWatchPort } from '../ports/cloudwatch.js';
import { CloudWatchProvider, cloudWatchRegion, cloudWatchWindowSeconds, getAllMetricData } from './cloudwatch.js';
import { MetricConfigError, NoDataError, QueryError } from './errors.js';

/** Answers GetMetricData with the given pages in turn (by NextToken), or rejects with `error`; records requests. */
class FakeCloudWatch implements CloudWatchPort {
  readonly requests: GetMetricDataCommandInput[] = [];
  constructor(private readonly pages: MetricDataResult[][] = [], private readonly error?: Error) {}

  getMetricData(input: GetMetricDataCommandInput): Promise<GetMetricDataCommandOutput> {
    this.requests.push(input);
    if (this.error !== undefined) return Promise.reject(this.error);
    const page = input.NextToken === undefined ? 0 : Number(input.NextToken);
    const next = page + 1 < this.pages.length ? { NextToken: String(page + 1) } : {};
    return Promise.resolve({ $metadata: {}, MetricDataResults: this.pages[page] ?? [], ...next });
  }
}

/** An error shaped like the SDK's service exceptions. */
function sdkError(name: string, status?: number): Error {
  const error = new Error(`${name} happened`);
  error.name = name;
  return Object.assign(error, status === undefined ? {} : { $metadata: { httpStatusCode: status } });
}

const now = Date.parse('2026-01-01T10:00:00Z');
const at = (minutesAgo: number): Date => new Date(now - minutesAgo * 60_000);
const series = (Id: string, points: [minutesAgo: number, value: number][], Label = Id): MetricDataResult =>
  ({ Id, Label, Values: points.map(([, v]) => v), Timestamps: points.map(([m]) => at(m)), StatusCode: 'Complete' });

const oneQuery = '[{"Id": "rate", "Expression": "errors / requests"}, {"Id": "errors", "MetricStat": {"Period": 60, "Stat": "Sum"}, "ReturnData": false}]';

function provider(client: CloudWatchPort, windowSeconds = 600): CloudWatchProvider {
  return new CloudWatchProvider({ region: 'eu-west-1', client, now: () => now, windowSeconds });
}

describe('CloudWatchProvider.query', () => {
  it('sends the template\'s queries over the window ending now and answers the newest value', async () => {
    const client = new FakeCloudWatch([[series('rate', [[3, 0.5], [1, 0.25], [2, 0.75]])]]);
    expect(await provider(client).query(oneQuery)).toBe(0.25);
    expect(client.requests).toEqual([{
      MetricDataQueries: JSON.parse(oneQuery), StartTime: at(10), EndTime: at(0), ScanBy: 'TimestampDescending',
    }]);
  });

  it('follows NextToken and joins the pages of a series before choosing', async () => {
    const client = new FakeCloudWatch([[series('rate', [[5, 1]])], [series('rate', [[2, 2]])], [series('rate', [[4, 3]])]]);
    expect(await provider(client).query(oneQuery)).toBe(2);
    expect(client.requests.map((r) => r.NextToken)).toEqual([undefined, '1', '2']);
  });

  it('ignores results of queries that are not returned', async () => {
    const client = new FakeCloudWatch([[series('errors', [[0, 9]]), series('rate', [[1, 0.1]])]]);
    expect(await provider(client).query(oneQuery)).toBe(0.1);
  });

  it('takes the first value when CloudWatch sends no timestamps, as Flagger does', async () => {
    const client = new FakeCloudWatch([[{ Id: 'rate', Values: [4, 5] }]]);
    expect(await provider(client).query(oneQuery)).toBe(4);
  });

  it.each<[string, MetricDataResult[]]>([
    ['no result at all', []],
    ['a result without datapoints', [series('rate', [])]],
    ['only NaN and infinite values', [series('rate', [[1, Number.NaN], [2, Number.POSITIVE_INFINITY]])]],
  ])('reports no data, never a value, for %s', async (_title, results) => {
    await expect(provider(new FakeCloudWatch([results])).query(oneQuery)).rejects.toThrow(NoDataError);
  });

  it('refuses to choose between several series of the returned query', async () => {
    const client = new FakeCloudWatch([[series('rate', [[1, 1]], 'web'), series('rate', [[1, 2]], 'api')]]);
    await expect(provider(client).query(oneQuery)).rejects.toThrow(
      new MetricConfigError('spec.query: query rate returned 2 series (web, api); the check needs exactly one'));
  });

  it('rejects invalid JSON before calling CloudWatch', async () => {
    const client = new FakeCloudWatch();
    await expect(provider(client).query('[{')).rejects.toThrow(/^spec\.query is not valid JSON/);
    expect(client.requests).toEqual([]);
  });

  it.each<[string, Error, boolean]>([
    ['throttling', sdkError('ThrottlingException', 400), true],
    ['a server error', sdkError('InternalServiceFault', 500), true],
    ['a network failure', new Error('connect ECONNREFUSED'), true],
    ['a missing permission', sdkError('AccessDenied', 403), false],
  ])('reports %s as a query error with its retriability', async (_title, error, retriable) => {
    const failure = await provider(new FakeCloudWatch([], error)).query(oneQuery).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(QueryError);
    expect(failure).toMatchObject({ retriable, message: expect.stringMatching(/^CloudWatch GetMetricData failed: /) });
  });

  it('reports a series CloudWatch could not read', async () => {
    const forbidden: MetricDataResult = { Id: 'rate', StatusCode: 'Forbidden', Messages: [{ Code: 'Forbidden', Value: 'no access to account 1' }] };
    await expect(provider(new FakeCloudWatch([[forbidden]])).query(oneQuery)).rejects.toThrow(
      new QueryError('CloudWatch series rate ended Forbidden: no access to account 1', false));
  });
});

describe('CloudWatchProvider construction', () => {
  it.each([undefined, '', '  '])('requires spec.provider.region (given %j)', (region) => {
    expect(() => cloudWatchRegion(region)).toThrow(new MetricConfigError('spec.provider.region is required for provider type cloudwatch'));
    expect(() => new CloudWatchProvider({ region: region ?? '', client: new FakeCloudWatch(), now: () => now, windowSeconds: 60 }))
      .toThrow('spec.provider.region is required for provider type cloudwatch');
  });

  it.each<[string, number]>([['1m', 600], ['30s', 300], ['1m30s', 900], ['1500ms', 15]])(
    'looks back ten intervals of %s: %i s', (interval, seconds) => {
      expect(cloudWatchWindowSeconds(interval)).toBe(seconds);
    });

  it.each(['', '0s', '-1m', '1d'])('rejects the interval %j', (interval) => {
    expect(() => cloudWatchWindowSeconds(interval)).toThrow(MetricConfigError);
  });
});

describe('CloudWatchProvider.isOnline', () => {
  it.each<[string, Error | undefined, boolean]>([
    ['answers', undefined, true],
    ['refuses the empty request as invalid', sdkError('ValidationError', 400), true],
    ['denies access', sdkError('AccessDenied', 403), false],
    ['is unreachable', new Error('getaddrinfo ENOTFOUND'), false],
  ])('is online exactly when CloudWatch %s', async (_title, error, online) => {
    const probe = await provider(new FakeCloudWatch([], error)).isOnline();
    expect(probe.online).toBe(online);
    if (!probe.online) expect(probe.reason).toContain(error?.message);
  });
});

describe('getAllMetricData', () => {
  it('stops following a NextToken that never ends', async () => {
    const endless: CloudWatchPort = { getMetricData: () => Promise.resolve({ $metadata: {}, MetricDataResults: [], NextToken: 'again' }) };
    await expect(getAllMetricData(endless, { MetricDataQueries: [], StartTime: new Date(now - 60_000), EndTime: new Date(now) })).rejects.toThrow('CloudWatch GetMetricData still had more pages after 20');
  });
});
