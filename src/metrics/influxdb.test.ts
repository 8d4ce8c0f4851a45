// InfluxDB's answers here are replayed from InfluxData's public documentation (test/fixtures/metrics/influxdb/):
// no InfluxDB with the v2 query API (Flux) can run on the test machines, so these tests send the provider's
// real requests, through the real HTTP adapter, to a loopback server that answers as the documentation says.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixture } from '../../test/support/hosted-metrics.js';
import { startRecordingServer, type RecordingServer } from '../../test/support/recording-server.js';
import { MetricConfigError, NoDataError, QueryError } from './errors.js';
import { createAxiosHttpClient, type DisposableHttpClient } from './http-client.js';
import { parseAnnotatedCsv } from './influxdb-csv.js';
import { InfluxdbProvider } from './influxdb.js';

const answer = (file: string): string => fixture('influxdb', file);
const threeTables = answer('three-tables.csv');
const countResult = answer('count.csv');
const nullValue = answer('null-value.csv');
const noTables = answer('no-tables.csv');
const streamedError = answer('error-table.csv');
const unauthorized = answer('error-401.json');
const invalidQuery = answer('error-400.json');

const fluxQuery = 'from(bucket: "default")\n  |> range(start: -2h) // the last two hours\n  |> count()';

describe('InfluxdbProvider requests (contract)', () => {
  let server: RecordingServer;
  let http: DisposableHttpClient;
  beforeEach(async () => {
    server = await startRecordingServer(() => ({ status: 200, body: threeTables, headers: { 'content-type': 'text/csv; charset=utf-8' } }));
    http = createAxiosHttpClient();
  });
  afterEach(async () => {
    http.destroy();
    await server.close();
  });

  it('POSTs the Flux query as written to <address>/api/v2/query?org=<org> with the Secret token, as the InfluxDB Go client does', async () => {
    const provider = new InfluxdbProvider({ address: `${server.url}/influx/`, token: 'tok3n', org: 'my org' }, http);
    expect(await provider.query(fluxQuery)).toBe(15.43);
    const [request] = server.requests;
    const url = new URL(request?.url ?? '', server.url);
    expect(request?.method).toBe('POST');
    expect(url.pathname).toBe('/influx/api/v2/query');
    expect(url.searchParams.get('org')).toBe('my org');
    expect(request?.headers.authorization).toBe('Token tok3n');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.json).toEqual({
      query: fluxQuery, type: 'flux', dialect: { annotations: ['datatype', 'group', 'default'], delimiter: ',', header: true },
    });
  });

  it('sends no Authorization header and an empty org without a Secret', async () => {
    await new InfluxdbProvider({ address: server.url }, http).query(fluxQuery);
    expect(server.requests[0]?.headers.authorization).toBeUndefined();
    expect(new URL(server.requests[0]?.url ?? '', server.url).search).toBe('?org=');
  });

  it('reads a long _value, as count() returns it (Flagger documented template)', async () => {
    server.reply = () => ({ status: 200, body: countResult });
    expect(await new InfluxdbProvider({ address: server.url }, http).query(fluxQuery)).toBe(3);
  });

  it.each([
    ['no table', noTables, 'influxdb returned no records'],
    ['a null _value', nullValue, 'influxdb returned an empty _value'],
    ['NaN', nullValue.replace(',,0,\r\n', ',,0,NaN\r\n'), 'influxdb returned NaN'],
    ['+Inf', nullValue.replace(',,0,\r\n', ',,0,+Inf\r\n'), 'influxdb returned +Inf'],
    ['-Inf', nullValue.replace(',,0,\r\n', ',,0,-Inf\r\n'), 'influxdb returned -Inf'],
  ])('is no data, never a value, for %s', async (_title, body, reason) => {
    server.reply = () => ({ status: 200, body });
    await expect(new InfluxdbProvider({ address: server.url }, http).query(fluxQuery)).rejects.toThrow(new NoDataError(reason));
  });

  it.each([
    [401, unauthorized, 'influxdb answered HTTP 401: {"code":"unauthorized","message":"unauthorized access"}', false],
    [400, invalidQuery, `influxdb answered HTTP 400: ${invalidQuery}`, false],
    [503, 'x'.repeat(5000), `influxdb answered HTTP 503: ${'x'.repeat(200)}…`, true],
  ])('reports HTTP %i with its status and the start of the body', async (status, body, message, retriable) => {
    server.reply = () => ({ status, body });
    const error = await new InfluxdbProvider({ address: server.url }, http).query(fluxQuery).catch((e: unknown) => e);
    expect(error).toEqual(new QueryError(message, retriable));
  });

  it('reports an error InfluxDB streamed in an error table', async () => {
    server.reply = () => ({ status: 200, body: streamedError });
    await expect(new InfluxdbProvider({ address: server.url }, http).query(fluxQuery)).rejects.toThrow(new QueryError('influxdb query failed: Failed to parse query', false));
  });

  it('refuses a _value that is not a number', async () => {
    server.reply = () => ({ status: 200, body: nullValue.replace('long,double', 'long,string').replace(',,0,\r\n', ',,0,ok\r\n') });
    await expect(new InfluxdbProvider({ address: server.url }, http).query(fluxQuery)).rejects.toThrow('influxdb returned a _value of type string ("ok"), not a number');
  });
});

describe('InfluxdbProvider configuration', () => {
  const http = createAxiosHttpClient();
  afterEach(() => http.destroy());

  it.each([
    [{ address: undefined }, 'influxdb address "" is not a valid URL (provider.address)'],
  ])('refuses %j, naming the field', (options, message) => {
    expect(() => new InfluxdbProvider(options, http)).toThrow(new MetricConfigError(message));
  });
});

describe('parseAnnotatedCsv', () => {
  it('reads every table, fills cells from #default and keeps each column type', () => {
    const records = parseAnnotatedCsv(threeTables);
    expect(records.map((r) => r.values._value)).toEqual(['15.43', '59.25', '52.62']);
    expect(records[0]?.values.result).toBe('mean');
    expect(records[0]?.types).toMatchObject({ _value: 'double', table: 'long', host: 'string' });
  });

  it('reads quoted cells with commas, quotes and line breaks, and tables separated by a blank line', () => {
    const text = '#datatype,string,string\n,result,note\n,,"a, ""b""\nc"\n\n#datatype,string,double\n,result,_value\n,,2\n';
    expect(parseAnnotatedCsv(text).map((r) => r.values)).toEqual([{ result: '', note: 'a, "b"\nc' }, { result: '', _value: '2' }]);
  });
});
