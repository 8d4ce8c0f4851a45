/**
 * Test data for the workload builders: Flagger's podinfo fixture (pkg/canary/deployment_fixture_test.go
 * newDeploymentControllerTest), which references ConfigMaps and Secrets in every supported way and has
 * anti-affinity and topology spread selectors. Used by the tests only.
 */
import type { V1PodSpec } from '@kubernetes/client-node';
import type { Deployment } from '../kube/resources.js';
import type { OwnerReference } from '../ports/kube.js';

/** Controller reference to the `podinfo` Canary. */
export const podinfoOwner: OwnerReference = {
  apiVersion: 'flagger.app/v1beta1', kind: 'Canary', name: 'podinfo', uid: 'uid-podinfo', controller: true, blockOwnerDeletion: true,
};

const antiAffinitySelector = (value: string): { matchExpressions: { key: string; operator: string; values: string[] }[] } =>
  ({ matchExpressions: [{ key: 'app', operator: 'In', values: [value] }] });

/** Flagger's podinfo pod spec: configs in volumes, projected volumes, env, envFrom, init containers. */
export function podinfoPodSpec(): V1PodSpec {
  return {
    initContainers: [{
      name: 'init',
      env: [
        { name: 'PODINFO_UI_COLOR', valueFrom: { configMapKeyRef: { name: 'podinfo-config-init-env', key: 'color' } } },
        { name: 'API_KEY', valueFrom: { secretKeyRef: { name: 'podinfo-secret-init-env', key: 'apiKey' } } },
      ],
      envFrom: [{ configMapRef: { name: 'podinfo-config-init-all-env' } }, { secretRef: { name: 'podinfo-secret-init-all-env' } }],
    }],
    containers: [{
      name: 'podinfo',
      image: 'quay.io/stefanprodan/podinfo:1.2.0',
      ports: [{ name: 'http', containerPort: 9898, protocol: 'TCP' }],
      env: [
        { name: 'PODINFO_UI_COLOR', valueFrom: { configMapKeyRef: { name: 'podinfo-config-env', key: 'color' } } },
        { name: 'API_KEY', valueFrom: { secretKeyRef: { name: 'podinfo-secret-env', key: 'apiKey' } } },
        { name: 'PLAIN', value: 'plain' },
      ],
      envFrom: [{ configMapRef: { name: 'podinfo-config-all-env' } }, { secretRef: { name: 'podinfo-secret-all-env' } }],
    }],
    volumes: [
      { name: 'config', configMap: { name: 'podinfo-config-vol', optional: false } },
      { name: 'secret', secret: { secretName: 'podinfo-secret-vol', optional: false } },
      {
        name: 'projected',
        projected: {
          sources: [
            { configMap: { name: 'podinfo-config-projected', items: [{ key: 'color', path: 'my-group/my-color' }] } },
            { secret: { name: 'podinfo-secret-projected', items: [{ key: 'apiKey', path: 'my-group/my-api-key' }] } },
            { downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
          ],
        },
      },
      { name: 'config-tracker-enabled', configMap: { name: 'podinfo-config-tracker-enabled' } },
      { name: 'config-tracker-disabled', configMap: { name: 'podinfo-config-tracker-disabled' } },
      { name: 'secret-tracker-enabled', secret: { secretName: 'podinfo-secret-tracker-enabled' } },
      { name: 'secret-tracker-disabled', secret: { secretName: 'podinfo-secret-tracker-disabled' } },
      { name: 'scratch', emptyDir: {} },
    ],
    affinity: {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: antiAffinitySelector('podinfo') } },
          { weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: antiAffinitySelector('arbitrary-app') } },
        ],
        requiredDuringSchedulingIgnoredDuringExecution: [
          { topologyKey: 'kubernetes.io/hostname', labelSelector: antiAffinitySelector('podinfo') },
          { topologyKey: 'kubernetes.io/hostname', labelSelector: antiAffinitySelector('arbitrary-app') },
        ],
      },
    },
    topologySpreadConstraints: [
      { maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: antiAffinitySelector('podinfo') },
      { maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: antiAffinitySelector('arbitrary-app') },
    ],
  };
}

/** Flagger's podinfo Deployment, selected by `app=podinfo` unless another selector label is given. */
export function podinfoDeployment(opts: { name?: string; label?: string; labelValue?: string; replicas?: number } = {}): Deployment {
  const { name = 'podinfo', label = 'app', labelValue = 'podinfo' } = opts;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name,
      namespace: 'default',
      uid: 'uid-target',
      resourceVersion: '42',
      generation: 3,
      annotations: {
        'kustomize.toolkit.fluxcd.io/checksum': '0a40893bfdc545d62125bd3e74eeb2ebaa7097c2',
        'kubectl.kubernetes.io/last-applied-configuration': '{}',
        'deployment.kubernetes.io/revision': '3',
        'test-annotation-1': 'test-annotation-value-1',
      },
      labels: { 'test-label-1': 'test-label-value-1', 'app.kubernetes.io/test-label-1': 'x', 'kustomize.toolkit.fluxcd.io/name': 'apps' },
    },
    spec: {
      replicas: opts.replicas,
      progressDeadlineSeconds: 60,
      minReadySeconds: 5,
      revisionHistoryLimit: 4,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0 } },
      selector: { matchLabels: { [label]: labelValue } },
      template: {
        metadata: {
          annotations: { 'test-annotation-1': 'test-annotation-value-1', 'flagger-id': 'old', 'helm.toolkit.fluxcd.io/x': 'y' },
          labels: { [label]: labelValue, 'test-label-1': 'test-label-value-1' },
        },
        spec: podinfoPodSpec(),
      },
    },
    status: { replicas: 1, updatedReplicas: 1, availableReplicas: 1 },
  };
}
