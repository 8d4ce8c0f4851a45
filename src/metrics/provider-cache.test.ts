import { describe, expect, it } from 'vitest';
import type { MetricTemplate } from '../api/metric-template.js';
import { ProviderCache, serverProviderKey, templateProviderKey } from './provider-cache.js';

const template = (meta: Partial<MetricTemplate['metadata']>): MetricTemplate => ({
  metadata: { name: 'error-rate', namespace: 'test', ...meta },
  spec: { provider: { type: 'prometheus', address: 'http://prometheus:9090' }, query: 'x' },
});

describe('ProviderCache', () => {
  it('builds once per key and version, and replaces the entry when the version changes', () => {
    const cache = new ProviderCache<{ n: number }>();
    let n = 0;
    const build = (): { n: number } => ({ n: ++n });
    const first = cache.get({ id: 'a', version: '1' }, build);
    expect(cache.get({ id: 'a', version: '1' }, build)).toBe(first);
    const second = cache.get({ id: 'a', version: '2' }, build);
    expect(second).toEqual({ n: 2 });
    expect(cache.get({ id: 'a', version: '2' }, build)).toBe(second);
    expect(cache.size).toBe(1);
  });

  it('caches nothing when the build throws, so the next call tries again', () => {
    const cache = new ProviderCache<string>();
    expect(() => cache.get({ id: 'a', version: '1' }, () => { throw new Error('no password'); })).toThrow('no password');
    expect(cache.size).toBe(0);
    expect(cache.get({ id: 'a', version: '1' }, () => 'ok')).toBe('ok');
  });

  it('drops an entry on request', () => {
    const cache = new ProviderCache<string>();
    cache.get({ id: 'a', version: '1' }, () => 'x');
    expect(cache.delete('a')).toBe(true);
    expect(cache.delete('a')).toBe(false);
    expect(cache.size).toBe(0);
  });
});

describe('provider keys', () => {
  it('keys a template by uid, versioned by its resourceVersion and its Secret\'s', () => {
    const secret = { metadata: { name: 's', resourceVersion: '90' } };
    expect(templateProviderKey(template({ uid: 'a1b2', resourceVersion: '812' }), secret)).toEqual({ id: 'template:a1b2', version: '812/90' });
    expect(templateProviderKey(template({ uid: 'a1b2', resourceVersion: '812' }), undefined)).toEqual({ id: 'template:a1b2', version: '812/-' });
  });

  it('keys a template without uid by namespace and name', () => {
    expect(templateProviderKey(template({}), undefined)).toEqual({ id: 'template:test/error-rate', version: '/-' });
  });

  it('keys a metrics server by its address', () => {
    expect(serverProviderKey('http://prometheus:9090')).toEqual({ id: 'server:http://prometheus:9090', version: '' });
  });
});
