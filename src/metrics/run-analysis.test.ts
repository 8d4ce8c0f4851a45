import { describe, expect, it } from 'vitest';
import type { CanaryMetric } from '../api/canary-analysis.js';
import type { Canary, CanaryProvider } from '../api/canary.js';
import type { MetricTemplate } from '../api/metric-template.js';
import type { Secret } from '../kube/resources.js';
import type { HttpClient, HttpGetOptions, HttpResponse } from './http-client.js';
import { ProviderCache } from './provider-cache.js';
import { CountingCache } from '../../test/fakes/counting-provider-cache.js';
import { runMetricChecks, type MetricChecksInput } from './run-analysis.js';
import { IMPLEMENTED_METRIC_PROVIDERS } from './template-providers.js';
import { builtinsOf } from '../routers/index.js';

interface Call {
  origin: string;
  query: string;
  headers: Readonly<Record<string, string>>;
}

/** An HttpClient that answers Prometheus queries from a table: the first matching substring wins. */
class FakePrometheusHttp implements HttpClient {
  readonly calls: Call[] = [];
  constructor(private readonly answers: [needle: string, answer: string | HttpResponse][] = []) {}

  get(url: string, options: HttpGetOptions): Promise<HttpResponse> {
    const parsed = new URL(url);
    const query = parsed.searchParams.get('query') ?? '';
    this.calls.push({ origin: `${parsed.origin}${parsed.pathname}`, query, headers: options.headers ?? {} });
    const answer = this.answers.find(([needle]) => query.includes(needle))?.[1] ?? 'NaN';
    return Promise.resolve(typeof answer === 'string' ? { status: 200, body: vector(answer) } : answer);
  }

  post(url: string): Promise<HttpResponse> {
    return Promise.reject(new Error(`unexpected POST ${url}`));
  }

  queries(): string[] {
    return this.calls.map((c) => c.query);
  }
}

function vector(value: string): string {
  return JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [1, value] }] } });
}

function aCanary(metrics: CanaryMetric[], spec: Partial<Canary['spec']> = {}): Canary {
  return {
    metadata: { name: 'podinfo', namespace: 'test' },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
      analysis: { interval: '1m', threshold: 5, stepWeight: 10, metrics },
      ...spec,
    },
  };
}

function aTemplate(name: string, opts: { namespace?: string; query?: string; type?: 'prometheus' | 'datadog'; secret?: string;
  rv?: string; headers?: Record<string, string[]>; address?: string } = {}): MetricTemplate {
  return {
    metadata: { name, namespace: opts.namespace ?? 'test', uid: `uid-${name}`, resourceVersion: opts.rv ?? '1' },
    spec: {
      provider: {
        type: opts.type ?? 'prometheus',
        address: opts.address ?? 'http://prom.monitoring:9090',
        ...(opts.secret === undefined ? {} : { secretRef: { name: opts.secret } }),
        ...(opts.headers === undefined ? {} : { headers: opts.headers }),
      },
      query: opts.query ?? `sum(rate(errors{ns="{{ namespace }}",app="{{ target }}"}[{{ interval }}]))`,
    },
  };
}

function aSecret(name: string, data: Record<string, string>, rv = '1', namespace = 'test'): Secret {
  const encoded = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
  return { metadata: { name, namespace, resourceVersion: rv }, data: encoded };
}

const key = (namespace: string, name: string): string => `${namespace}/${name}`;

function input(canary: Canary, http: HttpClient, world: { templates?: MetricTemplate[]; secrets?: Secret[]; provider?: CanaryProvider;
  providers?: ProviderCache } = {}): MetricChecksInput {
  const templates = new Map((world.templates ?? []).map((t) => [key(t.metadata.namespace ?? '', t.metadata.name), t]));
  const secrets = new Map((world.secrets ?? []).map((s) => [key(s.metadata.namespace ?? '', s.metadata.name), s]));
  return {
    canary,
    provider: world.provider ?? 'istio',
    builtins: builtinsOf(world.provider ?? 'istio'),
    metricsServer: 'http://prometheus:9090',
    templates: (ns, name) => templates.get(key(ns, name)),
    // Lookups may be asynchronous (an API read).
    secrets: (ns, name) => Promise.resolve(secrets.get(key(ns, name))),
    providers: world.providers ?? new ProviderCache(),
    http,
    now: () => Date.parse('2026-01-01T10:00:00.750Z'),
  };
}

const successRate: CanaryMetric = { name: 'request-success-rate', thresholdRange: { min: 99 }, interval: '30s' };
const duration: CanaryMetric = { name: 'request-duration', thresholdRange: { max: 500 } };
const errorRate: CanaryMetric = { name: 'error-rate', templateRef: { name: 'error-rate' }, thresholdRange: { max: 1 } };
const inline: CanaryMetric = { name: 'latency', query: 'max(latency{app="{{ target }}"})', thresholdRange: { max: 10 } };

describe('runMetricChecks', () => {
  it('returns nothing for a Canary without metrics', async () => {
    const http = new FakePrometheusHttp();
    expect(await runMetricChecks(input(aCanary([]), http))).toEqual([]);
    expect(http.calls).toEqual([]);
  });

  it('runs builtins and inline queries in spec order, then templates, each against its server (§13)', async () => {
    const http = new FakePrometheusHttp([['istio_requests_total', '99.5'], ['istio_request_duration', '120.7'], ['latency', '3'], ['errors', '0.5']]);
    const checks = await runMetricChecks(input(aCanary([errorRate, duration, inline, successRate]), http, { templates: [aTemplate('error-rate')] }));
    expect(checks.map((c) => [c.name, c.kind, c.verdict, c.value])).toEqual([
      ['request-duration', 'duration', 'Pass', 120],
      ['latency', 'custom', 'Pass', 3],
      ['request-success-rate', 'success-rate', 'Pass', 99.5],
      ['error-rate', 'custom', 'Pass', 0.5],
    ]);
    expect(http.calls.map((c) => c.origin)).toEqual([
      'http://prometheus:9090/api/v1/query', 'http://prometheus:9090/api/v1/query', 'http://prometheus:9090/api/v1/query',
      'http://prom.monitoring:9090/api/v1/query',
    ]);
    expect(checks[1]?.query).toBe('max(latency{app="podinfo"})');
    expect(checks[2]?.query).toContain('destination_workload=~"podinfo"');
    expect(checks[2]?.query).toContain('[30s]');
    expect(checks[3]?.query).toBe('sum(rate(errors{ns="test",app="podinfo"}[1m]))');
    expect(checks.every((c) => c.time === '2026-01-01T10:00:00Z')).toBe(true);
  });

  it('sends builtins and inline queries to spec.metricsServer when set', async () => {
    const http = new FakePrometheusHttp([['istio', '100'], ['latency', '1']]);
    await runMetricChecks(input(aCanary([successRate, inline], { metricsServer: 'http://thanos.example/prom' }), http));
    expect(http.calls.map((c) => c.origin)).toEqual(['http://thanos.example/prom/api/v1/query', 'http://thanos.example/prom/api/v1/query']);
  });

  it('stops at the first failing check and returns the checks done so far', async () => {
    const http = new FakePrometheusHttp([['istio_requests_total', '95'], ['istio_request_duration', '100']]);
    const checks = await runMetricChecks(input(aCanary([duration, successRate, inline, errorRate]), http, { templates: [aTemplate('error-rate')] }));
    expect(checks.map((c) => [c.name, c.verdict, c.message])).toEqual([
      ['request-duration', 'Pass', 'request duration 100ms is within <= 500'],
      ['request-success-rate', 'Fail', 'success rate 95.00% < 99%'],
    ]);
    expect(http.calls).toHaveLength(2);
  });

  it('fails when there is no traffic, naming the workload; never passes', async () => {
    const http = new FakePrometheusHttp([['istio_requests_total', 'NaN']]);
    const [check] = await runMetricChecks(input(aCanary([successRate]), http));
    expect(check).toMatchObject({
      verdict: 'Fail', value: null,
      message: 'no values found for metric request-success-rate, probably podinfo.test is not receiving traffic (query returned NaN)',
    });
  });

  it('goes on after a skipped check (onNoData: skip)', async () => {
    const http = new FakePrometheusHttp([['istio_requests_total', 'NaN'], ['istio_request_duration', '10']]);
    const checks = await runMetricChecks(input(aCanary([{ ...successRate, onNoData: 'skip' }, duration]), http));
    expect(checks.map((c) => c.verdict)).toEqual(['Skip', 'Pass']);
  });

  it('runs both the builtin and the inline query of a builtin-named metric with a query (§13)', async () => {
    const http = new FakePrometheusHttp([['istio', '99.9'], ['my_ratio', '99.1']]);
    const metric = { ...successRate, query: 'my_ratio{app="{{ target }}"}' };
    const checks = await runMetricChecks(input(aCanary([metric]), http));
    expect(checks.map((c) => [c.name, c.kind, c.value])).toEqual([['request-success-rate', 'success-rate', 99.9], ['request-success-rate', 'custom', 99.1]]);
  });

  it('converts the generic HTTP observer\'s seconds to whole milliseconds', async () => {
    const http = new FakePrometheusHttp([['http_request_duration_seconds_bucket', '0.0973']]);
    const [check] = await runMetricChecks(input(aCanary([duration]), http, { provider: 'kubernetes' }));
    expect(check).toMatchObject({ kind: 'duration', value: 97, verdict: 'Pass' });
    expect(check?.query).toContain('kubernetes_pod_name=~"podinfo-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)"');
  });

  it.each<[string, CanaryMetric[], Partial<Parameters<typeof input>[2]>, string]>([
    ['a provider without builtins', [successRate], { provider: 'linkerd' },
      'metric request-success-rate: provider linkerd has no builtin request-success-rate query (builtins exist for kubernetes, istio, nginx, '
      + 'alb, gatewayapi:v1, gatewayapi:v1beta1); use a MetricTemplate (templateRef) for this metric'],
    ['a missing MetricTemplate', [errorRate], {}, 'metric error-rate: MetricTemplate test/error-rate not found'],
    ['a hosted provider type without its Secret', [errorRate], { templates: [aTemplate('error-rate', { type: 'datadog' })] },
      'metric error-rate: MetricTemplate test/error-rate: provider type datadog needs spec.provider.secretRef (a Secret with key datadog_api_key)'],
    // A type the schema would refuse, so that no entry of the provider table can ever serve it.
    ['a provider type without an entry in the provider table', [errorRate], { templates: [aTemplate('error-rate', { type: 'opentsdb' as 'datadog' })] },
      `metric error-rate: MetricTemplate test/error-rate uses provider type opentsdb, which Songbird does not implement (only ${IMPLEMENTED_METRIC_PROVIDERS.join(', ')})`],
    ['an unknown template variable', [errorRate], { templates: [aTemplate('error-rate', { query: 'x{c="{{ variables.cluster }}"}' })] },
      'metric error-rate: MetricTemplate test/error-rate: unknown variable "cluster" in {{ variables.cluster }}: templateVariables is empty'],
    ['a missing Secret', [errorRate], { templates: [aTemplate('error-rate', { secret: 'prom-auth' })] },
      'metric error-rate: Secret test/prom-auth (provider.secretRef of MetricTemplate test/error-rate) not found'],
    ['incomplete credentials', [errorRate], { templates: [aTemplate('error-rate', { secret: 'prom-auth' })], secrets: [aSecret('prom-auth', { username: 'admin' })] },
      'metric error-rate: MetricTemplate test/error-rate: prometheus credentials contain a username but no password'],
    ['an invalid template address', [errorRate], { templates: [aTemplate('error-rate', { address: '' })] },
      'metric error-rate: MetricTemplate test/error-rate: prometheus address "" is not a valid URL'],
    ['a metric with no source', [{ name: 'orphan', thresholdRange: { max: 1 } }], {},
      'metric orphan: not a builtin metric, and has neither templateRef nor query'],
  ])('fails, saying exactly what is wrong, on %s', async (_title, metrics, world, message) => {
    const http = new FakePrometheusHttp([['', '0']]);
    const checks = await runMetricChecks(input(aCanary(metrics), http, world));
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({ verdict: 'Fail', value: null, message });
    expect(http.calls).toEqual([]);
  });

  it('fails on an unusable metrics server address', async () => {
    const checks = await runMetricChecks(input(aCanary([successRate], { metricsServer: 'prometheus:9090' }), new FakePrometheusHttp()));
    expect(checks[0]?.message).toBe('metric request-success-rate: prometheus address "prometheus:9090" must be an http or https URL');
  });

  it('reports a query error with the rendered query', async () => {
    const http = new FakePrometheusHttp([['errors', { status: 503, body: 'unavailable' }]]);
    const [check] = await runMetricChecks(input(aCanary([errorRate]), http, { templates: [aTemplate('error-rate')] }));
    expect(check).toMatchObject({ verdict: 'Fail', message: 'metric error-rate: Prometheus answered HTTP 503: unavailable',
      query: 'sum(rate(errors{ns="test",app="podinfo"}[1m]))' });
  });

  it('reads a template from templateRef.namespace and its Secret from the template\'s namespace', async () => {
    const http = new FakePrometheusHttp([['errors', '0']]);
    const metric = { ...errorRate, templateRef: { name: 'error-rate', namespace: 'monitoring' } };
    const template = aTemplate('error-rate', { namespace: 'monitoring', secret: 'prom-auth' });
    const checks = await runMetricChecks(input(aCanary([metric]), http,
      { templates: [template], secrets: [aSecret('prom-auth', { token: 't0k3n' }, '1', 'monitoring')] }));
    expect(checks[0]?.verdict).toBe('Pass');
    expect(http.calls[0]?.headers).toEqual({ Authorization: 'Bearer t0k3n' });
  });

  it('renders templateVariables in template queries', async () => {
    const http = new FakePrometheusHttp([['lag', '2']]);
    const metric = { ...errorRate, templateVariables: { group: 'orders' } };
    await runMetricChecks(input(aCanary([metric]), http, { templates: [aTemplate('error-rate', { query: 'max(lag{group="{{ variables.group }}"})' })] }));
    expect(http.queries()).toEqual(['max(lag{group="orders"})']);
  });
});

describe('runMetricChecks provider reuse', () => {
  it('builds each provider once across ticks and rebuilds it when the template or its Secret changes', async () => {
    const http = new FakePrometheusHttp([['istio', '100'], ['', '0']]);
    const providers = new CountingCache();
    const canary = aCanary([successRate, errorRate]);
    const tick = (template: MetricTemplate, secret: Secret): Promise<unknown> =>
      runMetricChecks(input(canary, http, { templates: [template], secrets: [secret], providers }));
    const template = aTemplate('error-rate', { secret: 'prom-auth', headers: { 'X-Scope-OrgID': ['a'] } });
    await tick(template, aSecret('prom-auth', { token: 'one' }));
    await tick(template, aSecret('prom-auth', { token: 'one' }));
    expect(providers.builds).toBe(2);
    await tick(template, aSecret('prom-auth', { token: 'two' }, '2'));
    expect(providers.builds).toBe(3);
    await tick(aTemplate('error-rate', { secret: 'prom-auth', rv: '7', headers: { 'X-Scope-OrgID': ['b'] } }), aSecret('prom-auth', { token: 'two' }, '2'));
    expect(providers.builds).toBe(4);
    expect(providers.size).toBe(2);
    const templateCalls = http.calls.filter((c) => c.origin.startsWith('http://prom.monitoring'));
    expect(templateCalls.map((c) => c.headers)).toEqual([
      { 'X-Scope-OrgID': 'a', Authorization: 'Bearer one' },
      { 'X-Scope-OrgID': 'a', Authorization: 'Bearer one' },
      { 'X-Scope-OrgID': 'a', Authorization: 'Bearer two' },
      { 'X-Scope-OrgID': 'b', Authorization: 'Bearer two' },
    ]);
  });
});
