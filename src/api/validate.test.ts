import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { AlertProvider } from './alert-provider.js';
import type { CanaryAnalysis } from './canary-analysis.js';
import { canaryProviderSchema, type Canary, type CanaryProvider, type CanarySpec } from './canary.js';
import type { MetricTemplate } from './metric-template.js';
import { canaryWarnings } from './validate-warnings.js';
import {
  fieldPath, parseAlertProvider, parseCanary, parseMetricTemplate, validateAlertProvider, validateCanary, validateMetricTemplate,
  type CanaryValidationOptions, type Problem,
} from './validate.js';

const examplesDir = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'flagger-examples');
const allProviders: ReadonlySet<CanaryProvider> = new Set(canaryProviderSchema.options);
const options: CanaryValidationOptions = { meshProvider: 'istio', implementedProviders: allProviders };

function aCanary(analysis: Partial<CanaryAnalysis> = {}, spec: Partial<CanarySpec> = {}): Canary {
  return {
    metadata: { name: 'podinfo', namespace: 'test' },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
      service: { port: 9898 },
      analysis: { interval: '1m', threshold: 5, stepWeight: 10, ...analysis },
      ...spec,
    },
  };
}

const knativeTarget = { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'podinfo' } as const;

describe("Flagger's example manifests", () => {
  const files = readdirSync(examplesDir).filter((f) => f.endsWith('.yaml')).sort();

  it.each(files)('%s parses with the schema and has no problem and no warning', (file) => {
    const object = parse(readFileSync(join(examplesDir, file), 'utf8')) as { kind: string };
    switch (object.kind) {
      case 'Canary': {
        const parsed = parseCanary(object);
        if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
        const meshProvider = file.startsWith('nginx-') ? 'nginx' : 'istio';
        expect(validateCanary(parsed.value, { ...options, meshProvider })).toEqual([]);
        expect(canaryWarnings(parsed.value, meshProvider)).toEqual([]);
        break;
      }
      case 'MetricTemplate':
        expect(parseMetricTemplate(object)).toMatchObject({ ok: true });
        break;
      default:
        expect(parseAlertProvider(object)).toMatchObject({ ok: true });
    }
  });
});

describe('validateCanary', () => {
  it.each<[string, Canary, string, string]>([
    ['no analysis strategy', aCanary({ stepWeight: undefined }), 'spec.analysis', 'exactly one of iterations, stepWeight or stepWeights must be set'],
    ['two analysis strategies', aCanary({ iterations: 3 }), 'spec.analysis', 'exactly one of iterations, stepWeight or stepWeights must be set'],
    ['a ladder that goes down', aCanary({ stepWeight: undefined, stepWeights: [10, 50, 50] }), 'spec.analysis.stepWeights', 'stepWeights must be strictly increasing'],
    ['equal cookie names', aCanary({ sessionAffinity: { cookieName: 'c', primaryCookieName: 'c' } }),
      'spec.analysis.sessionAffinity.primaryCookieName', 'primaryCookieName must differ from cookieName'],
    ['a custom metric without a source', aCanary({ metrics: [{ name: 'latency' }] }), 'spec.analysis.metrics[0]',
      'a metric other than request-success-rate or request-duration needs templateRef or query'],
    ['a reversed threshold range', aCanary({ metrics: [{ name: 'request-duration', thresholdRange: { min: 500, max: 100 } }] }),
      'spec.analysis.metrics[0].thresholdRange', 'min must not be greater than max'],
    ['a webhook url without scheme', aCanary({ webhooks: [{ name: 'w', url: 'flagger-loadtester.test/' }] }), 'spec.analysis.webhooks[0].url',
      'url must be an absolute http or https URL'],
    ['a webhook timeout that is not a Go duration', aCanary({ webhooks: [{ name: 'w', url: 'http://t/', timeout: '10sfoo' }] }),
      'spec.analysis.webhooks[0].timeout', '"10sfoo" is not a duration such as 10s or 1m30s'],
    ['nginx without ingressRef', aCanary({}, { provider: 'nginx' }), 'spec.ingressRef', 'ingressRef is required when provider is nginx'],
    ['gatewayapi without gatewayRefs', aCanary({}, { provider: 'gatewayapi:v1beta1' }), 'spec.service', 'service.gatewayRefs is required when provider is gatewayapi'],
    ['knative with a Deployment', aCanary({}, { provider: 'knative' }), 'spec.provider',
      'provider knative requires a Knative Service target (serving.knative.dev) and a Knative Service target requires provider knative'],
    ['a Knative Service with another provider', aCanary({}, { provider: 'istio', targetRef: knativeTarget }), 'spec.provider',
      'provider knative requires a Knative Service target (serving.knative.dev) and a Knative Service target requires provider knative'],
    ['a Knative Service with an autoscaler', aCanary({}, {
      provider: 'knative', targetRef: knativeTarget, autoscalerRef: { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name: 'p' },
    }), 'spec.autoscalerRef', 'autoscalerRef is not supported with a Knative Service target'],
    ['no service for a Deployment', aCanary({}, { service: undefined }), 'spec.service', 'service is required unless the target is a Knative Service'],
    ['primary scaler bounds reversed', aCanary({}, {
      autoscalerRef: { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name: 'p', primaryScalerReplicas: { minReplicas: 5, maxReplicas: 2 } },
    }), 'spec.autoscalerRef.primaryScalerReplicas', 'minReplicas must not be greater than maxReplicas'],
    ['delegation with hosts', aCanary({}, { service: { port: 80, delegation: true, hosts: ['a.example.com'] } }), 'spec.service',
      'hosts and gateways must be empty when delegation is true'],
    ['a mirrored progressive canary on nginx', aCanary({ mirror: true }, { provider: 'nginx', ingressRef: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'p' } }),
      'spec.analysis.mirror', 'mirroring with stepWeight or stepWeights is only supported by the istio provider, not nginx'],
    ['alb without ingressRef', aCanary({}, { provider: 'alb' }), 'spec.ingressRef', 'ingressRef is required when provider is alb'],
    ['a mirrored Blue/Green run on alb', aCanary({ mirror: true, iterations: 5, stepWeight: undefined, maxWeight: undefined },
      { provider: 'alb', ingressRef: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'p' } }),
    'spec.analysis.mirror', 'the alb provider cannot mirror traffic (an ALB forwards each request to one target group)'],
    ['a canaryMatch with a header and a cookie', aCanary({ canaryMatch: { header: { name: 'x-canary', exact: 'on' }, cookie: { name: 'canary' } } }),
      'spec.analysis.canaryMatch', 'exactly one of header or cookie must be set'],
    ['a canaryMatch with neither a header nor a cookie', aCanary({ canaryMatch: {} }), 'spec.analysis.canaryMatch', 'exactly one of header or cookie must be set'],
    ['a canaryMatch header with two matchers', aCanary({ canaryMatch: { header: { name: 'x-canary', exact: 'on', prefix: 'o' } } }),
      'spec.analysis.canaryMatch.header', 'exactly one of exact, prefix or regex must be set'],
    ['a canaryMatch beside an A/B match', aCanary({ iterations: 5, stepWeight: undefined, match: [{ headers: { x: { exact: 'y' } } }], canaryMatch: { cookie: { name: 'c' } } }),
      'spec.analysis.canaryMatch', 'canaryMatch cannot be combined with match: an A/B test already sends the requests it matches to the canary'],
    ['a canaryMatch on the kubernetes provider', aCanary({ iterations: 5, stepWeight: undefined, canaryMatch: { cookie: { name: 'c' } } }, { provider: 'kubernetes' }),
      'spec.analysis.canaryMatch', 'the kubernetes provider routes no traffic, so it cannot send matching requests to the canary'],
    ['a canaryMatch regex on alb', aCanary({ canaryMatch: { header: { name: 'x-canary', regex: 'o.*' } } },
      { provider: 'alb', ingressRef: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'p' } }),
    'spec.analysis.canaryMatch.header.regex', 'the alb provider matches exact values and prefixes, not regular expressions'],
    ['a canaryMatch on an Istio TCP service', aCanary({ canaryMatch: { cookie: { name: 'c' } } }, { service: { port: 9898, appProtocol: 'tcp' } }),
      'spec.analysis.canaryMatch', 'a TCP service (service.appProtocol tcp) has no requests to match on headers or cookies'],
  ])('reports %s', (_case, canary, field, message) => {
    expect(validateCanary(canary, options)).toEqual([{ field, message }]);
  });

  it('accepts a canaryMatch header or cookie on istio, nginx and alb', () => {
    const ingressRef = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'p' };
    for (const provider of ['istio', 'nginx', 'alb'] as const) {
      expect(validateCanary(aCanary({ canaryMatch: { header: { name: 'x-canary', prefix: 'on' } } }, { provider, ingressRef }), options)).toEqual([]);
      expect(validateCanary(aCanary({ canaryMatch: { cookie: { name: 'canary' } } }, { provider, ingressRef }), options)).toEqual([]);
    }
  });

  it('names the field of a canaryMatch header name that is not an HTTP token', () => {
    const parsed = parseCanary(aCanary({ canaryMatch: { header: { name: 'x canary', exact: 'on' } } }));
    expect(parsed.ok ? [] : parsed.problems.map((p) => p.field)).toEqual(['spec.analysis.canaryMatch.header.name']);
  });

  it('accepts a Knative Service target without spec.service', () => {
    expect(validateCanary(aCanary({}, { provider: 'knative', targetRef: knativeTarget, service: undefined }), options)).toEqual([]);
  });

  it('names a provider the operator does not implement instead of falling back to another one', () => {
    const implemented: ReadonlySet<CanaryProvider> = new Set(['istio', 'nginx', 'kubernetes']);
    expect(validateCanary(aCanary({}, { provider: 'contour' }), { ...options, implementedProviders: implemented }))
      .toEqual([{ field: 'spec.provider', message: 'provider contour is not implemented yet' }]);
    expect(validateCanary(aCanary(), { meshProvider: 'linkerd', implementedProviders: implemented }))
      .toEqual([{ field: 'spec.provider', message: 'provider linkerd (from --mesh-provider) is not implemented yet' }]);
  });

  it('applies provider rules to the provider inherited from --mesh-provider', () => {
    expect(validateCanary(aCanary(), { ...options, meshProvider: 'nginx' }))
      .toEqual([{ field: 'spec.ingressRef', message: 'ingressRef is required when provider is nginx' }]);
  });

  it('rejects references to other namespaces only with --no-cross-namespace-refs', () => {
    const canary = aCanary({
      metrics: [{ name: 'latency', templateRef: { name: 'latency', namespace: 'istio-system' } }, { name: 'l2', templateRef: { name: 'l', namespace: 'test' } }],
      alerts: [{ name: 'a', providerRef: { name: 'slack', namespace: 'flagger' } }],
    }, { upstreamRef: { apiVersion: 'gloo.solo.io/v1', kind: 'Upstream', name: 'u', namespace: 'gloo' } });
    expect(validateCanary(canary, options)).toEqual([]);
    const message = 'cross-namespace references are disabled (--no-cross-namespace-refs)';
    expect(validateCanary(canary, { ...options, noCrossNamespaceRefs: true })).toEqual([
      { field: 'spec.upstreamRef.namespace', message },
      { field: 'spec.analysis.metrics[0].templateRef.namespace', message },
      { field: 'spec.analysis.alerts[0].providerRef.namespace', message },
    ]);
  });
});

describe('canaryWarnings', () => {
  const warn = (field: string, message: string): Problem => ({ field, message });
  const abMatch = [{ headers: { x: { exact: 'y' } } }];

  it.each<[string, Canary, CanaryProvider, Problem]>([
    ['an interval that is not a Go duration', aCanary({ interval: '10sfoo' }), 'istio',
      warn('spec.analysis.interval', '"10sfoo" is not a duration; the analysis runs every 60s')],
    ['an interval below 10s', aCanary({ interval: '5s' }), 'istio',
      warn('spec.analysis.interval', '"5s" is below the 10s minimum; the analysis runs every 10s')],
    ['a ladder above 100', aCanary({ stepWeight: undefined, stepWeights: [10, 200] }), 'istio',
      warn('spec.analysis.stepWeights', 'weights above 100 are capped at 100')],
    ['maxWeight next to a ladder', aCanary({ stepWeight: undefined, stepWeights: [10, 20], maxWeight: 50 }), 'istio',
      warn('spec.analysis.maxWeight', 'ignored when stepWeights is set (the last step is the maximum)')],
    ['maxWeight above 100', aCanary({ maxWeight: 150 }), 'istio', warn('spec.analysis.maxWeight', 'capped at 100')],
    ['A/B match on the kubernetes provider', aCanary({ stepWeight: undefined, iterations: 3, match: abMatch }), 'kubernetes',
      warn('spec.analysis.match', 'ignored by the kubernetes provider (Blue/Green only)')],
    ['a progressive canary on the kubernetes provider', aCanary(), 'kubernetes',
      warn('spec.analysis.iterations', 'the kubernetes provider runs Blue/Green only; 10 iterations are used')],
    ['session affinity on nginx', aCanary({ sessionAffinity: { cookieName: 'c' } }), 'nginx',
      warn('spec.analysis.sessionAffinity', 'ignored by the nginx provider')],
    ['mirroring in an A/B test', aCanary({ stepWeight: undefined, iterations: 3, mirror: true, match: abMatch }), 'istio',
      warn('spec.analysis.mirror', 'ignored by A/B testing')],
    ['mirroring a Blue/Green run on linkerd', aCanary({ stepWeight: undefined, iterations: 3, mirror: true }), 'linkerd',
      warn('spec.analysis.mirror', 'ignored by the linkerd provider')],
    ['a regex CORS origin on the Gateway API', aCanary({}, { service: { port: 9898, corsPolicy: { allowOrigins: [{ exact: 'https://a.example' }, { regex: '.*' }] } } }),
      'gatewayapi:v1', warn('spec.service.corsPolicy.allowOrigins[1]', 'ignored by the gatewayapi:v1 provider (the CORS filter takes exact origins only)')],
    ['an interval above 24h (stored before the CRD bounded it)', aCanary({ interval: '2000m' }), 'istio',
      warn('spec.analysis.interval', '"2000m" is above the 24h maximum; the analysis runs every 24h')],
    ['a metric interval above 24h', aCanary({ metrics: [{ name: 'request-success-rate', interval: '2000m' }] }), 'istio',
      warn('spec.analysis.metrics[0].interval', '"2000m" is above the 24h maximum; 24h is used')],
    ['a webhook timeout above 30m', aCanary({ webhooks: [{ name: 'w', url: 'http://t/', timeout: '90m' }] }), 'istio',
      warn('spec.analysis.webhooks[0].timeout', '"90m" is above the 30m maximum; 30m is used')],
    ['more than 10 webhook retries', aCanary({ webhooks: [{ name: 'w', url: 'http://t/', retries: 50 }] }), 'istio',
      warn('spec.analysis.webhooks[0].retries', '50 is above the maximum of 10; 10 is used')],
    ['a progress deadline above 7 days', aCanary({}, { progressDeadlineSeconds: 1_000_000 }), 'istio',
      warn('spec.progressDeadlineSeconds', '1000000 is above the maximum of 604800; 604800 is used')],
  ])('reports %s', (_case, canary, meshProvider, warning) => {
    expect(canaryWarnings(canary, meshProvider)).toEqual([warning]);
  });

  it('has nothing to say about a mirrored Blue/Green run on Istio or a mirrored canary on Istio', () => {
    expect(canaryWarnings(aCanary({ stepWeight: undefined, iterations: 3, mirror: true }), 'istio')).toEqual([]);
    expect(canaryWarnings(aCanary({ mirror: true }), 'istio')).toEqual([]);
  });
});

describe('parsing objects read from the apiserver', () => {
  it('turns schema violations into problems with apiserver-style field paths', () => {
    const result = parseCanary({ metadata: { name: 'x' }, spec: { targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'x' },
      analysis: { interval: '1h', threshold: 1, stepWeight: 10, webhooks: [{ name: 'w', url: 'http://t/', type: 'pre-flight' }] } } });
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.problems.map((p) => p.field)).toEqual(['spec.analysis.interval', 'spec.analysis.webhooks[0].type']);
  });

  it('keeps unknown fields of the Istio trafficPolicy (copied verbatim) and of metadata, and drops them elsewhere', () => {
    const result = parseCanary({
      metadata: { name: 'x', managedFields: [] },
      spec: { targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'x' }, unknownField: true,
        service: { port: 80, trafficPolicy: { connectionPool: { tcp: { maxConnections: 100 } }, portLevelSettings: [] } },
        analysis: { interval: '1m', threshold: 1, stepWeight: 10 } },
    });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.value.metadata).toHaveProperty('managedFields');
    expect(result.value.spec.service?.trafficPolicy).toEqual({ connectionPool: { tcp: { maxConnections: 100 } }, portLevelSettings: [] });
    expect(result.value.spec).not.toHaveProperty('unknownField');
  });

  it('accepts the Songbird extension fields onNoData and headersSecretRef', () => {
    const result = parseCanary({ metadata: { name: 'x' }, spec: { targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'x' }, service: { port: 80 },
      analysis: { interval: '1m', threshold: 1, stepWeight: 10, metrics: [{ name: 'request-success-rate', onNoData: 'skip' }],
        webhooks: [{ name: 'gate', type: 'confirm-rollout', url: 'https://gate.example.com/', headersSecretRef: { name: 'gate-token' } }] } } });
    expect(result.ok).toBe(true);
  });

  it('writes zod paths the way the apiserver does', () => {
    expect(fieldPath(['spec', 'analysis', 'webhooks', 0, 'url'])).toBe('spec.analysis.webhooks[0].url');
    expect(fieldPath([])).toBe('');
  });
});

describe('MetricTemplate and AlertProvider checks', () => {
  const template = (type: MetricTemplate['spec']['provider']['type']): MetricTemplate => ({ metadata: { name: 't' }, spec: { provider: { type }, query: 'up' } });
  const provider = (spec: AlertProvider['spec']): AlertProvider => ({ metadata: { name: 'p' }, spec });

  it('names a metric provider the operator does not implement', () => {
    expect(validateMetricTemplate(template('prometheus'), new Set(['prometheus']))).toEqual([]);
    expect(validateMetricTemplate(template('datadog'), new Set(['prometheus'])))
      .toEqual([{ field: 'spec.provider.type', message: 'metric provider datadog is not implemented yet' }]);
  });

  it('names an alert provider type the operator does not implement, and requires an address or a Secret', () => {
    expect(validateAlertProvider(provider({ type: 'slack', secretRef: { name: 's' } }), new Set(['slack']))).toEqual([]);
    expect(validateAlertProvider(provider({ type: 'gchat' }), new Set(['slack']))).toEqual([
      { field: 'spec.type', message: 'alert provider gchat is not implemented yet' },
      { field: 'spec', message: 'one of address or secretRef must be set' },
    ]);
  });
});
