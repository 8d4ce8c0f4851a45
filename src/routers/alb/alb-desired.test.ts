import { describe, expect, it } from 'vitest';
import type { CanaryAnalysis } from '../../api/canary-analysis.js';
import type { Canary } from '../../api/canary.js';
import type { Ingress } from '../../kube/resources.js';
import { compareWeights, cloudWatchDimension, loadBalancerNameOf } from './alb-aws.js';
import { albConditions, checkEvaluations, headerRouteCount, isHeaderRoute, pathEvaluations, withHeaderRoutes } from './alb-conditions.js';
import { albActionName, albForwardAction, albIngressName, readAlbWeights, sameAction } from './alb-desired.js';

function albCanary(analysis: Partial<CanaryAnalysis> = {}): Canary {
  return {
    apiVersion: 'flagger.app/v1beta1', kind: 'Canary', metadata: { name: 'podinfo', namespace: 'shop' },
    spec: {
      provider: 'alb', targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
      ingressRef: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'web' },
      service: { port: 9898 }, analysis: { interval: '1m', threshold: 5, stepWeight: 10, maxWeight: 50, ...analysis },
    },
  };
}

function ingress(paths: { path?: string; backend: string; port?: 'use-annotation' | number }[], host?: string): Ingress {
  return {
    apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web', namespace: 'shop' },
    spec: {
      ingressClassName: 'alb',
      rules: [{
        ...(host === undefined ? {} : { host }),
        http: {
          paths: paths.map((p) => ({
            path: p.path ?? '/', pathType: 'Prefix',
            backend: { service: { name: p.backend, port: p.port === undefined || p.port === 'use-annotation' ? { name: 'use-annotation' } : { number: p.port } } },
          })),
        },
      }],
    },
  };
}

describe('albForwardAction', () => {
  it.each<[string, Partial<CanaryAnalysis>, [number, number], object]>([
    ['all to the primary', {}, [100, 0], { enabled: false }],
    ['a 90/10 split', {}, [90, 10], { enabled: false }],
    ['sticky sessions for maxAge seconds', { sessionAffinity: { cookieName: 'c', maxAge: 3600 } }, [80, 20], { enabled: true, durationSeconds: 3600 }],
    ['sticky sessions for a day by default', { sessionAffinity: { cookieName: 'c' } }, [80, 20], { enabled: true, durationSeconds: 86_400 }],
    ['stickiness clamped to AWS\'s 7 days', { sessionAffinity: { cookieName: 'c', maxAge: 10_000_000 } }, [50, 50], { enabled: true, durationSeconds: 604_800 }],
    ['stickiness of at least 1 s', { sessionAffinity: { cookieName: 'c', maxAge: 0 } }, [50, 50], { enabled: true, durationSeconds: 1 }],
  ])('builds %s', (_name, analysis, [primary, canary], stickiness) => {
    expect(albForwardAction(albCanary(analysis), { primary, canary })).toEqual({
      type: 'forward',
      forwardConfig: {
        targetGroups: [
          { serviceName: 'podinfo-primary', servicePort: '9898', weight: primary }, { serviceName: 'podinfo-canary', servicePort: '9898', weight: canary },
        ],
        targetGroupStickinessConfig: stickiness,
      },
    });
  });

  it('leaves the port empty rather than inventing one when the Canary declares no service', () => {
    const { service: _service, ...spec } = albCanary().spec;
    const groups = albForwardAction({ ...albCanary(), spec }, { primary: 100, canary: 0 }).forwardConfig.targetGroups;
    expect(groups.map((g) => g.servicePort)).toEqual(['', '']);
  });
});

describe('albIngressName', () => {
  it('names the ingressRef Ingress', () => {
    expect(albIngressName(albCanary())).toBe('web');
  });

  it.each<[string, Canary['spec']['ingressRef']]>([
    ['no ingressRef', undefined],
    ['an ingressRef with an empty name', { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: '' }],
  ])('refuses a Canary with %s', (_name, ingressRef) => {
    const { ingressRef: _ref, ...spec } = albCanary().spec;
    const canary: Canary = { ...albCanary(), spec: ingressRef === undefined ? spec : { ...spec, ingressRef } };
    expect(() => albIngressName(canary)).toThrow('the alb provider needs spec.ingressRef naming the ALB Ingress');
  });
});

describe('readAlbWeights', () => {
  const canary = albCanary();
  it.each<[string, string | undefined, object | undefined]>([
    ['no annotation', undefined, undefined],
    ['our own action', JSON.stringify(albForwardAction(canary, { primary: 70, canary: 30 })), { primary: 70, canary: 30, mirrored: false }],
    ['a user action naming the apex Service', '{"type":"forward","forwardConfig":{"targetGroups":[{"serviceName":"podinfo","servicePort":"80","weight":100}]}}', undefined],
    ['a fixed response', '{"type":"fixed-response","fixedResponseConfig":{"statusCode":"503"}}', undefined],
    ['a forward action with no target groups yet', '{"type":"forward","forwardConfig":{}}', undefined],
    ['an action forwarding to the primary but not the canary',
      '{"type":"forward","forwardConfig":{"targetGroups":[{"serviceName":"podinfo-primary","servicePort":"9898","weight":100}]}}', undefined],
    ['an action forwarding to the canary but not the primary',
      '{"type":"forward","forwardConfig":{"targetGroups":[{"serviceName":"podinfo-canary","servicePort":"9898","weight":100}]}}', undefined],
  ])('reads %s', (_name, value, expected) => {
    expect(readAlbWeights(canary, value)).toEqual(expected);
  });

  it('refuses an annotation that is not JSON instead of overwriting it silently', () => {
    expect(() => readAlbWeights(canary, '{type: forward')).toThrow('the ALB action annotation is not valid JSON: {type: forward');
  });

  it('quotes at most 120 characters of a long annotation that is not JSON', () => {
    const value = `{${'x'.repeat(200)}`;
    expect(() => readAlbWeights(canary, value)).toThrow(new Error(`the ALB action annotation is not valid JSON: ${value.slice(0, 120)}`));
  });

  it('compares actions by value, not by key order', () => {
    const action = albForwardAction(canary, { primary: 100, canary: 0 });
    expect(sameAction('{"forwardConfig":' + JSON.stringify(action.forwardConfig) + ',"type":"forward"}', action)).toBe(true);
    expect(sameAction(JSON.stringify(albForwardAction(canary, { primary: 90, canary: 10 })), action)).toBe(false);
  });

  it('treats an absent or hand-broken annotation as not yet holding the desired action', () => {
    const action = albForwardAction(canary, { primary: 100, canary: 0 });
    expect(sameAction(undefined, action)).toBe(false);
    expect(sameAction('{"type":"forward"', action)).toBe(false);
  });
});

describe('albActionName', () => {
  it.each<[string, Ingress, string]>([
    ['the use-annotation backend', ingress([{ backend: 'weighted' }]), 'weighted'],
    ['the first use-annotation backend after a plain one', ingress([{ path: '/static', backend: 'cdn', port: 80 }, { backend: 'weighted' }]), 'weighted'],
    ['the weighted action behind a header route', ingress([{ backend: 'weighted-canary-route-0' }, { backend: 'weighted' }]), 'weighted'],
  ])('finds %s', (_name, source, expected) => {
    expect(albActionName(albCanary(), source, isHeaderRoute)).toBe(expected);
  });

  it('finds the action past host-only rules and resource backends', () => {
    const source = ingress([{ backend: 'weighted' }]);
    const rules = [{ host: 'static.example.com' }, { http: { paths: [{ path: '/files', pathType: 'Prefix', backend: { resource: { kind: 'Bucket', name: 'files' } } }] } },
      ...(source.spec?.rules ?? [])];
    expect(albActionName(albCanary(), { ...source, spec: { rules } }, isHeaderRoute)).toBe('weighted');
  });

  it.each<[string, Ingress]>([
    ['no backend uses an annotation', ingress([{ backend: 'podinfo', port: 80 }])],
    ['the Ingress has no rules', { ...ingress([]), spec: { defaultBackend: { service: { name: 'podinfo', port: { number: 80 } } } } }],
    ['the Ingress has no spec', { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web', namespace: 'shop' } }],
  ])('names the ingressRef field and the Ingress when %s', (_name, source) => {
    expect(() => albActionName(albCanary(), source, isHeaderRoute)).toThrow(expect.objectContaining({
      field: 'spec.ingressRef',
      message: 'spec.ingressRef: Ingress web.shop has no rule backend with port.name: use-annotation; the alb provider drives the action that backend names',
    }));
  });

  it('names the Ingress without a namespace when the Canary has none', () => {
    const canary = albCanary();
    const { namespace: _ns, ...metadata } = canary.metadata;
    expect(() => albActionName({ ...canary, metadata }, ingress([{ backend: 'podinfo', port: 80 }]), isHeaderRoute))
      .toThrow('spec.ingressRef: Ingress web. has no rule backend with port.name: use-annotation');
  });
});

describe('albConditions', () => {
  it.each<[string, NonNullable<CanaryAnalysis['match']>[number], object[]]>([
    ['an exact header', { headers: { 'x-canary': { exact: 'insider' } } }, [{ field: 'http-header', httpHeaderConfig: { httpHeaderName: 'x-canary', values: ['insider'] } }]],
    ['a header prefix as a wildcard', { headers: { 'user-agent': { prefix: 'Mozilla' } } }, [{ field: 'http-header', httpHeaderConfig: { httpHeaderName: 'user-agent', values: ['Mozilla*'] } }]],
    ['a header suffix as a wildcard', { headers: { host: { suffix: '.example.com' } } }, [{ field: 'http-header', httpHeaderConfig: { httpHeaderName: 'host', values: ['*.example.com'] } }]],
    ['a canary cookie as NGINX reads it', { headers: { cookie: { exact: 'canary' } } }, [{ field: 'http-header', httpHeaderConfig: { httpHeaderName: 'Cookie', values: ['*canary=always*'] } }]],
    ['a query parameter', { queryParams: { beta: { exact: 'on' } } }, [{ field: 'query-string', queryStringConfig: { values: [{ key: 'beta', value: 'on' }] } }]],
  ])('turns %s into an ALB condition', (_name, match, expected) => {
    expect(albConditions(match, 0)).toEqual(expected);
  });

  it.each<[string, NonNullable<CanaryAnalysis['match']>[number], string]>([
    ['a regex', { headers: { 'x-canary': { regex: '^ins.*' } } }, 'spec.analysis.match[2].headers.x-canary: ALB matches exact values and * or ? wildcards, not regular expressions'],
    ['source labels', { sourceLabels: { app: 'web' } }, 'spec.analysis.match[2].sourceLabels: the alb provider cannot match on source labels'],
    ['an empty match', {}, 'spec.analysis.match[2]: an A/B match for the alb provider needs headers or queryParams'],
  ])('rejects %s, naming the field', (_name, match, message) => {
    expect(() => albConditions(match, 2)).toThrow(message);
  });

  it.each<[string, number, { host?: boolean; paths?: number }, string | undefined]>([
    ['5 evaluations (host, path, 3 headers)', 3, { host: true, paths: 1 }, undefined],
    ['6 evaluations (host, path, 4 headers)', 4, { host: true, paths: 1 }, '6 (host 1, path 1, conditions 4)'],
    ['6 evaluations (host, a prefix path as two patterns, 3 headers)', 3, { host: true, paths: 2 }, '6 (host 1, path 2, conditions 3)'],
    ['5 headers on a hostless, pathless rule', 5, {}, undefined],
  ])('checks ALB\'s limit: %s', (_name, headers, rule, needs) => {
    const conditions = albConditions({ headers: Object.fromEntries(Array.from({ length: headers }, (_, i) => [`h${i}`, { exact: 'x' }])) }, 0);
    const check = (): void => checkEvaluations(conditions, rule, 'spec.analysis.match[0]');
    if (needs === undefined) expect(check).not.toThrow();
    else expect(check).toThrow(`spec.analysis.match[0]: ALB allows 5 match evaluations per rule and this header route needs ${needs}`);
  });

  it.each<[string, { path?: string; pathType: string }, number]>([
    ['the root prefix, one pattern /*', { path: '/', pathType: 'Prefix' }, 1],
    ['a prefix, two patterns /api and /api/*', { path: '/api', pathType: 'Prefix' }, 2],
    ['a prefix with a trailing slash', { path: '/api/', pathType: 'Prefix' }, 2],
    ['an exact path', { path: '/api', pathType: 'Exact' }, 1],
    ['an implementation-specific pattern', { path: '/api/*', pathType: 'ImplementationSpecific' }, 1],
    ['no path', { pathType: 'ImplementationSpecific' }, 0],
  ])('counts the path-pattern values the controller makes of %s', (_name, path, count) => {
    expect(pathEvaluations(path)).toBe(count);
  });
});

describe('withHeaderRoutes', () => {
  it('puts one header route per match entry before the weighted path, and removes them again', () => {
    const source = ingress([{ path: '/static', backend: 'cdn', port: 80 }, { backend: 'weighted' }]);
    const routed: Ingress = { ...source, spec: { ...source.spec, rules: withHeaderRoutes(source, 'weighted', 2) } };
    expect(routed.spec?.rules?.[0]?.http?.paths.map((p) => p.backend.service?.name)).toEqual(['cdn', 'weighted-canary-route-0', 'weighted-canary-route-1', 'weighted']);
    expect(headerRouteCount(routed, 'weighted')).toBe(2);
    expect(withHeaderRoutes(routed, 'weighted', 0)).toEqual(source.spec?.rules);
    expect(source.spec?.rules?.[0]?.http?.paths).toHaveLength(2);
  });
});

describe('compareWeights and CloudWatch dimensions', () => {
  it.each<[string, { primary: number; canary: number }[], { primary: number; canary: number }[], object]>([
    ['applied weights', [{ primary: 90, canary: 10 }], [{ primary: 90, canary: 10 }], { state: 'applied' }],
    ['weights AWS has not applied', [{ primary: 90, canary: 10 }], [{ primary: 100, canary: 0 }], { state: 'pending', reason: 'waiting for ALB weights 90/10, AWS has 100/0' }],
    ['no rule yet', [{ primary: 100, canary: 0 }], [], { state: 'pending', reason: 'waiting for ALB weights 100/0, AWS has no rule forwarding to both target groups' }],
    ['a missing header route', [{ primary: 100, canary: 0 }, { primary: 0, canary: 100 }], [{ primary: 100, canary: 0 }],
      { state: 'pending', reason: 'waiting for ALB weights 0/100 and 100/0, AWS has 100/0' }],
    ['a header route AWS still has', [{ primary: 100, canary: 0 }], [{ primary: 100, canary: 0 }, { primary: 0, canary: 100 }],
      { state: 'pending', reason: 'waiting for ALB weights 100/0, AWS has 0/100 and 100/0' }],
  ])('compares %s', (_name, desired, applied, expected) => {
    expect(compareWeights(desired, applied)).toEqual(expected);
  });

  it.each([
    ['arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188', 'app/web/50dc6c495c0c9188'],
    ['arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/canary/943f017f100becff', 'targetgroup/canary/943f017f100becff'],
  ])('turns %s into the dimension %s', (arn, dimension) => {
    expect(cloudWatchDimension(arn)).toBe(dimension);
  });
});

describe('loadBalancerNameOf', () => {
  it.each([
    ['k8s-shop-web-1a2b3c4d.eu-west-1.elb.amazonaws.com', 'k8s-shop-web'],
    ['internal-k8s-shop-web-1a2b3c4d.eu-west-1.elb.amazonaws.com', 'k8s-shop-web'],
    ['podinfo-1.us-east-1.elb.amazonaws.com', 'podinfo'],
    ['alb.example.com', undefined],
  ])('reads the load balancer name in %s', (dnsName, name) => {
    expect(loadBalancerNameOf(dnsName)).toBe(name);
  });
});
