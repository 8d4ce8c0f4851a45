import type { V1PodSpec } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { configChecksum } from '../core/revision.js';
import type { ConfigMap, Secret } from '../kube/resources.js';
import {
  configReferences, isTrackable, renameConfigReferences, trackedConfigChecksums, trackedConfigKey, trackedConfigNames,
  type ConfigRef, type FoundConfig,
} from './config-refs.js';
import { podinfoPodSpec } from '../../test/fixtures/workloads.js';

const cm = (name: string, optional = false): ConfigRef => ({ kind: 'ConfigMap', name, optional });
const sec = (name: string, optional = false): ConfigRef => ({ kind: 'Secret', name, optional });

describe('configReferences', () => {
  // Flagger pkg/canary/config_tracker_test.go TestConfigTracker_ConfigMaps / _Secrets: every way to reference a config
  it('finds every ConfigMap and Secret of the podinfo fixture once, in order of first use', () => {
    expect(configReferences(podinfoPodSpec())).toEqual([
      cm('podinfo-config-vol'), sec('podinfo-secret-vol'), cm('podinfo-config-projected'), sec('podinfo-secret-projected'),
      cm('podinfo-config-tracker-enabled'), cm('podinfo-config-tracker-disabled'),
      sec('podinfo-secret-tracker-enabled'), sec('podinfo-secret-tracker-disabled'),
      cm('podinfo-config-env'), sec('podinfo-secret-env'), cm('podinfo-config-all-env'), sec('podinfo-secret-all-env'),
      cm('podinfo-config-init-env'), sec('podinfo-secret-init-env'), cm('podinfo-config-init-all-env'), sec('podinfo-secret-init-all-env'),
    ]);
  });

  it.each<[string, V1PodSpec, ConfigRef[]]>([
    ['marks a config optional when its only use is optional',
      { containers: [{ name: 'a', envFrom: [{ configMapRef: { name: 'c', optional: true } }] }] }, [cm('c', true)]],
    ['marks a config mandatory when any use is mandatory, whatever the order',
      {
        volumes: [{ name: 'v', configMap: { name: 'c' } }],
        containers: [{ name: 'a', envFrom: [{ configMapRef: { name: 'c', optional: true } }] }],
      }, [cm('c')]],
    ['marks a config mandatory when a later use is mandatory',
      {
        volumes: [{ name: 'v', secret: { secretName: 's', optional: true } }],
        containers: [{ name: 'a', env: [{ name: 'E', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] }],
      }, [sec('s')]],
    ['keeps a config optional when every use is optional',
      {
        volumes: [{ name: 'v', projected: { sources: [{ secret: { name: 's', optional: true } }] } }],
        initContainers: [{ name: 'i', envFrom: [{ secretRef: { name: 's', optional: true } }] }], containers: [],
      }, [sec('s', true)]],
    ['tells a ConfigMap and a Secret of the same name apart',
      { volumes: [{ name: 'a', configMap: { name: 'same' } }, { name: 'b', secret: { secretName: 'same' } }], containers: [] },
      [cm('same'), sec('same')]],
    ['ignores references without a name', { volumes: [{ name: 'a', configMap: {} }, { name: 'b', secret: {} }], containers: [] }, []],
    ['finds nothing in a spec without configs', { containers: [{ name: 'a', env: [{ name: 'E', value: 'v' }] }] }, []],
  ])('%s', (_name, spec, expected) => {
    expect(configReferences(spec)).toEqual(expected);
  });

  it('finds nothing without a pod spec', () => {
    expect(configReferences(undefined)).toEqual([]);
  });
});

describe('renameConfigReferences', () => {
  const all = configReferences(podinfoPodSpec()).filter((ref) => !ref.name.includes('disabled'));
  const tracked = {
    configMaps: new Set(all.filter((r) => r.kind === 'ConfigMap').map((r) => r.name)),
    secrets: new Set(all.filter((r) => r.kind === 'Secret').map((r) => r.name)),
  };

  it('points every tracked reference at its -primary copy and leaves untracked ones alone', () => {
    const renamed = renameConfigReferences(podinfoPodSpec(), tracked);
    expect(configReferences(renamed).map((r) => r.name)).toEqual([
      'podinfo-config-vol-primary', 'podinfo-secret-vol-primary', 'podinfo-config-projected-primary', 'podinfo-secret-projected-primary',
      'podinfo-config-tracker-enabled-primary', 'podinfo-config-tracker-disabled',
      'podinfo-secret-tracker-enabled-primary', 'podinfo-secret-tracker-disabled',
      'podinfo-config-env-primary', 'podinfo-secret-env-primary', 'podinfo-config-all-env-primary', 'podinfo-secret-all-env-primary',
      'podinfo-config-init-env-primary', 'podinfo-secret-init-env-primary', 'podinfo-config-init-all-env-primary', 'podinfo-secret-init-all-env-primary',
    ]);
    expect(renamed.volumes!.slice(0, 2)).toEqual([
      { name: 'config', configMap: { name: 'podinfo-config-vol-primary', optional: false } },
      { name: 'secret', secret: { secretName: 'podinfo-secret-vol-primary', optional: false } },
    ]);
    expect(renamed.initContainers![0]!.env![0]!.valueFrom).toEqual({ configMapKeyRef: { name: 'podinfo-config-init-env-primary', key: 'color' } });
    expect(renamed.initContainers![0]!.envFrom![1]).toEqual({ secretRef: { name: 'podinfo-secret-init-all-env-primary' } });
  });

  it('never changes its input', () => {
    const spec = podinfoPodSpec();
    renameConfigReferences(spec, tracked);
    expect(spec).toEqual(podinfoPodSpec());
  });

  // Flagger pkg/canary/deployment_controller_test.go TestDeploymentController_NoConfigTracking
  it('returns an equal copy when nothing is tracked', () => {
    const spec = podinfoPodSpec();
    const renamed = renameConfigReferences(spec, { configMaps: new Set(), secrets: new Set() });
    expect(renamed).toEqual(spec);
    expect(renamed).not.toBe(spec);
  });

  it('renames only the kind that is tracked when a ConfigMap and a Secret share a name', () => {
    const spec: V1PodSpec = { volumes: [{ name: 'a', configMap: { name: 'same' } }, { name: 'b', secret: { secretName: 'same' } }], containers: [] };
    const renamed = renameConfigReferences(spec, { configMaps: new Set(['same']), secrets: new Set() });
    expect(renamed.volumes).toEqual([{ name: 'a', configMap: { name: 'same-primary' } }, { name: 'b', secret: { secretName: 'same' } }]);
  });
});

const configMap = (annotations?: Record<string, string>): ConfigMap => ({ metadata: { name: 'c', annotations }, data: { a: 'b' } });
const secret = (type?: string, annotations?: Record<string, string>): Secret => ({ metadata: { name: 's', annotations }, type, data: { a: 'Yg==' } });

describe('isTrackable', () => {
  // Flagger pkg/canary/config_tracker_test.go TestConfigIsDisabled, plus the Secret types of getRefFromSecret
  it.each<[string, ConfigMap | Secret, boolean]>([
    ['tracks a ConfigMap', configMap(), true],
    ['skips a ConfigMap annotated disable', configMap({ 'flagger.app/config-tracking': 'disable' }), false],
    ['skips a ConfigMap annotated disabled', configMap({ 'flagger.app/config-tracking': 'disabled' }), false],
    ['tracks a ConfigMap annotated enabled', configMap({ 'flagger.app/config-tracking': 'enabled' }), true],
    ['ignores the value disable under another key', configMap({ app: 'disable' }), true],
    ['tracks an Opaque Secret', secret('Opaque'), true],
    ['tracks a basic-auth Secret', secret('kubernetes.io/basic-auth'), true],
    ['tracks an ssh-auth Secret', secret('kubernetes.io/ssh-auth'), true],
    ['tracks a tls Secret', secret('kubernetes.io/tls'), true],
    ['tracks a Secret without a type', secret(undefined), true],
    ['skips a registry Secret', secret('kubernetes.io/dockerconfigjson'), false],
    ['skips a service account token', secret('kubernetes.io/service-account-token'), false],
    ['skips an Opaque Secret annotated disable', secret('Opaque', { 'flagger.app/config-tracking': 'disable' }), false],
  ])('%s', (_name, config, expected) => {
    expect(isTrackable(config)).toBe(expected);
  });
});

describe('tracked configs', () => {
  const found: FoundConfig[] = [
    { kind: 'ConfigMap', config: { metadata: { name: 'podinfo-config' }, data: { color: 'blue' } } },
    { kind: 'ConfigMap', config: { metadata: { name: 'off', annotations: { 'flagger.app/config-tracking': 'disabled' } }, data: {} } },
    { kind: 'Secret', config: { metadata: { name: 'podinfo-token' }, type: 'Opaque', data: { t: 'dA==' } } },
    { kind: 'Secret', config: { metadata: { name: 'registry' }, type: 'kubernetes.io/dockerconfigjson', data: {} } },
  ];

  it('keys trackable configs as Flagger does, with their checksums', () => {
    expect(trackedConfigChecksums(found)).toEqual({
      'configmap/podinfo-config': configChecksum(found[0]!.config),
      'secret/podinfo-token': configChecksum(found[2]!.config),
    });
  });

  it('lists the names of trackable configs by kind', () => {
    expect(trackedConfigNames(found)).toEqual({ configMaps: new Set(['podinfo-config']), secrets: new Set(['podinfo-token']) });
  });

  it.each([
    ['ConfigMap', 'configmap/x'],
    ['Secret', 'secret/x'],
  ] as const)('keys a %s reference', (kind, expected) => {
    expect(trackedConfigKey({ kind, name: 'x' })).toBe(expected);
  });
});
