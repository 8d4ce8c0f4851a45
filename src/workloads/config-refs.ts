/**
 * Config tracking (spec §2.3, §3.5): which ConfigMaps and Secrets a pod spec uses, which of them are
 * tracked, and the pod spec of the primary, where every tracked reference points at the `-primary` copy.
 */
import type { V1Container, V1PodSpec, V1Volume } from '@kubernetes/client-node';
import { configChecksum } from '../core/revision.js';
import type { ConfigMap, Secret } from '../kube/resources.js';
import { primaryName } from './labels.js';

/** The two kinds of tracked configuration objects. */
export type ConfigKind = 'ConfigMap' | 'Secret';

/** A reference from a pod spec to a ConfigMap or Secret; `optional` when the pod starts without it. */
export interface ConfigRef {
  kind: ConfigKind;
  name: string;
  optional: boolean;
}

/** Names of the tracked ConfigMaps and Secrets, i.e. those that get a `-primary` copy. */
export interface TrackedConfigNames {
  configMaps: ReadonlySet<string>;
  secrets: ReadonlySet<string>;
}

/** A referenced config object as read from the API, with its kind (listed objects may lack `kind`). */
export interface FoundConfig {
  kind: ConfigKind;
  config: ConfigMap | Secret;
}

/** Annotation that turns tracking off for one ConfigMap or Secret when its value starts with `disable`. */
export const configTrackingAnnotation = 'flagger.app/config-tracking';

/** Secret types that are tracked; others (registry credentials, service account tokens…) are not. */
export const trackableSecretTypes: ReadonlySet<string> = new Set([
  'Opaque', 'kubernetes.io/basic-auth', 'kubernetes.io/ssh-auth', 'kubernetes.io/tls',
]);

/** One place in a pod spec that names a ConfigMap or Secret, and how to rename it (on a copy). */
interface RefSlot {
  kind: ConfigKind;
  name: string;
  optional: boolean;
  setName(name: string): void;
}

type RefHolder = { name?: string; secretName?: string; optional?: boolean } | undefined;

function slot(kind: ConfigKind, holder: RefHolder, field: 'name' | 'secretName' = 'name'): RefSlot[] {
  const name = holder?.[field];
  if (!holder || !name) return [];
  return [{ kind, name, optional: holder.optional === true, setName: (n) => { holder[field] = n; } }];
}

function volumeSlots(volume: V1Volume): RefSlot[] {
  const projected = volume.projected?.sources ?? [];
  return [
    ...slot('ConfigMap', volume.configMap),
    ...slot('Secret', volume.secret, 'secretName'),
    ...projected.flatMap((source) => [...slot('ConfigMap', source.configMap), ...slot('Secret', source.secret)]),
  ];
}

function containerSlots(container: V1Container): RefSlot[] {
  return [
    ...(container.env ?? []).flatMap((env) => [
      ...slot('ConfigMap', env.valueFrom?.configMapKeyRef),
      ...slot('Secret', env.valueFrom?.secretKeyRef),
    ]),
    ...(container.envFrom ?? []).flatMap((from) => [...slot('ConfigMap', from.configMapRef), ...slot('Secret', from.secretRef)]),
  ];
}

function refSlots(spec: V1PodSpec): RefSlot[] {
  const containers = [...spec.containers, ...(spec.initContainers ?? [])];
  return [...(spec.volumes ?? []).flatMap(volumeSlots), ...containers.flatMap(containerSlots)];
}

/**
 * Every ConfigMap and Secret the pod spec references, from volumes (including projected sources),
 * `env[].valueFrom` and `envFrom` of containers and init containers, once each, in order of first use. A
 * reference is optional only when every use of it is optional.
 *
 * parity: Flagger pkg/canary/config_tracker.go GetTargetConfigs keeps the optional flag of the last use it
 * scanned, so a config used as a mandatory volume and an optional env var could be skipped when missing.
 */
export function configReferences(podSpec: V1PodSpec | undefined): ConfigRef[] {
  const refs = new Map<string, ConfigRef>();
  for (const { kind, name, optional } of podSpec ? refSlots(podSpec) : []) {
    const key = trackedConfigKey({ kind, name });
    const seen = refs.get(key);
    refs.set(key, { kind, name, optional: optional && (seen?.optional ?? true) });
  }
  return [...refs.values()];
}

/**
 * A copy of the pod spec in which every reference to a tracked ConfigMap or Secret names its `-primary`
 * copy; untracked references (tracking disabled, unsupported Secret type, missing optional config) are kept.
 *
 * parity: Flagger pkg/canary/config_tracker.go ApplyPrimaryConfigs.
 */
export function renameConfigReferences(podSpec: V1PodSpec, tracked: TrackedConfigNames): V1PodSpec {
  const copy = structuredClone(podSpec);
  for (const ref of refSlots(copy)) {
    const names = ref.kind === 'ConfigMap' ? tracked.configMaps : tracked.secrets;
    if (names.has(ref.name)) ref.setName(primaryName(ref.name));
  }
  return copy;
}

/**
 * Whether a ConfigMap or Secret is tracked: not annotated `flagger.app/config-tracking: disable…`, and for
 * Secrets only the types Opaque, basic-auth, ssh-auth and tls (or no type, which the apiserver reads as
 * Opaque).
 *
 * parity: Flagger pkg/canary/config_tracker.go getRefFromSecret / configIsDisabled.
 */
export function isTrackable(config: ConfigMap | Secret): boolean {
  if (config.metadata.annotations?.[configTrackingAnnotation]?.startsWith('disable')) return false;
  const type = 'type' in config ? config.type : undefined;
  return !type || trackableSecretTypes.has(type);
}

/** Key of a config in `status.trackedConfigs`: `configmap/<name>` or `secret/<name>` (Flagger's format). */
export function trackedConfigKey(ref: { kind: ConfigKind; name: string }): string {
  return `${ref.kind === 'ConfigMap' ? 'configmap' : 'secret'}/${ref.name}`;
}

/**
 * The `status.trackedConfigs` map for the configs found: trackable ones only, each with its checksum.
 * Example: `{ 'configmap/podinfo-config': '0f3c…', 'secret/podinfo-token': '9a1b…' }`.
 */
export function trackedConfigChecksums(found: readonly FoundConfig[]): Record<string, string> {
  const entries = found
    .filter(({ config }) => isTrackable(config))
    .map(({ kind, config }) => [trackedConfigKey({ kind, name: config.metadata.name }), configChecksum(config)]);
  return Object.fromEntries(entries) as Record<string, string>;
}

/** The names of the trackable configs found, as {@link renameConfigReferences} and the primary builder take them. */
export function trackedConfigNames(found: readonly FoundConfig[]): TrackedConfigNames {
  const names = (kind: ConfigKind): Set<string> =>
    new Set(found.filter((f) => f.kind === kind && isTrackable(f.config)).map((f) => f.config.metadata.name));
  return { configMaps: names('ConfigMap'), secrets: names('Secret') };
}
