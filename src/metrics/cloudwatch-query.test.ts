import { describe, expect, it } from 'vitest';
import { parseMetricDataQueries } from './cloudwatch-query.js';
import { MetricConfigError } from './errors.js';

const requestCount = {
  Metric: { Namespace: 'MyKubernetesCluster', MetricName: 'RequestCount', Dimensions: [{ Name: 'appName', Value: 'podinfo.test' }] },
  Period: 60, Stat: 'Sum', Unit: 'Count',
};

// Flagger's documented error-rate template: one expression over two metrics that are not returned.
const flaggerExample = JSON.stringify([
  { Id: 'e1', Expression: 'm1 / m2', Label: 'ErrorRate' },
  { Id: 'm1', MetricStat: { ...requestCount, Metric: { ...requestCount.Metric, MetricName: 'ErrorCount' } }, ReturnData: false },
  { Id: 'm2', MetricStat: requestCount, ReturnData: false },
]);

describe('parseMetricDataQueries', () => {
  it('reads Flagger\'s documented template and picks the expression as the compared series', () => {
    const { queries, returned } = parseMetricDataQueries(flaggerExample);
    expect(returned).toBe('e1');
    expect(queries).toEqual(JSON.parse(flaggerExample));
  });

  it('accepts field names in any case, as Flagger\'s JSON decoding does, and sends the SDK\'s names', () => {
    const text = '[{"id": "m1", "returnData": true, "metricStat": {"metric": {"namespace": "AWS/ApplicationELB", '
      + '"metricName": "RequestCount", "dimensions": [{"name": "TargetGroup", "value": "targetgroup/web/1"}]}, "period": 60, "stat": "Sum"}}]';
    expect(parseMetricDataQueries(text)).toEqual({
      returned: 'm1',
      queries: [{
        Id: 'm1', ReturnData: true, MetricStat: {
          Metric: { Namespace: 'AWS/ApplicationELB', MetricName: 'RequestCount', Dimensions: [{ Name: 'TargetGroup', Value: 'targetgroup/web/1' }] },
          Period: 60, Stat: 'Sum',
        },
      }],
    });
  });

  it('treats a query without ReturnData as returned, as CloudWatch does', () => {
    expect(parseMetricDataQueries('[{"Id": "m1", "MetricStat": {"Period": 60, "Stat": "Sum"}}]').returned).toBe('m1');
  });

  it.each<[string, string, string]>([
    ['invalid JSON', '[{"Id": "m1",}]', 'spec.query is not valid JSON'],
    ['a JSON object instead of a list', '{"Id": "m1"}', 'spec.query must be a non-empty JSON list of CloudWatch MetricDataQuery objects'],
    ['an empty list', '[]', 'spec.query must be a non-empty JSON list of CloudWatch MetricDataQuery objects'],
    ['a list item that is not an object', '["m1"]', 'spec.query[0] must be a JSON object'],
    ['a query without Id', '[{"Expression": "m1"}]', 'spec.query[0].Id is required'],
    ['an unknown field', '[{"Id": "m1", "MetricStat": {"Statistic": "Sum"}}]',
      'spec.query[0].MetricStat has unknown field "Statistic" (known: Metric, Period, Stat, Unit)'],
    ['a number written as a string', '[{"Id": "m1", "MetricStat": {"Period": "60"}}]', 'spec.query[0].MetricStat.Period must be a number, not "60"'],
    ['dimensions that are not a list', '[{"Id": "m1", "MetricStat": {"Metric": {"Dimensions": {"Name": "a"}}}}]',
      'spec.query[0].MetricStat.Metric.Dimensions must be a JSON list'],
    ['two returned queries', '[{"Id": "a", "Expression": "b"}, {"Id": "b", "Expression": "a"}]',
      'spec.query must return exactly one series, but 2 do (a, b); set "ReturnData": false on the queries that only feed an expression'],
    ['no returned query', '[{"Id": "a", "Expression": "1", "ReturnData": false}]',
      'spec.query must return exactly one series, but none does; set "ReturnData": false on the queries that only feed an expression'],
  ])('rejects %s with a message naming the field', (_title, text, message) => {
    expect(() => parseMetricDataQueries(text)).toThrow(MetricConfigError);
    expect(() => parseMetricDataQueries(text)).toThrow(message);
  });
});
