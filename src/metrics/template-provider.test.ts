import { describe, expect, it } from 'vitest';
import type { MetricTemplate } from '../api/metric-template.js';
import type { Secret } from '../kube/resources.js';
import { NoDataError, QueryError } from './errors.js';
import type { MetricsProvider } from './prometheus.js';
import { ProviderCache } from './provider-cache.js';
import { cachedTemplateProvider, finiteValue, requiredKey, type TemplateProviderDeps, type TemplateRef } from './template-provider.js';
import { TEMPLATE_PROVIDERS } from './template-providers.js';

const template = (rv = '1'): MetricTemplate => ({
  metadata: { name: 'errors', namespace: 'test', uid: 'u1', resourceVersion: rv },
  spec: { provider: { type: 'datadog', secretRef: { name: 'dd' } }, query: 'q' },
});
const secret = (rv = '7'): Secret => ({ metadata: { name: 'dd', namespace: 'test', resourceVersion: rv }, data: { k: Buffer.from('v').toString('base64') } });
const ref = (t: MetricTemplate, interval = '1m'): TemplateRef =>
  ({ template: t, namespace: 'test', label: 'MetricTemplate test/errors', metric: { name: 'm', interval, templateRef: { name: 'errors' } } });

function deps(secrets: Secret[]): TemplateProviderDeps {
  return {
    secrets: (ns, name) => secrets.find((s) => s.metadata.namespace === ns && s.metadata.name === name),
    providers: new ProviderCache(),
    http: { get: () => Promise.reject(new Error('no HTTP here')), post: () => Promise.reject(new Error('no HTTP here')) },
    now: () => 0,
  };
}

const stub = (): MetricsProvider => ({ query: () => Promise.resolve(1), isOnline: () => Promise.resolve({ online: true }) });

describe('cachedTemplateProvider', () => {
  it('builds a provider once and reuses it until the template, its Secret or the metric interval changes', async () => {
    const d = deps([secret()]);
    let builds = 0;
    const build = (): MetricsProvider => { builds++; return stub(); };
    const first = await cachedTemplateProvider(ref(template()), d, build);
    expect(await cachedTemplateProvider(ref(template()), d, build)).toBe(first);
    expect(builds).toBe(1);
    await cachedTemplateProvider(ref(template(), '5m'), d, build);
    await cachedTemplateProvider(ref(template('2'), '5m'), d, build);
    expect(builds).toBe(3);
  });

  it('hands the decoded Secret to the builder and names the template in its errors', async () => {
    const d = deps([secret()]);
    await expect(cachedTemplateProvider(ref(template()), d, (credentials) => {
      throw new Error(`saw ${credentials?.k ?? ''}`);
    })).rejects.toThrow('MetricTemplate test/errors: saw v');
  });

  it('fails, retriably, when the Secret does not exist', async () => {
    await expect(cachedTemplateProvider(ref(template()), deps([]), stub)).rejects.toMatchObject({
      message: 'Secret test/dd (provider.secretRef of MetricTemplate test/errors) not found', retriable: true,
    });
  });
});

describe('requiredKey', () => {
  it('names the key and the Secret when the key is missing, and the field when there is no secretRef', () => {
    expect(() => requiredKey(ref(template()), { other: 'x' }, 'datadog_api_key'))
      .toThrow('MetricTemplate test/errors: Secret test/dd has no key datadog_api_key (needed by provider type datadog)');
    const noSecret = template();
    delete noSecret.spec.provider.secretRef;
    expect(() => requiredKey(ref(noSecret), undefined, 'datadog_api_key'))
      .toThrow('MetricTemplate test/errors: provider type datadog needs spec.provider.secretRef (a Secret with key datadog_api_key)');
    expect(requiredKey(ref(template()), { datadog_api_key: 'k' }, 'datadog_api_key')).toBe('k');
  });
});

describe('finiteValue', () => {
  it.each([[1.5, 1.5], ['42', 42], [0, 0], ['-3.25', -3.25]])('reads %j as %d', (raw, value) => {
    expect(finiteValue('X', raw, 'it')).toBe(value);
  });

  it.each([null, undefined, Number.NaN, Number.POSITIVE_INFINITY, 'NaN', '+Inf', '-Infinity'])('treats %j as no data', (raw) => {
    expect(() => finiteValue('X', raw, 'it')).toThrow(NoDataError);
  });

  it.each(['abc', '', true, {}])('treats %j as a broken answer', (raw) => {
    expect(() => finiteValue('X', raw, 'it')).toThrow(QueryError);
  });
});

describe('the MetricTemplate provider table', () => {
  it('has the hosted providers next to prometheus and cloudwatch', () => {
    for (const type of ['prometheus', 'cloudwatch', 'datadog', 'newrelic', 'dynatrace', 'splunk', 'stackdriver'] as const) {
      expect(TEMPLATE_PROVIDERS[type], type).toBeTypeOf('function');
    }
  });
});
