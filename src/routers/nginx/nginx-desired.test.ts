import { describe, expect, it } from 'vitest';
import type { AbMatch } from '../../api/istio-types.js';
import type { Ingress } from '../../kube/resources.js';
import {
  abAnnotations, canaryAnnotations, canaryIngressReconcilePatch, canaryRoutesPatch, copiedAnnotations, defaultIngressAnnotationsPrefix,
  desiredCanaryIngress, readNginxWeights, weightedAnnotations,
} from './nginx-desired.js';
import { nginxCanary, sourceIngress } from '../../../test/fixtures/nginx-fixtures.js';
import type { Weights } from '../router.js';

const P = 'nginx.ingress.kubernetes.io';
const split = (primary: number, canary: number): Weights => ({ primary, canary, mirrored: false });
type HeaderMatch = NonNullable<AbMatch['headers']>[string];
const header = (name: string, match: HeaderMatch): AbMatch => ({ headers: { [name]: match } });

describe('desiredCanaryIngress', () => {
  it('clones the source, points apex backends at the canary Service, keeps others, and is owned by the Canary', () => {
    const source = sourceIngress();
    const before = JSON.stringify(source);
    const ingress = desiredCanaryIngress(nginxCanary(), source, P, split(100, 0));
    expect(JSON.stringify(source)).toBe(before);
    expect([ingress.apiVersion, ingress.kind]).toEqual(['networking.k8s.io/v1', 'Ingress']);
    expect(ingress.metadata).toEqual({
      name: 'web-canary', namespace: 'default', labels: { app: 'podinfo' },
      annotations: { 'kubernetes.io/ingress.class': 'nginx', [`${P}/canary`]: 'true', [`${P}/canary-weight`]: '0' },
      ownerReferences: [{ apiVersion: 'flagger.app/v1beta1', kind: 'Canary', name: 'podinfo', uid: 'uid-podinfo', controller: true, blockOwnerDeletion: true }],
    });
    const paths = ingress.spec?.rules?.[0]?.http?.paths.map((p) => p.backend.service?.name);
    expect(paths).toEqual(['podinfo-canary', 'other']);
    expect(ingress.spec?.tls).toEqual(source.spec?.tls);
  });

  it('renames a defaultBackend naming the apex Service', () => {
    const source: Ingress = { metadata: { name: 'web', namespace: 'default' }, spec: { defaultBackend: { service: { name: 'podinfo', port: { number: 80 } } } } };
    expect(desiredCanaryIngress(nginxCanary(), source, P, split(100, 0)).spec?.defaultBackend?.service?.name).toBe('podinfo-canary');
  });

  it('gives the canary Ingress no labels when the source has none', () => {
    const { labels: _labels, ...metadata } = sourceIngress().metadata;
    expect(desiredCanaryIngress(nginxCanary(), { ...sourceIngress(), metadata }, P, split(100, 0)).metadata).not.toHaveProperty('labels');
  });

  it('renames the apex backend past host-only rules and leaves resource backends alone', () => {
    const source = sourceIngress();
    const resource = { path: '/files', pathType: 'Prefix', backend: { resource: { apiGroup: 'k8s.example.com', kind: 'Bucket', name: 'files' } } };
    const rules = [{ host: 'bare.example.com' }, { http: { paths: [resource] } }, ...(source.spec?.rules ?? [])];
    const spec = desiredCanaryIngress(nginxCanary(), { ...source, spec: { rules } }, P, split(100, 0)).spec;
    expect(spec?.rules?.slice(0, 2)).toEqual([{ host: 'bare.example.com' }, { http: { paths: [resource] } }]);
    expect(spec?.rules?.[2]?.http?.paths.map((p) => p.backend.service?.name)).toEqual(['podinfo-canary', 'other']);
  });

  it.each([
    ['no rules', { metadata: { name: 'web', namespace: 'default' }, spec: {} }],
    ['rules naming another Service', sourceIngress({ backend: 'frontend' })],
  ] as [string, Ingress][])('throws naming the Ingress and the Service when no backend names the apex Service (%s)', (_, source) => {
    expect(() => desiredCanaryIngress(nginxCanary(), source, P, split(100, 0))).toThrow(expect.objectContaining({
      field: 'spec.ingressRef', message: 'spec.ingressRef: Ingress web.default has no backend naming the Service podinfo',
    }));
  });

  it('names the Ingress without a namespace when the source has none', () => {
    const { namespace: _ns, ...metadata } = sourceIngress({ backend: 'frontend' }).metadata;
    expect(() => desiredCanaryIngress(nginxCanary(), { ...sourceIngress({ backend: 'frontend' }), metadata }, P, split(100, 0)))
      .toThrow('spec.ingressRef: Ingress web. has no backend naming the Service podinfo');
  });

  it('leaves the namespace of the canary Ingress empty when the Canary has none', () => {
    const { namespace: _ns, ...metadata } = nginxCanary().metadata;
    expect(desiredCanaryIngress({ ...nginxCanary(), metadata }, sourceIngress(), P, split(100, 0)).metadata.namespace).toBe('');
  });

  it.each([
    ['no ingressRef', undefined],
    ['an ingressRef with an empty name', { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: '' }],
  ] as const)('throws when the Canary has %s', (_, ingressRef) => {
    const { ingressRef: _ref, ...spec } = nginxCanary().spec;
    const canary = { ...nginxCanary(), spec: ingressRef === undefined ? spec : { ...spec, ingressRef } };
    expect(() => desiredCanaryIngress(canary, sourceIngress(), P, split(100, 0))).toThrow('ingress selector is empty: the nginx provider needs spec.ingressRef');
  });
});

describe('copiedAnnotations', () => {
  it.each([
    ['drops toolkit keys, kubectl last-applied and <prefix>/canary*', P,
      { a: '1', 'kustomize.toolkit.fluxcd.io/reconcile': 'disabled', 'kubectl.kubernetes.io/last-applied-configuration': '{}', [`${P}/canary-by-header`]: 'x', [`${P}/rewrite-target`]: '/' },
      { a: '1', [`${P}/rewrite-target`]: '/' }],
    ['follows the prefix', 'example.com',
      { 'example.com/canary-weight': '5', [`${P}/canary`]: 'true' }, { [`${P}/canary`]: 'true' }],
  ])('%s', (_, prefix, annotations, expected) => {
    expect(copiedAnnotations({ metadata: { name: 'web', annotations } }, prefix)).toEqual(expected);
  });
});

describe('canary annotations for the mode in force', () => {
  const userHeader = { [`${P}/canary-by-header`]: 'x-canary', [`${P}/canary-by-header-value`]: 'me', [`${P}/canary-by-header-pattern`]: '^t.*' };
  it.each([
    ['weighted', 30, {}, { [`${P}/canary`]: 'true', [`${P}/canary-weight`]: '30' }],
    ['weighted at 0', 0, {}, { [`${P}/canary`]: 'true', [`${P}/canary-weight`]: '0' }],
    ["weighted keeps the user's header annotations", 20, { ...userHeader, [`${P}/canary-by-cookie`]: 'c' }, { ...userHeader, [`${P}/canary`]: 'true', [`${P}/canary-weight`]: '20' }],
    ["weighted at 0 leaves the user's header out", 0, userHeader, { [`${P}/canary`]: 'true', [`${P}/canary-weight`]: '0' }],
  ])('%s', (_, weight, source, expected) => {
    expect(weightedAnnotations(P, weight, source)).toEqual(expected);
  });

  it.each([
    ['header exact', [header('x-user', { exact: 'insider' })], { [`${P}/canary-by-header`]: 'x-user', [`${P}/canary-by-header-value`]: 'insider' }],
    ['header regex', [header('x-user', { regex: '^ins.*' })], { [`${P}/canary-by-header`]: 'x-user', [`${P}/canary-by-header-pattern`]: '^ins.*' }],
    ['header prefix', [header('x-user', { prefix: 'a.b' })], { [`${P}/canary-by-header`]: 'x-user', [`${P}/canary-by-header-pattern`]: '^a\\.b.*' }],
    ['header suffix', [header('x-user', { suffix: '+1' })], { [`${P}/canary-by-header`]: 'x-user', [`${P}/canary-by-header-pattern`]: '.*\\+1$' }],
    ['cookie exact', [header('cookie', { exact: 'canary' })], { [`${P}/canary-by-cookie`]: 'canary' }],
    ['cookie regex is a header match', [header('cookie', { regex: '.*canary=always.*' })], { [`${P}/canary-by-header`]: 'cookie', [`${P}/canary-by-header-pattern`]: '.*canary=always.*' }],
    ['last header wins, cookie alongside', [header('x-a', { exact: '1' }), header('cookie', { exact: 'c' }), header('x-b', { regex: 'r' })],
      { [`${P}/canary-by-header`]: 'x-b', [`${P}/canary-by-header-pattern`]: 'r', [`${P}/canary-by-cookie`]: 'c' }],
  ] as [string, AbMatch[], Record<string, string>][])('A/B %s', (_, match, expected) => {
    expect(abAnnotations(match, P)).toEqual({ [`${P}/canary`]: 'true', ...expected });
  });

  it('A/B on a header with no value condition routes by the header alone, with no pattern key', () => {
    expect(abAnnotations([header('x-user', {})], P)).toStrictEqual({ [`${P}/canary`]: 'true', [`${P}/canary-by-header`]: 'x-user' });
  });

  it('writes the NGINX annotation prefix by default', () => {
    expect(weightedAnnotations(defaultIngressAnnotationsPrefix, 10, {})).toEqual({
      'nginx.ingress.kubernetes.io/canary': 'true', 'nginx.ingress.kubernetes.io/canary-weight': '10',
    });
  });

  it('A/B mode ignores the weight and the user annotations: built from scratch', () => {
    const canary = nginxCanary({ match: [header('x-user', { exact: 'insider' })] });
    const source = sourceIngress({ annotations: { [`${P}/canary-by-header-pattern`]: 'stale', [`${P}/canary-weight`]: '50' } });
    expect(canaryAnnotations(canary, source, P, split(0, 100))).toEqual({
      [`${P}/canary`]: 'true', [`${P}/canary-by-header`]: 'x-user', [`${P}/canary-by-header-value`]: 'insider',
    });
  });

  it('A/B at canary weight 0 (created, promoted, rolled back) routes no header or cookie to the canary, as Flagger', () => {
    const canary = nginxCanary({ match: [header('x-user', { exact: 'insider' }), header('cookie', { exact: 'canary' })] });
    const source = sourceIngress({ annotations: { [`${P}/canary-by-header`]: 'x-user' } });
    const atZero = { [`${P}/canary`]: 'true', [`${P}/canary-weight`]: '0' };
    const created = desiredCanaryIngress(canary, source, P, split(100, 0));
    expect(created.metadata.annotations).toMatchObject(atZero);
    expect(created.metadata.annotations).not.toHaveProperty([`${P}/canary-by-header`]);
    expect(readNginxWeights(canary, created, P)).toEqual(split(100, 0));
    const during = { ...created, metadata: { ...created.metadata, annotations: canaryAnnotations(canary, source, P, split(0, 100)) } };
    expect(readNginxWeights(canary, during, P)).toEqual(split(0, 100));
    expect(canaryRoutesPatch(during, canaryAnnotations(canary, source, P, split(100, 0)), P)).toEqual({
      metadata: { resourceVersion: undefined, annotations: { [`${P}/canary-by-header`]: null, [`${P}/canary-by-header-value`]: null, [`${P}/canary-by-cookie`]: null, [`${P}/canary-weight`]: '0' } },
    });
  });

  it('follows the annotation prefix', () => {
    const source = sourceIngress({ annotations: { 'custom.io/canary-by-header': 'x', [`${P}/canary-by-header`]: 'y' } });
    expect(canaryAnnotations(nginxCanary(), source, 'custom.io', split(90, 10))).toEqual({
      'custom.io/canary': 'true', 'custom.io/canary-weight': '10', 'custom.io/canary-by-header': 'x',
    });
  });
});

describe('readNginxWeights', () => {
  const ingress = (annotations: Record<string, string>): Ingress => ({ metadata: { name: 'web-canary', namespace: 'default', annotations } });
  const ab = nginxCanary({ match: [header('x-user', { exact: 'insider' })] });
  it.each([
    ['weighted', nginxCanary(), { [`${P}/canary-weight`]: '40' }, split(60, 40)],
    ['no weight annotation', nginxCanary(), {}, split(100, 0)],
    ['weighted with a user header', nginxCanary(), { [`${P}/canary-weight`]: '20', [`${P}/canary-by-header`]: 'x' }, split(80, 20)],
    ['A/B by header', ab, { [`${P}/canary-by-header`]: 'x-user' }, split(0, 100)],
    ['A/B by cookie', ab, { [`${P}/canary-by-cookie`]: 'c' }, split(0, 100)],
    ['A/B not routed yet', ab, { [`${P}/canary-weight`]: '0' }, split(100, 0)],
    ['all traffic to the canary by weight', nginxCanary(), { [`${P}/canary-weight`]: '100' }, split(0, 100)],
  ])('%s', (_, canary, annotations, expected) => {
    expect(readNginxWeights(canary, ingress(annotations), P)).toEqual(expected);
  });

  it.each(['abc', '101', '-1', '1.5'])('throws on canary-weight %j', (weight) => {
    expect(() => readNginxWeights(nginxCanary(), ingress({ [`${P}/canary-weight`]: weight }), P))
      .toThrow(`Ingress web-canary.default has an invalid ${P}/canary-weight "${weight}"`);
  });

  it('names an invalid canary-weight Ingress without a namespace when it has none', () => {
    const bare: Ingress = { metadata: { name: 'web-canary', annotations: { [`${P}/canary-weight`]: 'x' } } };
    expect(() => readNginxWeights(nginxCanary(), bare, P)).toThrow(`Ingress web-canary. has an invalid ${P}/canary-weight "x"`);
  });
});

describe('patches', () => {
  const existing = (): Ingress => desiredCanaryIngress(nginxCanary(), sourceIngress(), P, split(70, 30));

  it('reconcile: nothing when only the split differs', () => {
    const desired = desiredCanaryIngress(nginxCanary(), sourceIngress(), P, split(100, 0));
    expect(canaryIngressReconcilePatch(existing(), desired, P)).toBeUndefined();
  });

  it('reconcile: spec, labels and inherited annotations, never <prefix>/canary*', () => {
    const source = sourceIngress({ annotations: { 'kubernetes.io/ingress.class': 'public', [`${P}/canary-weight`]: '99' }, host: 'new.example.com' });
    const desired = desiredCanaryIngress(nginxCanary(), { ...source, metadata: { ...source.metadata, labels: { app: 'web' } } }, P, split(100, 0));
    expect(canaryIngressReconcilePatch(existing(), desired, P)).toEqual({
      metadata: { labels: { app: 'web' }, annotations: { 'kubernetes.io/ingress.class': 'public' } },
      spec: { rules: desired.spec?.rules, tls: desired.spec?.tls },
    });
  });

  it('reconcile: patches only the spec field that changed', () => {
    const source = sourceIngress();
    const desired = desiredCanaryIngress(nginxCanary(), { ...source, spec: { ...source.spec, ingressClassName: 'nginx' } }, P, split(100, 0));
    expect(canaryIngressReconcilePatch(existing(), desired, P)).toEqual({ spec: { ingressClassName: 'nginx' } });
  });

  it('reconcile: writes the whole spec onto a canary Ingress that has none', () => {
    const { spec: _spec, ...bare } = existing();
    const desired = existing();
    expect(canaryIngressReconcilePatch(bare, desired, P)).toEqual({ spec: desired.spec });
  });

  it('routes: only changed canary annotations, with the resourceVersion; nothing when equal', () => {
    const current = { ...existing(), metadata: { ...existing().metadata, resourceVersion: '7' } };
    expect(canaryRoutesPatch(current, weightedAnnotations(P, 30, {}), P)).toBeUndefined();
    expect(canaryRoutesPatch(current, abAnnotations([header('x', { exact: 'y' })], P), P)).toEqual({
      metadata: { resourceVersion: '7', annotations: { [`${P}/canary-weight`]: null, [`${P}/canary-by-header`]: 'x', [`${P}/canary-by-header-value`]: 'y' } },
    });
  });
});
