import { describe, expect, it } from 'vitest';
import type { ConfigMap, Secret } from '../kube/resources.js';
import type { OwnerReference } from '../ports/kube.js';
import { configKindOf, desiredPrimaryConfig, primaryConfigNeedsUpdate } from './primary-config.js';
import { podinfoOwner } from '../../test/fixtures/workloads.js';

const labels = { app: 'podinfo', 'team.example.com/owner': 'a', 'kustomize.toolkit.fluxcd.io/name': 'apps' };
const configMap: ConfigMap = {
  apiVersion: 'v1', kind: 'ConfigMap',
  metadata: { name: 'podinfo-config-env', namespace: 'default', uid: 'u', resourceVersion: '7', labels, annotations: { note: 'x' } },
  data: { color: 'blue' },
  binaryData: { logo: 'AAEC' },
  immutable: false,
};
const secret: Secret = {
  metadata: { name: 'podinfo-secret-env', namespace: 'default', labels },
  type: 'kubernetes.io/tls',
  data: { 'tls.crt': 'Y3J0', 'tls.key': 'a2V5' },
};
const canaryRef = (name: string, controller?: boolean): OwnerReference =>
  ({ apiVersion: 'flagger.app/v1beta1', kind: 'Canary', name, uid: `uid-${name}`, controller, blockOwnerDeletion: true });

describe('desiredPrimaryConfig', () => {
  it('copies a ConfigMap with its binaryData, prefix-filtered labels, no annotations, owned by the Canary', () => {
    expect(desiredPrimaryConfig(configMap, { owner: podinfoOwner, includeLabelPrefixes: ['app', 'team'] })).toEqual({
      apiVersion: 'v1', kind: 'ConfigMap',
      metadata: {
        name: 'podinfo-config-env-primary', namespace: 'default',
        labels: { app: 'podinfo', 'team.example.com/owner': 'a' },
        ownerReferences: [podinfoOwner],
      },
      data: { color: 'blue' },
      binaryData: { logo: 'AAEC' },
    });
  });

  it('copies a Secret with its type and no labels by default', () => {
    expect(desiredPrimaryConfig(secret, { owner: podinfoOwner, includeLabelPrefixes: [] })).toEqual({
      apiVersion: 'v1', kind: 'Secret',
      metadata: { name: 'podinfo-secret-env-primary', namespace: 'default', labels: {}, ownerReferences: [podinfoOwner] },
      type: 'kubernetes.io/tls',
      data: { 'tls.crt': 'Y3J0', 'tls.key': 'a2V5' },
    });
  });

  it('never copies toolkit labels, even with the wildcard', () => {
    expect(desiredPrimaryConfig(configMap, { owner: podinfoOwner, includeLabelPrefixes: ['*'] }).metadata.labels)
      .toEqual({ app: 'podinfo', 'team.example.com/owner': 'a' });
  });

  // Flagger pkg/canary/config_tracker_test.go TestConfigTracker_ConfigOwnerMultiDeployment, with the §13 correction
  it.each<[string, OwnerReference[] | undefined, OwnerReference[]]>([
    ['keeps another Canary sharing the config as a non-controller owner',
      [canaryRef('podinfo2', true)], [podinfoOwner, canaryRef('podinfo2', false)]],
    ['replaces its own earlier reference instead of adding a second one',
      [canaryRef('podinfo', true), canaryRef('podinfo2', false)], [podinfoOwner, canaryRef('podinfo2', false)]],
    ['keeps owners of any kind, demoted from controller',
      [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'podinfo', uid: 'u', controller: true }],
      [podinfoOwner, { apiVersion: 'v1', kind: 'ConfigMap', name: 'podinfo', uid: 'u', controller: false }]],
    ['has only this Canary when the copy had no owners', undefined, [podinfoOwner]],
  ])('%s', (_name, existingOwners, expected) => {
    const existingCopy: ConfigMap = { metadata: { name: 'podinfo-config-env-primary', ownerReferences: existingOwners }, data: {} };
    expect(desiredPrimaryConfig(configMap, { owner: podinfoOwner, includeLabelPrefixes: [], existingCopy }).metadata.ownerReferences)
      .toEqual(expected);
  });

  it('never changes its inputs or shares their maps', () => {
    const source = structuredClone(configMap);
    const existingCopy: ConfigMap = { metadata: { name: 'x', ownerReferences: [canaryRef('podinfo2', true)] } };
    const desired = desiredPrimaryConfig(source, { owner: podinfoOwner, includeLabelPrefixes: ['*'], existingCopy });
    desired.data!.color = 'red';
    expect(source).toEqual(configMap);
    expect(existingCopy.metadata.ownerReferences).toEqual([canaryRef('podinfo2', true)]);
  });
});

describe('primaryConfigNeedsUpdate', () => {
  const desired = desiredPrimaryConfig(configMap, { owner: podinfoOwner, includeLabelPrefixes: ['app'] });
  const existing: ConfigMap = { ...structuredClone(desired), metadata: { ...structuredClone(desired.metadata), uid: 'u2', resourceVersion: '9' } };

  it.each<[string, ConfigMap, boolean]>([
    ['is false when only server-set fields differ', existing, false],
    ['is true when data differs', { ...existing, data: { color: 'green' } }, true],
    ['is true when binaryData differs', { ...existing, binaryData: undefined }, true],
    ['is true when labels differ', { ...existing, metadata: { ...existing.metadata, labels: {} } }, true],
    ['is true when owners differ', { ...existing, metadata: { ...existing.metadata, ownerReferences: [] } }, true],
  ])('%s', (_name, current, expected) => {
    expect(primaryConfigNeedsUpdate(current, desired)).toBe(expected);
  });

  it('reads absent maps as empty', () => {
    const bare: ConfigMap = { metadata: { name: 'x' } };
    expect(primaryConfigNeedsUpdate(bare, { metadata: { name: 'x', labels: {}, ownerReferences: [] }, data: {} })).toBe(false);
  });
});

describe('configKindOf', () => {
  it.each<[string, ConfigMap | Secret, string]>([
    ['trusts kind when set', { kind: 'Secret', metadata: { name: 'x' } }, 'Secret'],
    ['reads a typed object as a Secret', { metadata: { name: 'x' }, type: 'Opaque' }, 'Secret'],
    ['reads an object with stringData as a Secret', { metadata: { name: 'x' }, stringData: {} }, 'Secret'],
    ['reads anything else as a ConfigMap', { metadata: { name: 'x' }, data: {} }, 'ConfigMap'],
    ['ignores an unrelated kind', { kind: 'Other', metadata: { name: 'x' } }, 'ConfigMap'],
  ])('%s', (_name, config, expected) => {
    expect(configKindOf(config)).toBe(expected);
  });
});
