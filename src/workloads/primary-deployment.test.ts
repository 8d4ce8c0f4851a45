import { describe, expect, it } from 'vitest';
import type { Deployment } from '../kube/resources.js';
import { desiredPrimaryDeployment, primaryReplicas, scaleFromZeroReplicas, type PrimaryInput, type ScaleFromZeroInput } from './primary-deployment.js';
import { primaryPodSpec } from './primary-pod-spec.js';
import { podinfoDeployment, podinfoOwner } from '../../test/fixtures/workloads.js';

const tracked = { configMaps: new Set(['podinfo-config-vol', 'podinfo-config-env']), secrets: new Set(['podinfo-secret-env']) };

function input(overrides: Partial<PrimaryInput> = {}): PrimaryInput {
  return {
    target: podinfoDeployment({ replicas: 2 }),
    owner: podinfoOwner,
    selector: { key: 'app', value: 'podinfo' },
    includeLabelPrefixes: [],
    trackedConfigs: tracked,
    flaggerId: 'id-1',
    hasAutoscaler: false,
    ...overrides,
  };
}

const expectedAnnotations = { 'test-annotation-1': 'test-annotation-value-1' };

describe('desiredPrimaryDeployment at creation', () => {
  // Flagger pkg/canary/deployment_controller_test.go TestDeploymentController_Sync_ConsistentNaming
  it('builds <target>-primary selecting only the primary label, owned by the Canary', () => {
    const target = podinfoDeployment({ replicas: 2 });
    expect(desiredPrimaryDeployment(input({ target }))).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'podinfo-primary',
        namespace: 'default',
        ownerReferences: [podinfoOwner],
        labels: { app: 'podinfo-primary' },
        annotations: expectedAnnotations,
      },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'podinfo-primary' } },
        progressDeadlineSeconds: 60,
        minReadySeconds: 5,
        revisionHistoryLimit: 4,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0 } },
        template: {
          metadata: {
            labels: { app: 'podinfo-primary', 'test-label-1': 'test-label-value-1' },
            annotations: { 'test-annotation-1': 'test-annotation-value-1', 'flagger-id': 'id-1' },
          },
          spec: primaryPodSpec({ podSpec: target.spec!.template.spec!, trackedConfigs: tracked, selector: { key: 'app', value: 'podinfo' }, selectorLabels: ['app'] }),
        },
      },
    });
  });

  // Flagger pkg/canary/deployment_controller_test.go TestDeploymentController_Sync_InconsistentNaming
  it('names the primary after the target and its selector after the selector value when they differ', () => {
    const target = podinfoDeployment({ name: 'podinfo-service', label: 'name', labelValue: 'podinfo' });
    const primary = desiredPrimaryDeployment(input({ target, selector: { key: 'name', value: 'podinfo' } }));
    expect(primary.metadata.name).toBe('podinfo-service-primary');
    expect(primary.spec!.selector).toEqual({ matchLabels: { name: 'podinfo-primary' } });
    expect(primary.spec!.template.metadata!.labels).toEqual({ name: 'podinfo-primary', 'test-label-1': 'test-label-value-1' });
    expect(primary.spec!.template.spec!.containers[0]!.image).toBe('quay.io/stefanprodan/podinfo:1.2.0');
  });

  it.each<[string, readonly string[], Record<string, string>]>([
    ['copies no target labels by default', [], { app: 'podinfo-primary' }],
    ['copies labels matching the include prefixes', ['app.kubernetes.io'], { 'app.kubernetes.io/test-label-1': 'x', app: 'podinfo-primary' }],
    ['never copies toolkit labels, even with the wildcard', ['*'],
      { 'test-label-1': 'test-label-value-1', 'app.kubernetes.io/test-label-1': 'x', app: 'podinfo-primary' }],
  ])('%s', (_name, includeLabelPrefixes, expected) => {
    expect(desiredPrimaryDeployment(input({ includeLabelPrefixes })).metadata.labels).toEqual(expected);
  });

  it('points tracked config references at the -primary copies', () => {
    const spec = desiredPrimaryDeployment(input()).spec!.template.spec!;
    expect(spec.volumes![0]!.configMap!.name).toBe('podinfo-config-vol-primary');
    expect(spec.containers[0]!.env![0]!.valueFrom!.configMapKeyRef!.name).toBe('podinfo-config-env-primary');
    expect(spec.containers[0]!.env![1]!.valueFrom!.secretKeyRef!.name).toBe('podinfo-secret-env-primary');
    expect(spec.volumes![3]!.configMap!.name).toBe('podinfo-config-tracker-enabled');
  });

  it('rewrites anti-affinity under every configured selector label', () => {
    const target = podinfoDeployment({ label: 'name', labelValue: 'podinfo' });
    const primary = desiredPrimaryDeployment(input({ target, selector: { key: 'name', value: 'podinfo' }, selectorLabels: ['app', 'name'] }));
    const term = primary.spec!.template.spec!.affinity!.podAntiAffinity!.requiredDuringSchedulingIgnoredDuringExecution![0]!;
    expect(term.labelSelector!.matchExpressions![0]!.values).toEqual(['podinfo-primary']);
  });

  it('builds a minimal primary from a target without spec', () => {
    const target: Deployment = { metadata: { name: 'bare', namespace: 'default' } };
    expect(desiredPrimaryDeployment(input({ target })).spec).toEqual({
      replicas: 1,
      selector: { matchLabels: { app: 'podinfo-primary' } },
      template: { metadata: { labels: { app: 'podinfo-primary' }, annotations: { 'flagger-id': 'id-1' } }, spec: { containers: [] } },
    });
  });
});

describe('desiredPrimaryDeployment at promotion', () => {
  const existingPrimary: Deployment = {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: {
      name: 'podinfo-primary', namespace: 'default', uid: 'uid-primary', resourceVersion: '100', finalizers: ['x'],
      ownerReferences: [podinfoOwner], labels: { app: 'podinfo-primary', stale: 'yes' }, annotations: { stale: 'yes' },
    },
    spec: {
      replicas: 6,
      paused: false,
      selector: { matchLabels: { app: 'podinfo-primary', legacy: 'kept' } },
      template: { metadata: { labels: { app: 'podinfo-primary' } }, spec: { containers: [{ name: 'podinfo', image: 'podinfo:0.9' }] } },
    },
    status: { replicas: 6 },
  };

  // Flagger pkg/canary/deployment_controller_test.go TestDeploymentController_Promote
  it('copies the target template, labels and annotations into the existing primary and keeps its identity', () => {
    const target = podinfoDeployment({ replicas: 4 });
    target.spec!.template.spec!.containers[0]!.image = 'quay.io/stefanprodan/podinfo:1.2.1';
    const primary = desiredPrimaryDeployment(input({ target, existingPrimary, flaggerId: 'id-2', includeLabelPrefixes: ['app.kubernetes.io'] }));
    expect(primary.metadata).toEqual({
      name: 'podinfo-primary', namespace: 'default', uid: 'uid-primary', resourceVersion: '100', finalizers: ['x'],
      ownerReferences: [podinfoOwner],
      labels: { 'app.kubernetes.io/test-label-1': 'x', app: 'podinfo-primary' },
      annotations: expectedAnnotations,
    });
    expect(primary.spec).toMatchObject({
      replicas: 4, paused: false, progressDeadlineSeconds: 60, minReadySeconds: 5, revisionHistoryLimit: 4,
      selector: { matchLabels: { app: 'podinfo-primary', legacy: 'kept' } },
      template: { metadata: { annotations: { 'test-annotation-1': 'test-annotation-value-1', 'flagger-id': 'id-2' } } },
    });
    expect(primary.spec!.template.spec!.containers[0]!.image).toBe('quay.io/stefanprodan/podinfo:1.2.1');
    expect(primary).not.toHaveProperty('status');
  });

  it('uses one annotation rule at creation and at promotion', () => {
    const created = desiredPrimaryDeployment(input());
    const promoted = desiredPrimaryDeployment(input({ existingPrimary }));
    expect(promoted.metadata.annotations).toEqual(created.metadata.annotations);
  });

  it('never changes its inputs or shares objects with them', () => {
    const target = podinfoDeployment({ replicas: 4 });
    const existing = structuredClone(existingPrimary);
    const primary = desiredPrimaryDeployment(input({ target, existingPrimary: existing }));
    primary.metadata.ownerReferences![0]!.name = 'changed';
    primary.spec!.strategy!.type = 'Recreate';
    expect(target).toEqual(podinfoDeployment({ replicas: 4 }));
    expect(existing).toEqual(existingPrimary);
    expect(podinfoOwner.name).toBe('podinfo');
  });
});

describe('primaryReplicas', () => {
  const withReplicas = (replicas?: number): Deployment => ({ metadata: { name: 'x' }, spec: { replicas, selector: {}, template: {} } });
  type Case = { target?: number; primary?: Deployment; hasAutoscaler: boolean };
  it.each<[string, Case, number | undefined]>([
    ['creates with the target replicas', { target: 3, hasAutoscaler: false }, 3],
    ['creates with 1 when the target is scaled to zero', { target: 0, hasAutoscaler: false }, 1],
    ['creates with 1 when the target has no replicas', { hasAutoscaler: true }, 1],
    ['creates with the target replicas even with an autoscaler', { target: 3, hasAutoscaler: true }, 3],
    ['promotes the target replicas without an autoscaler', { target: 4, primary: withReplicas(2), hasAutoscaler: false }, 4],
    ['keeps the primary replicas with an autoscaler', { target: 4, primary: withReplicas(6), hasAutoscaler: true }, 6],
    ['keeps the primary replicas when the target is at zero', { target: 0, primary: withReplicas(2), hasAutoscaler: false }, 2],
    ['keeps an unset primary count with an autoscaler', { target: 4, primary: withReplicas(undefined), hasAutoscaler: true }, undefined],
  ])('%s', (_name, c, expected) => {
    expect(primaryReplicas({ target: withReplicas(c.target), existingPrimary: c.primary, hasAutoscaler: c.hasAutoscaler })).toBe(expected);
  });
});

describe('scaleFromZeroReplicas', () => {
  const dep = (replicas?: number): Deployment => ({ metadata: { name: 'x' }, spec: { replicas, selector: {}, template: {} } });
  it.each<[string, Omit<ScaleFromZeroInput, 'target'>, number | undefined, number]>([
    ['keeps the target replicas when above zero', { hpa: { spec: { minReplicas: 5 } } }, 3, 3],
    ['uses the HPA minimum when above one', { hpa: { spec: { minReplicas: 2 } } }, 0, 2],
    ['uses 1 when the HPA minimum is 1', { hpa: { spec: { minReplicas: 1 } }, primary: dep(4) }, 0, 1],
    ['uses 1 when the HPA has no minimum', { hpa: {} }, 0, 1],
    ['uses the ScaledObject minimum when above one', { scaledObjectMinReplicaCount: 3 }, 0, 3],
    ['uses 1 with an autoscaler that could not be read, not the primary', { hasAutoscaler: true, primary: dep(4) }, 0, 1],
    ['uses the primary replicas without an autoscaler', { primary: dep(4) }, 0, 4],
    ['ignores an HPA when the Canary has no autoscalerRef', { hasAutoscaler: false, hpa: { spec: { minReplicas: 3 } }, primary: dep(4) }, undefined, 4],
    ['uses 1 when the primary is at zero', { primary: dep(0) }, 0, 1],
    ['uses 1 without primary and autoscaler', {}, undefined, 1],
  ])('%s', (_name, rest, targetReplicas, expected) => {
    expect(scaleFromZeroReplicas({ target: dep(targetReplicas), ...rest })).toBe(expected);
  });
});
