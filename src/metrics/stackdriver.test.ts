import { createVerify, generateKeyPairSync } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { aSecret, fixture, flaggerExample, runTemplateCheck, withAddress } from '../../test/support/hosted-metrics.js';
import { startRecordingServer, type RecordingServer } from '../../test/support/recording-server.js';
import { MetricConfigError, NoDataError, QueryError } from './errors.js';
import { googleTokenSource, monitoringReadScope, parseServiceAccountKey, type ServiceAccountKey } from './google-auth.js';
import { createAxiosHttpClient, type DisposableHttpClient } from './http-client.js';
import { ProviderCache } from './provider-cache.js';
import { StackdriverProvider } from './stackdriver.js';

const now = 1_700_000_000_000;
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
let server: RecordingServer;
let http: DisposableHttpClient;
let answer: string;

/** A service-account key whose token_uri is the local server. */
const serviceAccountKey = (): ServiceAccountKey & Record<string, string> => ({
  type: 'service_account',
  project_id: 'my-project',
  private_key_id: 'key-1',
  private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  client_email: 'flagger@my-project.iam.gserviceaccount.com',
  client_id: '1234567890',
  token_uri: `${server.url}/token`,
});

beforeEach(async () => {
  answer = fixture('stackdriver', 'value.json');
  server = await startRecordingServer((request) => {
    if (request.url === '/token') return { body: fixture('stackdriver', 'token.json') };
    if (request.url.startsWith('/computeMetadata/')) return { body: '{"access_token":"metadata-token","expires_in":3599,"token_type":"Bearer"}' };
    return { status: answer.includes('"error"') ? 400 : 200, body: answer };
  });
  http = createAxiosHttpClient();
});

afterEach(async () => {
  http.destroy();
  await server.close();
});

const provider = (): StackdriverProvider => new StackdriverProvider({
  project: 'my-project', address: server.url, tokens: googleTokenSource({ key: serviceAccountKey() }, http, () => now),
}, http);

const queries = (): typeof server.requests => server.requests.filter((r) => r.url !== '/token');

describe('StackdriverProvider: the requests it sends', () => {
  it('exchanges a signed JWT at the key\'s token_uri for an access token (RFC 7523)', async () => {
    await provider().query('fetch k8s_container');
    const [token] = server.requests;
    expect(token?.method).toBe('POST');
    expect(token?.url).toBe('/token');
    expect(token?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const form = new URLSearchParams(token?.raw);
    expect(form.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
    const [header = '', claims = '', signature = ''] = (form.get('assertion') ?? '').split('.');
    expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toEqual({ alg: 'RS256', typ: 'JWT', kid: 'key-1' });
    expect(JSON.parse(Buffer.from(claims, 'base64url').toString())).toEqual({
      iss: 'flagger@my-project.iam.gserviceaccount.com', scope: monitoringReadScope, aud: `${server.url}/token`, iat: 1_700_000_000, exp: 1_700_003_600,
    });
    expect(createVerify('RSA-SHA256').update(`${header}.${claims}`).verify(publicKey, Buffer.from(signature, 'base64url'))).toBe(true);
  });

  it('POSTs the MQL as JSON to /v3/projects/<project>/timeSeries:query with the Bearer token', async () => {
    await provider().query('fetch k8s_container | every 1m');
    const [query] = queries();
    expect(query?.method).toBe('POST');
    expect(query?.url).toBe('/v3/projects/my-project/timeSeries:query');
    expect(query?.headers.authorization).toBe('Bearer ya29.c.b0AXv0zTN-test-token');
    expect(query?.headers['content-type']).toBe('application/json');
    expect(query?.json).toEqual({ query: 'fetch k8s_container | every 1m' });
  });

  it('reuses the token until a minute before it expires', async () => {
    let clock = now;
    const p = new StackdriverProvider({ project: 'my-project', address: server.url, tokens: googleTokenSource({ key: serviceAccountKey() }, http, () => clock) }, http);
    await p.query('q');
    clock += 3_538_000;
    await p.query('q');
    expect(server.requests.filter((r) => r.url === '/token')).toHaveLength(1);
    clock += 2_000;
    await p.query('q');
    expect(server.requests.filter((r) => r.url === '/token')).toHaveLength(2);
  });

  it('takes tokens from the metadata server when the Secret has no serviceAccountKey', async () => {
    const tokens = googleTokenSource({ metadataHost: new URL(server.url).host }, http, () => now);
    expect(await tokens.token()).toBe('metadata-token');
    expect(server.requests[0]?.url).toBe('/computeMetadata/v1/instance/service-accounts/default/token');
    expect(server.requests[0]?.headers['metadata-flavor']).toBe('Google');
  });

  it('refuses a key without a private key, and a project id that is not one', () => {
    expect(() => parseServiceAccountKey('{"client_email":"a@b"}')).toThrow('serviceAccountKey has no private_key');
    expect(() => parseServiceAccountKey('{"client_email":"a@b","private_key":"-----BEGIN PRIVATE KEY-----\\nAAAA\\n-----END PRIVATE KEY-----\\n"}'))
      .toThrow(/^serviceAccountKey has an unusable private_key/);
    expect(() => new StackdriverProvider({ project: '../x', tokens: { token: () => Promise.resolve('t') } }, http)).toThrow(MetricConfigError);
  });
});

describe('StackdriverProvider: recorded answers of timeSeries.query', () => {
  it('returns the newest point of the one series', async () => {
    expect(await provider().query('q')).toBe(212.5);
  });

  it('reads int64 values, which arrive as strings', async () => {
    answer = fixture('stackdriver', 'int64.json');
    expect(await provider().query('q')).toBe(42);
  });

  it.each([['no series', 'no-series.json'], ['a NaN point', 'nan.json']])('answers no data for %s, never a value', async (_title, file) => {
    answer = fixture('stackdriver', file);
    await expect(provider().query('q')).rejects.toBeInstanceOf(NoDataError);
  });

  it('reports a refused query with its status and body', async () => {
    answer = fixture('stackdriver', 'error-400.json');
    await expect(provider().query('q')).rejects.toThrow(/^Google Cloud Monitoring answered HTTP 400: \{\s*"error": \{\s*"code": 400/);
    await expect(provider().query('q')).rejects.toBeInstanceOf(QueryError);
  });

  it('reports a refused token with the token endpoint\'s status and body', async () => {
    server.reply = () => ({ status: 400, body: '{"error":"invalid_grant","error_description":"Invalid JWT Signature."}' });
    await expect(provider().query('q')).rejects.toThrow(/Google token endpoint http:\/\/127\.0\.0\.1:\d+\/token answered HTTP 400: .*invalid_grant/);
  });
});

describe('a stackdriver MetricTemplate in the analysis', () => {
  const secret = (): ReturnType<typeof aSecret> => aSecret('gcloud-sa', 'test', { project: 'my-project', serviceAccountKey: JSON.stringify(serviceAccountKey()) });

  it('runs Flagger\'s documented example unchanged and records the rendered MQL, value and verdict', async () => {
    const template = withAddress(flaggerExample('stackdriver'), server.url);
    const check = await runTemplateCheck({ template, secret: secret(), thresholdRange: { max: 500 }, http, now });
    expect(check).toMatchObject({ verdict: 'Pass', value: 212.5 });
    expect(check.query).toContain("metric.destination_service_name == 'podinfo-canary'");
    expect(queries()[0]?.json).toEqual({ query: check.query });
  });

  it('fails the check above the threshold and on no data', async () => {
    const template = withAddress(flaggerExample('stackdriver'), server.url);
    expect(await runTemplateCheck({ template, secret: secret(), thresholdRange: { max: 100 }, http, now })).toMatchObject({ verdict: 'Fail', value: 212.5 });
    answer = fixture('stackdriver', 'no-series.json');
    expect(await runTemplateCheck({ template, secret: secret(), thresholdRange: { max: 500 }, http, now })).toMatchObject({ verdict: 'Fail', value: null });
  });

  it('keeps its provider, and so its token, from one tick to the next', async () => {
    const template = withAddress(flaggerExample('stackdriver'), server.url);
    const providers = new ProviderCache();
    const s = secret();
    for (let tick = 0; tick < 3; tick++) await runTemplateCheck({ template, secret: s, thresholdRange: { max: 500 }, http, now, providers });
    expect(server.requests.map((r) => r.url)).toEqual(['/token', ...Array<string>(3).fill('/v3/projects/my-project/timeSeries:query')]);
  });

  it('names the missing project key and the Secret', async () => {
    const template = withAddress(flaggerExample('stackdriver'), server.url);
    const check = await runTemplateCheck({ template, secret: aSecret('gcloud-sa', 'test', {}), thresholdRange: {}, http, now });
    expect(check.message).toContain('Secret test/gcloud-sa has no key project');
  });
});
