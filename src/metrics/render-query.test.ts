import { describe, expect, it } from 'vitest';
import type { CanaryMetric } from '../api/canary-analysis.js';
import type { Canary } from '../api/canary.js';
import { RenderError } from './errors.js';
import { collapseWhitespace, queryModel, renderQuery, type QueryModel } from './render-query.js';

const model: QueryModel = {
  name: 'podinfo-canary',
  namespace: 'test',
  target: 'podinfo',
  service: 'podinfo-svc',
  ingress: 'podinfo-ingress',
  route: 'podinfo-route',
  interval: '30s',
  variables: { cluster: 'dev', consumer_group: 'my_consumer' },
};

function renderError(template: string, m: QueryModel = model): RenderError {
  try {
    renderQuery(template, m);
  } catch (error) {
    if (error instanceof RenderError) return error;
    throw error;
  }
  throw new Error(`rendered without error: ${template}`);
}

describe('renderQuery', () => {
  // Flagger pkg/metrics/observers/render_test.go Test_RenderQuery
  it('renders a template without variables (ok_without_variables)', () => {
    const flaggerModel = { ...model, name: 'standard', namespace: 'default', target: 'myapp', interval: '1m', variables: {} };
    expect(renderQuery('sum(envoy_cluster_upstream_rq{envoy_cluster_name=~"{{ namespace }}_{{ target }}"})', flaggerModel))
      .toBe('sum(envoy_cluster_upstream_rq{envoy_cluster_name=~"default_myapp"})');
  });

  it('renders template variables (ok_with_variables)', () => {
    const template = 'delta(max by (consumer_group) (kafka_consumer_current_offset{cluster="{{ variables.cluster }}", consumer_group="{{ variables.consumer_group }}"}[{{ interval }}]))';
    expect(renderQuery(template, { ...model, interval: '1m' }))
      .toBe('delta(max by (consumer_group) (kafka_consumer_current_offset{cluster="dev", consumer_group="my_consumer"}[1m]))');
  });

  it('fails on a variable that templateVariables does not define, naming it (missing_variable_key)', () => {
    const error = renderError('x{cluster="{{ variables.cluster }}"}', { ...model, variables: { invalid: 'dev', consumer_group: 'g' } });
    expect(error.field).toBe('variables.cluster');
    expect(error.message).toBe('unknown variable "cluster" in {{ variables.cluster }}: templateVariables has invalid, consumer_group');
    expect(error.code).toBe('RenderFailed');
  });

  it('fails on any variable when the metric has no templateVariables', () => {
    expect(renderError('{{ variables.cluster }}', { ...model, variables: {} }).message)
      .toBe('unknown variable "cluster" in {{ variables.cluster }}: templateVariables is empty');
  });

  it.each([
    ['{{ name }}', 'podinfo-canary'],
    ['{{ namespace }}', 'test'],
    ['{{ target }}', 'podinfo'],
    ['{{ service }}', 'podinfo-svc'],
    ['{{ ingress }}', 'podinfo-ingress'],
    ['{{ route }}', 'podinfo-route'],
    ['{{ interval }}', '30s'],
    ['{{ variables.cluster }}', 'dev'],
  ])('renders %s', (template, expected) => {
    expect(renderQuery(template, model)).toBe(expected);
  });

  it.each([
    ['no spaces', 'a{{target}}b', 'apodinfob'],
    ['several spaces', 'a{{    target   }}b', 'apodinfob'],
    ['newlines and tabs inside the braces', 'a{{\n\ttarget\n}}b', 'apodinfob'],
    ['a trim marker before', 'a  {{- target }}b', 'apodinfob'],
    ['a trim marker after', 'a{{ target -}}   b', 'apodinfob'],
    ['trim markers on both sides, across lines', 'x =\n  {{- target -}}\n  ;', 'x =podinfo;'],
    ['a comment', 'a{{/* the workload */}}b', 'ab'],
    ['a variable value with spaces', '{{ variables.v }}', 'one two'],
    ['a lone closing brace pair as text', 'a }} b', 'a }} b'],
    ['closing braces in the text right before an action', '}}{{ target }}', '}}podinfo'],
    ['a comment with dashes and spaces inside', 'a {{/* a - b */}} b', 'a b'],
    ['text glued to an action after its trim marker', '{{ target -}}_app by (pod)', 'podinfo_app by (pod)'],
  ])('accepts %s', (_name, template, expected) => {
    expect(renderQuery(template, { ...model, variables: { v: 'one   two' } })).toBe(expected);
  });

  it('collapses whitespace runs to one space and trims the ends, as Flagger sends queries', () => {
    expect(renderQuery('\n\tsum(\n\t\trate(x{ns="{{ namespace }}"}[{{ interval }}])\n\t)  \n', model))
      .toBe('sum( rate(x{ns="test"}[30s]) )');
  });

  it.each([
    ['{{ .name }}', '.name', '{{ .name }} is not supported: queries are rendered without data; write {{ name }}'],
    ['{{ .variables.cluster }}', '.variables.cluster',
      '{{ .variables.cluster }} is not supported: queries are rendered without data; write {{ variables.cluster }}'],
    ['{{ foo }}', 'foo', 'unknown field "foo" in {{ foo }}; use {{ name }}, {{ namespace }}, {{ target }}, {{ service }}, '
      + '{{ ingress }}, {{ route }}, {{ interval }} or {{ variables.<key> }}'],
    ['{{ variables }}', 'variables', '{{ variables }} needs a key: {{ variables.<key> }}'],
    ['{{ namespace | printf "%s" }}', 'namespace | printf "%s"', 'unsupported template action {{ namespace | printf "%s" }}; '
      + 'use {{ name }}, {{ namespace }}, {{ target }}, {{ service }}, {{ ingress }}, {{ route }}, {{ interval }} or {{ variables.<key> }}'],
    ['{{ variables.a.b }}', 'variables.a.b', expect.stringContaining('unsupported template action {{ variables.a.b }}')],
    ['{{ .foo }}', '.foo', '{{ .foo }} is not supported: queries are rendered without data; use {{ name }}, {{ namespace }}, {{ target }}, '
      + '{{ service }}, {{ ingress }}, {{ route }}, {{ interval }} or {{ variables.<key> }}'],
    ['{{/* a comment never closed }}', '/* a comment never closed', expect.stringContaining('unsupported template action {{ /* a comment never closed }}')],
    ['{{ target */}}', 'target */', expect.stringContaining('unsupported template action {{ target */ }}')],
  ])('rejects %s with an error naming it', (template, field, message) => {
    const error = renderError(template);
    expect(error.field).toBe(field);
    expect(error.message).toEqual(message);
  });

  it('rejects an unclosed action, naming no field', () => {
    const error = renderError('sum(x{ns="{{ namespace"})');
    expect([error.field, error.message]).toEqual(['', 'unclosed action at "{{ namespace"})"']);
  });
});

describe('collapseWhitespace', () => {
  it('joins lines like Flagger\'s trimQuery, without the leading space', () => {
    expect(collapseWhitespace('\n\tsum(\n\t\tx\n\t) \n')).toBe('sum( x )');
  });
});

function aCanary(spec: Partial<Canary['spec']> = {}): Canary {
  return {
    metadata: { name: 'podinfo', namespace: 'test' },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo-app' },
      analysis: { interval: '1m', threshold: 5, stepWeight: 10 },
      ...spec,
    },
  };
}

const metric: CanaryMetric = { name: 'error-rate', templateRef: { name: 'error-rate' } };

describe('queryModel', () => {
  it('defaults service, ingress and route to the target and the interval to 1m', () => {
    expect(queryModel(aCanary(), metric, 'istio')).toEqual({
      name: 'podinfo', namespace: 'test', target: 'podinfo-app', service: 'podinfo-app', ingress: 'podinfo-app',
      route: 'podinfo-app', interval: '1m', variables: {},
    });
  });

  it('takes service.name, ingressRef, routeRef, the metric interval and its variables', () => {
    const canary = aCanary({
      service: { port: 80, name: 'web' },
      ingressRef: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'web-ingress' },
      routeRef: { apiVersion: 'apisix.apache.org/v2', kind: 'ApisixRoute', name: 'web-route' },
    });
    const m = { ...metric, interval: '2m', templateVariables: { a: 'b' } };
    expect(queryModel(canary, m, 'nginx')).toMatchObject({ service: 'web', ingress: 'web-ingress', route: 'web-route', interval: '2m', variables: { a: 'b' } });
  });

  it('treats an empty service name and interval as unset', () => {
    expect(queryModel(aCanary({ service: { port: 80, name: '' } }), { ...metric, interval: '' }, 'istio'))
      .toMatchObject({ service: 'podinfo-app', interval: '1m' });
  });

  it('renders the latest Knative revision as the route', () => {
    expect(queryModel(aCanary(), metric, 'knative', 'podinfo-00002').route).toBe('podinfo-00002');
    expect(queryModel(aCanary(), metric, 'istio', 'podinfo-00002').route).toBe('podinfo-app');
  });

  it('takes the route from the target until Knative reports a revision', () => {
    expect(queryModel(aCanary(), metric, 'knative').route).toBe('podinfo-app');
  });

  it('renders an empty namespace for a Canary that names none', () => {
    const canary = aCanary();
    expect(queryModel({ ...canary, metadata: { name: 'podinfo' } }, metric, 'istio').namespace).toBe('');
  });
});
