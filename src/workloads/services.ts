/**
 * The apex, primary and canary Services (spec §4 with the §13 corrections) and the minimal merge patch that
 * brings an existing Service to the desired one, so that steady state costs no API write.
 */
import type { V1Container, V1ServiceSpec } from '@kubernetes/client-node';
import type { Service } from '../kube/resources.js';
import type { OwnerReference } from '../ports/kube.js';
import { primaryName, type SelectorLabel } from './labels.js';
import { mapPatch } from './merge-patch.js';
import { samePorts, servicePorts, withExistingNodePorts, type ServicePortOptions } from './service-ports.js';

/** Labels and annotations the Canary asks for on one generated Service (`service.apex` and friends). */
export interface ServiceMetadata {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** The `spec.service` fields the Services depend on; a Canary's `spec.service` can be passed as is. */
export interface ServiceOptions extends ServicePortOptions {
  trafficDistribution?: string;
  headless?: boolean;
  apex?: ServiceMetadata;
  primary?: ServiceMetadata;
  canary?: ServiceMetadata;
}

/** Input of {@link desiredServices}. */
export interface ServicesInput {
  namespace: string;
  /** Apex Service name (`service.name`, default `targetRef.name`). */
  serviceName: string;
  /** The target's selector label and value, e.g. `app=podinfo`. */
  selector: SelectorLabel;
  /** Controller reference to this Canary. */
  owner: OwnerReference;
  service: ServiceOptions;
  /** The target's containers, for port discovery. */
  targetContainers: V1Container[];
}

/** Annotations that keep Flux from reverting or drift-correcting objects Songbird manages. */
export const fluxOptOutAnnotations: Readonly<Record<string, string>> = {
  'kustomize.toolkit.fluxcd.io/reconcile': 'disabled',
  'helm.toolkit.fluxcd.io/driftDetection': 'disabled',
};

/**
 * The three desired Services: `<name>-canary` selecting `L=V`, `<name>-primary` and the apex `<name>` both
 * selecting `L=V-primary`. Each is a ClusterIP Service (`clusterIP: None` when headless) with the ports of
 * {@link servicePorts}, `trafficDistribution` when set, labels = its metadata labels plus `L: <its name>`,
 * annotations = its metadata annotations plus {@link fluxOptOutAnnotations}, owned by the Canary.
 *
 * parity: Flagger pkg/router/kubernetes_default.go reconcileService; the user's `toolkit.fluxcd.io`
 * annotation keys are kept (spec §13).
 */
export function desiredServices(input: ServicesInput): { apex: Service; primary: Service; canary: Service } {
  const primaryValue = primaryName(input.selector.value);
  return {
    apex: desiredService(input, input.serviceName, primaryValue, input.service.apex),
    primary: desiredService(input, primaryName(input.serviceName), primaryValue, input.service.primary),
    canary: desiredService(input, `${input.serviceName}-canary`, input.selector.value, input.service.canary),
  };
}

function desiredService(input: ServicesInput, name: string, podSelectorValue: string, metadata: ServiceMetadata | undefined): Service {
  const { service, selector } = input;
  const spec: V1ServiceSpec = {
    type: 'ClusterIP',
    selector: { [selector.key]: podSelectorValue },
    ports: servicePorts(service, input.targetContainers),
    ...(service.headless ? { clusterIP: 'None' } : {}),
    ...(service.trafficDistribution ? { trafficDistribution: service.trafficDistribution } : {}),
  };
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace: input.namespace,
      labels: { ...metadata?.labels, [selector.key]: name },
      annotations: { ...metadata?.annotations, ...fluxOptOutAnnotations },
      ownerReferences: [{ ...input.owner }],
    },
    spec,
  };
}

/** Options of {@link serviceUpdate}. */
export interface ServiceUpdateOptions {
  /** True when the existing Service is controlled by this Canary (see `isOwnedByCanary`). */
  ownedByCanary: boolean;
  /** `service.unmanagedMetadata`: keys whose existing values are kept on owned Services. */
  unmanaged: { labels: readonly string[]; annotations: readonly string[] };
}

/**
 * JSON merge-patch body that brings `existing` to `desired`, or `undefined` when nothing differs.
 *
 * - ports, when they differ regardless of order, are sent whole, keeping existing node ports by port name;
 * - the selector is made exactly the desired one (other keys set to `null`);
 * - `trafficDistribution` is set when desired; it is removed only from Services this Canary owns;
 * - owned Services: labels and annotations become the desired ones, except that keys listed as unmanaged
 *   keep their existing values; any other key is removed;
 * - taken-over Services (a user's, or another Canary's) keep their metadata and only get the Flux opt-out
 *   annotations;
 * - `type` and `clusterIP` are never patched (the latter is immutable).
 *
 * parity: Flagger pkg/router/kubernetes_default.go reconcileService, which compares with go-cmp and then
 * does a full Update; also applies `trafficDistribution` changes, which Flagger sets only at creation.
 */
export function serviceUpdate(existing: Service, desired: Service, opts: ServiceUpdateOptions): unknown {
  const spec = specPatch(existing, desired, opts.ownedByCanary);
  const metadata = opts.ownedByCanary ? ownedMetadataPatch(existing, desired, opts.unmanaged) : takenOverMetadataPatch(existing);
  if (!spec && !metadata) return undefined;
  return { ...(metadata ? { metadata } : {}), ...(spec ? { spec } : {}) };
}

function specPatch(existing: Service, desired: Service, owned: boolean): Record<string, unknown> | undefined {
  const ports = withExistingNodePorts(desired.spec?.ports ?? [], existing.spec?.ports);
  const patch: Record<string, unknown> = {
    ...(samePorts(existing.spec?.ports, ports) ? {} : { ports }),
    ...optional('selector', mapPatch(existing.spec?.selector, desired.spec?.selector)),
    ...optional('trafficDistribution', trafficDistributionPatch(existing.spec, desired.spec, owned)),
  };
  return Object.keys(patch).length > 0 ? patch : undefined;
}

/** The new `trafficDistribution` (`null` = remove), or `undefined` to leave it alone. */
function trafficDistributionPatch(existing: V1ServiceSpec | undefined, desired: V1ServiceSpec | undefined, owned: boolean): string | null | undefined {
  const wanted = desired?.trafficDistribution;
  if (wanted === existing?.trafficDistribution) return undefined;
  if (wanted !== undefined) return wanted;
  return owned ? null : undefined;
}

function ownedMetadataPatch(existing: Service, desired: Service, unmanaged: ServiceUpdateOptions['unmanaged']): Record<string, unknown> | undefined {
  const labels = { ...desired.metadata.labels, ...pick(existing.metadata.labels, unmanaged.labels) };
  const annotations = { ...desired.metadata.annotations, ...pick(existing.metadata.annotations, unmanaged.annotations) };
  const patch = {
    ...optional('labels', mapPatch(existing.metadata.labels, labels)),
    ...optional('annotations', mapPatch(existing.metadata.annotations, annotations)),
  };
  return Object.keys(patch).length > 0 ? patch : undefined;
}

function takenOverMetadataPatch(existing: Service): Record<string, unknown> | undefined {
  const missing = Object.entries(fluxOptOutAnnotations).filter(([key, value]) => existing.metadata.annotations?.[key] !== value);
  return missing.length > 0 ? { annotations: Object.fromEntries(missing) } : undefined;
}

function pick(map: Record<string, string> | undefined, keys: readonly string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(map ?? {}).filter(([key]) => keys.includes(key)));
}

function optional<V>(key: string, value: V | undefined): Record<string, V> {
  return value === undefined ? {} : { [key]: value };
}
