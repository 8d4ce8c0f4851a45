import type {
  CoreV1Event, V1ConfigMap, V1DaemonSet, V1Deployment, V1EndpointSlice, V2HorizontalPodAutoscaler, V1Ingress, V1Lease, V1Secret, V1Service,
} from '@kubernetes/client-node';
import type { KubeObject, ResourceType } from '../ports/kube.js';

/** A client-node type with our metadata (as the REST API returns it: timestamps are strings). */
export type WithMeta<T> = Omit<T, 'metadata' | 'apiVersion' | 'kind'> & KubeObject;

export type Deployment = WithMeta<V1Deployment>;
export type DaemonSet = WithMeta<V1DaemonSet>;
export type Service = WithMeta<V1Service>;
export type ConfigMap = WithMeta<V1ConfigMap>;
export type Secret = WithMeta<V1Secret>;
export type HorizontalPodAutoscaler = WithMeta<V2HorizontalPodAutoscaler>;
export type Ingress = WithMeta<V1Ingress>;
export type Lease = WithMeta<V1Lease>;
export type KubeEvent = WithMeta<CoreV1Event>;
export type EndpointSlice = WithMeta<V1EndpointSlice>;
/** A Keptn KeptnMetric or Analysis (`metrics.keptn.sh`); the keptn metric provider reads only `status`. */
export interface KeptnObject extends KubeObject {
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

/** A KEDA trigger of a ScaledObject (`spec.triggers[]`); `metadata` holds the scaler's settings, e.g. `query`. */
export interface ScaleTrigger {
  type: string;
  name?: string;
  metadata: Record<string, string>;
  [field: string]: unknown;
}

/** A `keda.sh/v1alpha1` ScaledObject: the fields Songbird reads or writes; the others are carried over as read. */
export interface ScaledObject extends KubeObject {
  spec?: {
    scaleTargetRef: { name: string; kind?: string; apiVersion?: string; envSourceContainerName?: string };
    pollingInterval?: number;
    cooldownPeriod?: number;
    minReplicaCount?: number;
    maxReplicaCount?: number;
    idleReplicaCount?: number;
    advanced?: { horizontalPodAutoscalerConfig?: { name?: string; [field: string]: unknown }; [field: string]: unknown };
    fallback?: Record<string, unknown>;
    triggers: ScaleTrigger[];
    [field: string]: unknown;
  };
  status?: Record<string, unknown>;
}

// `apiVersion` is `group/version`, or `version` for the core group.
function type<T extends KubeObject>(apiVersion: string, kind: string, plural: string,
  opts: { namespaced?: boolean; hasStatus?: boolean } = {}): ResourceType<T> {
  const [group, version] = apiVersion.includes('/') ? (apiVersion.split('/') as [string, string]) : ['', apiVersion];
  return { group, version, kind, plural, namespaced: opts.namespaced ?? true, hasStatus: opts.hasStatus ?? false };
}

/** Every resource type the operator reads or writes. */
export const Resources = {
  deployments: type<Deployment>('apps/v1', 'Deployment', 'deployments', { hasStatus: true }),
  daemonSets: type<DaemonSet>('apps/v1', 'DaemonSet', 'daemonsets', { hasStatus: true }),
  services: type<Service>('v1', 'Service', 'services', { hasStatus: true }),
  configMaps: type<ConfigMap>('v1', 'ConfigMap', 'configmaps'),
  secrets: type<Secret>('v1', 'Secret', 'secrets'),
  events: type<KubeEvent>('v1', 'Event', 'events'),
  endpointSlices: type<EndpointSlice>('discovery.k8s.io/v1', 'EndpointSlice', 'endpointslices'),
  namespaces: type<KubeObject>('v1', 'Namespace', 'namespaces', { namespaced: false, hasStatus: true }),
  hpas: type<HorizontalPodAutoscaler>('autoscaling/v2', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers', { hasStatus: true }),
  ingresses: type<Ingress>('networking.k8s.io/v1', 'Ingress', 'ingresses', { hasStatus: true }),
  leases: type<Lease>('coordination.k8s.io/v1', 'Lease', 'leases'),
  virtualServices: type<KubeObject>('networking.istio.io/v1beta1', 'VirtualService', 'virtualservices', { hasStatus: true }),
  destinationRules: type<KubeObject>('networking.istio.io/v1beta1', 'DestinationRule', 'destinationrules', { hasStatus: true }),
  customResourceDefinitions: type<KubeObject & { status?: { conditions?: { type: string; status: string }[] } }>(
    'apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'customresourcedefinitions', { namespaced: false, hasStatus: true }),
  httpRoutes: type<KubeObject>('gateway.networking.k8s.io/v1', 'HTTPRoute', 'httproutes', { hasStatus: true }),
  scaledObjects: type<ScaledObject>('keda.sh/v1alpha1', 'ScaledObject', 'scaledobjects', { hasStatus: true }),
  targetGroupBindings: type<KubeObject>('elbv2.k8s.aws/v1beta1', 'TargetGroupBinding', 'targetgroupbindings', { hasStatus: true }),
  keptnMetrics: type<KeptnObject>('metrics.keptn.sh/v1beta1', 'KeptnMetric', 'keptnmetrics', { hasStatus: true }),
  keptnAnalyses: type<KeptnObject>('metrics.keptn.sh/v1beta1', 'Analysis', 'analyses', { hasStatus: true }),
} as const;

/** Resource type of one of our flagger.app kinds, typed by the caller's object type. */
export function flaggerType<T extends KubeObject>(kind: 'Canary' | 'MetricTemplate' | 'AlertProvider'): ResourceType<T> {
  const plural = { Canary: 'canaries', MetricTemplate: 'metrictemplates', AlertProvider: 'alertproviders' }[kind];
  return type<T>('flagger.app/v1beta1', kind, plural, { hasStatus: true });
}
