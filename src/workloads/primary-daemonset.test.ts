import { describe, expect, it } from 'vitest';
import type { DaemonSet } from '../kube/resources.js';
import { daemonSetTargetProblem, desiredPrimaryDaemonSet, isParked, parkingPatch } from './primary-daemonset.js';
import { podinfoOwner } from '../../test/fixtures/workloads.js';

function target(nodeSelector?: Record<string, string>): DaemonSet {
  return {
    apiVersion: 'apps/v1', kind: 'DaemonSet',
    metadata: { name: 'podinfo', namespace: 'default', labels: { app: 'podinfo' }, annotations: { note: 'ds', 'deployment.kubernetes.io/revision': '3' } },
    spec: {
      minReadySeconds: 5, revisionHistoryLimit: 4,
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2 } },
      selector: { matchLabels: { app: 'podinfo' } },
      template: {
        metadata: { labels: { app: 'podinfo', tier: 'web' }, annotations: { prometheus: 'yes' } },
        spec: {
          containers: [{ name: 'podinfod', image: 'podinfo:6.0.1', envFrom: [{ configMapRef: { name: 'podinfo-config' } }] }],
          ...(nodeSelector === undefined ? {} : { nodeSelector }),
        },
      },
    },
  };
}

const input = (t: DaemonSet, existingPrimary?: DaemonSet): Parameters<typeof desiredPrimaryDaemonSet>[0] => ({
  target: t, existingPrimary, owner: podinfoOwner, selector: { key: 'app', value: 'podinfo' }, includeLabelPrefixes: ['*'],
  trackedConfigs: { configMaps: new Set(['podinfo-config']), secrets: new Set() }, flaggerId: 'id-1',
});

describe('desiredPrimaryDaemonSet', () => {
  it('builds podinfo-primary with the primary selector, relabelled template, renamed configs and the DaemonSet settings', () => {
    const primary = desiredPrimaryDaemonSet(input(target()));
    expect(primary.metadata).toEqual({
      name: 'podinfo-primary', namespace: 'default', ownerReferences: [podinfoOwner], labels: { app: 'podinfo-primary' }, annotations: { note: 'ds' },
    });
    expect(primary.spec).toEqual({
      minReadySeconds: 5, revisionHistoryLimit: 4, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2 } },
      selector: { matchLabels: { app: 'podinfo-primary' } },
      template: {
        metadata: { labels: { app: 'podinfo-primary', tier: 'web' }, annotations: { prometheus: 'yes', 'flagger-id': 'id-1' } },
        spec: { containers: [{ name: 'podinfod', image: 'podinfo:6.0.1', envFrom: [{ configMapRef: { name: 'podinfo-config-primary' } }] }] },
      },
    });
    expect(primary.spec).not.toHaveProperty('replicas');
  });

  it('never copies the parking nodeSelector key, and keeps the user\'s other keys', () => {
    const onlyParked = desiredPrimaryDaemonSet(input(target({ 'flagger.app/scale-to-zero': 'true' })));
    expect(onlyParked.spec?.template.spec?.nodeSelector).toBeUndefined();
    const mixed = desiredPrimaryDaemonSet(input(target({ disk: 'ssd', 'flagger.app/scale-to-zero': 'true' })));
    expect(mixed.spec?.template.spec?.nodeSelector).toEqual({ disk: 'ssd' });
  });

  it('keeps the existing primary\'s immutable selector and object identity at promotion', () => {
    const existing = desiredPrimaryDaemonSet(input(target()));
    existing.metadata.resourceVersion = '42';
    existing.spec!.selector = { matchLabels: { app: 'podinfo-primary', legacy: 'yes' } };
    const promoted = desiredPrimaryDaemonSet({ ...input(target()), existingPrimary: existing, flaggerId: 'id-2' });
    expect(promoted.metadata.resourceVersion).toBe('42');
    expect(promoted.spec?.selector).toEqual({ matchLabels: { app: 'podinfo-primary', legacy: 'yes' } });
    expect(promoted.spec?.template.metadata?.annotations?.['flagger-id']).toBe('id-2');
  });
});

describe('parking a DaemonSet target', () => {
  it('adds and removes only the flagger.app/scale-to-zero nodeSelector key', () => {
    expect(parkingPatch(true)).toEqual({ spec: { template: { spec: { nodeSelector: { 'flagger.app/scale-to-zero': 'true' } } } } });
    expect(parkingPatch(false)).toEqual({ spec: { template: { spec: { nodeSelector: { 'flagger.app/scale-to-zero': null } } } } });
  });

  it('tells a parked target by that key', () => {
    expect(isParked(target({ 'flagger.app/scale-to-zero': 'true' }))).toBe(true);
    expect(isParked(target({ disk: 'ssd' }))).toBe(false);
    expect(isParked(target())).toBe(false);
  });

  it('refuses a target that does not roll out on its own (OnDelete), naming the strategy', () => {
    const onDelete = target();
    onDelete.spec!.updateStrategy = { type: 'OnDelete' };
    expect(daemonSetTargetProblem(onDelete)).toBe('daemonset podinfo must have the RollingUpdate strategy, not OnDelete');
    expect(daemonSetTargetProblem(target())).toBeUndefined();
  });
});
