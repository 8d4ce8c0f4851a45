/**
 * The `-primary` copies of tracked ConfigMaps and Secrets (spec §3.5 with the §13 correction): the primary
 * Deployment mounts these, so a changed config reaches the primary only when it is promoted.
 */
import { canonicalJson } from '../core/revision.js';
import type { ConfigMap, Secret } from '../kube/resources.js';
import type { OwnerReference } from '../ports/kube.js';
import type { ConfigKind } from './config-refs.js';
import { filterByPrefixes, primaryName, withoutToolkitKeys } from './labels.js';

/** Input of {@link desiredPrimaryConfig}. */
export interface PrimaryConfigInput<T extends ConfigMap | Secret> {
  /** Controller reference to this Canary. */
  owner: OwnerReference;
  /** The operator's `--include-label-prefix` list (`*` = all). */
  includeLabelPrefixes: readonly string[];
  /** The current `-primary` copy, when it exists: its other owners are kept. */
  existingCopy?: T;
}

/**
 * The desired `<name>-primary` copy of a tracked ConfigMap or Secret: its content (`data`, `binaryData`,
 * `stringData`, Secret `type`), its labels filtered by the include prefixes (toolkit keys dropped), no
 * annotations, and owner references: this Canary as controller, then every other owner of the existing copy
 * with `controller: false`, so a config shared by several canaries is not garbage-collected with the first.
 *
 * parity: Flagger pkg/canary/config_tracker.go CreatePrimaryConfigs, which drops ConfigMap `binaryData`
 * (quirk §12.18); copied here.
 */
export function desiredPrimaryConfig<T extends ConfigMap | Secret>(config: T, input: PrimaryConfigInput<T>): T {
  const { type, data, binaryData, stringData } = config as Secret & ConfigMap;
  const content = Object.fromEntries(
    Object.entries({ type, data, binaryData, stringData }).filter(([, value]) => value !== undefined).map(([k, v]) => [k, structuredClone(v)]),
  );
  return {
    apiVersion: 'v1',
    kind: configKindOf(config),
    metadata: {
      name: primaryName(config.metadata.name),
      namespace: config.metadata.namespace,
      labels: filterByPrefixes(withoutToolkitKeys(config.metadata.labels), input.includeLabelPrefixes),
      ownerReferences: primaryConfigOwners(input.owner, input.existingCopy),
    },
    ...content,
  } as T;
}

/**
 * This Canary as controller, followed by the existing copy's other owners demoted to `controller: false`
 * (an object may have only one controller). Any earlier reference to this Canary is replaced.
 *
 * Example: existing `[Canary a (controller), Canary b]`, owner `Canary b` → `[Canary b (controller),
 * Canary a (controller: false)]`.
 */
function primaryConfigOwners(owner: OwnerReference, existingCopy: ConfigMap | Secret | undefined): OwnerReference[] {
  const others = (existingCopy?.metadata.ownerReferences ?? [])
    .filter((ref) => !(ref.kind === owner.kind && ref.name === owner.name))
    .map((ref) => ({ ...ref, controller: false }));
  return [owner, ...others];
}

/**
 * Whether the existing `-primary` copy differs from the desired one in content, labels or owners, so that
 * an unchanged config costs no API write.
 */
export function primaryConfigNeedsUpdate<T extends ConfigMap | Secret>(existing: T, desired: T): boolean {
  return canonicalJson(comparable(existing)) !== canonicalJson(comparable(desired));
}

function comparable(config: ConfigMap | Secret): unknown {
  const { type, data, binaryData, stringData } = config as Secret & ConfigMap;
  const { labels = {}, ownerReferences = [] } = config.metadata;
  return { type, data: data ?? {}, binaryData: binaryData ?? {}, stringData: stringData ?? {}, labels, ownerReferences };
}

/**
 * Kind of a config object: its `kind` when set; otherwise a Secret when it has a Secret-only field
 * (`type`, `stringData`), else a ConfigMap.
 */
export function configKindOf(config: ConfigMap | Secret): ConfigKind {
  if (config.kind === 'ConfigMap' || config.kind === 'Secret') return config.kind;
  return 'type' in config || 'stringData' in config ? 'Secret' : 'ConfigMap';
}
