import { describe, expect, it } from 'vitest';
import { filterByPrefixes, pickSelectorLabel, primaryLabels, primaryName, withoutKeys, withoutToolkitKeys } from './labels.js';

const selectorLabels = ['app', 'name', 'app.kubernetes.io/name'];

describe('pickSelectorLabel', () => {
  it.each([
    ['picks the first configured label present', { name: 'web', app: 'podinfo' }, { key: 'app', value: 'podinfo' }],
    ['falls back to a later configured label', { name: 'podinfo', tier: 'web' }, { key: 'name', value: 'podinfo' }],
    ['finds a prefixed label', { 'app.kubernetes.io/name': 'podinfo' }, { key: 'app.kubernetes.io/name', value: 'podinfo' }],
    ['finds nothing when no configured label is present', { tier: 'web' }, undefined],
    ['finds nothing without matchLabels', undefined, undefined],
    ['keeps an empty value', { app: '' }, { key: 'app', value: '' }],
  ])('%s', (_name, matchLabels, expected) => {
    expect(pickSelectorLabel(matchLabels, selectorLabels)).toEqual(expected);
  });
});

describe('filterByPrefixes', () => {
  const labels = { foo: 'foo-value', bar: 'bar-value', lorem: 'ipsum' };

  // Flagger pkg/canary/util_test.go TestIncludeLabelsByPrefix*
  it.each([
    ['keeps keys with a listed prefix', ['foo', 'lor'], { foo: 'foo-value', lorem: 'ipsum' }],
    ['keeps everything with the wildcard', ['*'], labels],
    ['keeps nothing with an empty prefix', [''], {}],
    ['keeps nothing with an empty list', [], {}],
  ])('%s', (_name, prefixes, expected) => {
    expect(filterByPrefixes(labels, prefixes)).toEqual(expected);
  });

  it('reads a missing map as empty', () => {
    expect(filterByPrefixes(undefined, ['*'])).toEqual({});
  });
});

describe('withoutToolkitKeys and withoutKeys', () => {
  it('drops every key containing toolkit.fluxcd.io', () => {
    const map = { 'kustomize.toolkit.fluxcd.io/checksum': 'x', 'helm.toolkit.fluxcd.io/driftDetection': 'y', app: 'podinfo' };
    expect(withoutToolkitKeys(map)).toEqual({ app: 'podinfo' });
  });

  it('drops the keys a predicate matches', () => {
    expect(withoutKeys({ a: '1', b: '2' }, (key) => key === 'a')).toEqual({ b: '2' });
  });

  it('returns a new map and leaves the input alone', () => {
    const map = { app: 'podinfo' };
    const result = withoutToolkitKeys(map);
    result.extra = 'x';
    expect(map).toEqual({ app: 'podinfo' });
  });
});

describe('primaryLabels', () => {
  // Flagger pkg/canary/util_test.go TestMakePrimaryLabels
  it('overrides the selector label and keeps the others', () => {
    expect(primaryLabels({ lorem: 'ipsum', foo: 'old-bar' }, { key: 'foo', value: 'new-bar' })).toEqual({ lorem: 'ipsum', foo: 'new-bar' });
  });

  it('drops toolkit keys and adds a missing selector label', () => {
    expect(primaryLabels({ 'kustomize.toolkit.fluxcd.io/name': 'apps' }, { key: 'app', value: 'podinfo-primary' })).toEqual({ app: 'podinfo-primary' });
  });

  it('names primaries with the -primary suffix', () => {
    expect(primaryName('podinfo')).toBe('podinfo-primary');
  });
});
