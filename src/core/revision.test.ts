import { describe, expect, it } from 'vitest';
import type { ConfigMap, Secret } from '../kube/resources.js';
import {
  canonicalJson, configChecksum, daemonSetTemplateHash, hasTargetChanged, haveConfigsChanged, podTemplateHash, promotionId, revisionChecksum,
} from './revision.js';

const configMap = (data?: Record<string, string>, binaryData?: Record<string, string>): ConfigMap =>
  ({ metadata: { name: 'podinfo-config' }, data, binaryData });
const secret = (data?: Record<string, string>, stringData?: Record<string, string>): Secret =>
  ({ metadata: { name: 'podinfo-secret' }, type: 'Opaque', data, stringData });

describe('canonicalJson', () => {
  it.each([
    ['sorts keys at every depth', { b: 1, a: { d: 2, c: 3 } }, '{"a":{"c":3,"d":2},"b":1}'],
    ['drops undefined properties', { a: undefined, b: null }, '{"b":null}'],
    ['keeps array order and renders undefined items as null', [3, undefined, { z: 1, y: 2 }], '[3,null,{"y":2,"z":1}]'],
    ['renders a top-level undefined as null', undefined, 'null'],
    ['renders scalars as JSON does', 'text', '"text"'],
    ['renders dates through toJSON', { at: new Date('2024-05-01T10:00:00Z') }, '{"at":"2024-05-01T10:00:00.000Z"}'],
  ])('%s', (_name, value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
  });
});

describe('podTemplateHash', () => {
  const template = { metadata: { labels: { app: 'podinfo' } }, spec: { containers: [{ name: 'podinfo', image: 'podinfo:1.0' }] } };

  it('is 16 hex characters', () => {
    expect(podTemplateHash(template)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('does not depend on key order', () => {
    const reordered = { spec: { containers: [{ image: 'podinfo:1.0', name: 'podinfo' }] }, metadata: { labels: { app: 'podinfo' } } };
    expect(podTemplateHash(reordered)).toBe(podTemplateHash(template));
  });

  it.each([
    ['an image change', { ...template, spec: { containers: [{ name: 'podinfo', image: 'podinfo:2.0' }] } }],
    ['a template annotation change', { ...template, metadata: { ...template.metadata, annotations: { bump: '1' } } }],
  ])('changes with %s', (_name, changed) => {
    expect(podTemplateHash(changed)).not.toBe(podTemplateHash(template));
  });
});

describe('configChecksum', () => {
  it.each([
    ['a ConfigMap with data only', configMap({ color: 'blue', 'a<b': 'x&y>z', ünï: '\u2028' }), '648ab597c6d02085'],
    ['a ConfigMap without data', configMap(), '74234e98afe7498f'],
    ['a Secret with data only', secret({ apiKey: Buffer.from('secret').toString('base64') }), '7af53497a7b054bc'],
    ['a ConfigMap with an empty binaryData', configMap({ color: 'blue', 'a<b': 'x&y>z', ünï: '\u2028' }, {}), '648ab597c6d02085'],
  ])('equals Flagger\'s checksum for %s', (_name, config, expected) => {
    expect(configChecksum(config)).toBe(expected);
  });

  it.each([
    ['ConfigMap binaryData', configMap({ color: 'blue' }, { logo: 'AAEC' }), configMap({ color: 'blue' }, { logo: 'AAED' })],
    ['Secret stringData', secret({ a: 'YQ==' }, { b: 'one' }), secret({ a: 'YQ==' }, { b: 'two' })],
    ['ConfigMap data', configMap({ color: 'blue' }), configMap({ color: 'green' })],
  ])('tracks a change of %s', (_name, before, after) => {
    expect(configChecksum(after)).not.toBe(configChecksum(before));
  });

  it('tells data-only content from the same data with binaryData', () => {
    expect(configChecksum(configMap({ color: 'blue' }, { logo: 'AAEC' }))).not.toBe(configChecksum(configMap({ color: 'blue' })));
  });
});

describe('revisionChecksum', () => {
  type Revision = [Record<string, string> | undefined, string];
  it.each<[string, Revision, Revision]>([
    ['the applied spec changes', [{ 'configmap/a': '1' }, 'abc'], [{ 'configmap/a': '1' }, 'abd']],
    ['a tracked config changes', [{ 'configmap/a': '1' }, 'abc'], [{ 'configmap/a': '2' }, 'abc']],
    ['configs start being tracked', [undefined, 'abc'], [{}, 'abc']],
  ])('changes when %s', (_name, before, after) => {
    expect(revisionChecksum(...after)).not.toBe(revisionChecksum(...before));
  });

  it('is stable for the same inputs in any key order', () => {
    expect(revisionChecksum({ 'secret/b': '2', 'configmap/a': '1' }, 'abc')).toBe(revisionChecksum({ 'configmap/a': '1', 'secret/b': '2' }, 'abc'));
  });

  it('reads a missing applied spec as empty', () => {
    expect(revisionChecksum(undefined, undefined)).toBe(revisionChecksum(undefined, ''));
  });
});

describe('hasTargetChanged', () => {
  it.each([
    ['is changed when nothing was applied yet', 'h1', {}, true],
    ['is changed when the applied spec is empty', 'h1', { lastAppliedSpec: '', lastPromotedSpec: 'h1' }, true],
    ['is not changed when the hash equals the applied one', 'h1', { lastAppliedSpec: 'h1', lastPromotedSpec: 'h0' }, false],
    ['is changed when the hash differs from the applied one', 'h2', { lastAppliedSpec: 'h1', lastPromotedSpec: 'h1' }, true],
    ['is not changed after a manual revert to the promoted spec', 'h0', { lastAppliedSpec: 'h1', lastPromotedSpec: 'h0' }, false],
  ])('%s', (_name, hash, status, expected) => {
    expect(hasTargetChanged(hash, status)).toBe(expected);
  });
});

describe('haveConfigsChanged', () => {
  it.each([
    ['no configs and nothing tracked is unchanged', {}, undefined, false],
    ['configs with nothing tracked yet is changed', { 'configmap/a': '1' }, undefined, true],
    ['no configs with an empty tracked map is unchanged', {}, {}, false],
    ['a config added is changed', { 'configmap/a': '1', 'secret/b': '2' }, { 'configmap/a': '1' }, true],
    ['a config removed is changed', { 'configmap/a': '1' }, { 'configmap/a': '1', 'secret/b': '2' }, true],
    ['a checksum that differs is changed', { 'configmap/a': '2' }, { 'configmap/a': '1' }, true],
    ['a config replaced by another of the same count is changed', { 'secret/b': '1' }, { 'configmap/a': '1' }, true],
    ['equal maps are unchanged', { 'configmap/a': '1', 'secret/b': '2' }, { 'secret/b': '2', 'configmap/a': '1' }, false],
  ])('%s', (_name, current, tracked, expected) => {
    expect(haveConfigsChanged(current, tracked)).toBe(expected);
  });
});

describe('promotionId', () => {
  const configs = { 'configmap/podinfo-config': '648ab597c6d02085' };

  it('is shaped like a UUID, 8-4-4-4-12 hex digits', () => {
    expect(promotionId('5f3c1d2e-uid', 'a1b2c3d4e5f60718', configs)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  // A primary promoted by an earlier operator process (or version) must be recognised by the id it carries.
  it('is the same in every process for the same Canary and revision', () => {
    expect(promotionId('5f3c1d2e-uid', 'a1b2c3d4e5f60718', configs)).toBe('b770af00-04f4-b3b1-4338-b8424a736ef7');
  });

  it('differs for another template, other tracked configs or another Canary', () => {
    const ids = [
      promotionId('5f3c1d2e-uid', 'a1b2c3d4e5f60718', configs), promotionId('5f3c1d2e-uid', 'a1b2c3d4e5f60719', configs),
      promotionId('5f3c1d2e-uid', 'a1b2c3d4e5f60718', { 'configmap/podinfo-config': '648ab597c6d02086' }), promotionId('other-uid', 'a1b2c3d4e5f60718', configs),
    ];
    expect(new Set(ids).size).toBe(4);
  });
});

describe('daemonSetTemplateHash', () => {
  const template = (nodeSelector?: Record<string, string>): { metadata: object; spec: { containers: object[]; nodeSelector?: Record<string, string> } } => ({
    metadata: { labels: { app: 'podinfo' } },
    spec: { containers: [{ name: 'podinfod', image: 'podinfo:6.0.0' }], ...(nodeSelector === undefined ? {} : { nodeSelector }) },
  });

  it('is the same whether the target is parked or not', () => {
    expect(daemonSetTemplateHash(template({ 'flagger.app/scale-to-zero': 'true' }))).toBe(daemonSetTemplateHash(template()));
    expect(daemonSetTemplateHash(template({ disk: 'ssd', 'flagger.app/scale-to-zero': 'true' }))).toBe(daemonSetTemplateHash(template({ disk: 'ssd' })));
  });

  it('treats an empty nodeSelector as none, and equals the pod template hash of the unparked template', () => {
    expect(daemonSetTemplateHash(template({}))).toBe(daemonSetTemplateHash(template()));
    expect(daemonSetTemplateHash(template({ disk: 'ssd' }))).toBe(podTemplateHash(template({ disk: 'ssd' })));
  });

  it('changes when the user\'s own nodeSelector or the pod spec changes', () => {
    expect(daemonSetTemplateHash(template({ disk: 'ssd' }))).not.toBe(daemonSetTemplateHash(template()));
    const other = template();
    other.spec.containers = [{ name: 'podinfod', image: 'podinfo:6.0.1' }];
    expect(daemonSetTemplateHash(other)).not.toBe(daemonSetTemplateHash(template()));
  });
});
