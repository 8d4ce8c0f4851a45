/**
 * Label and annotation helpers shared by the primary Deployment, config copies, HPA and Services builders.
 * Every function returns a new map and never changes its input.
 */

/** Marker of Flux's own metadata keys (`kustomize.toolkit.fluxcd.io/…`, `helm.toolkit.fluxcd.io/…`). */
export const toolkitMarker = 'toolkit.fluxcd.io';

/** A selector label and its value, e.g. `{ key: 'app', value: 'podinfo' }`. */
export interface SelectorLabel {
  key: string;
  value: string;
}

/**
 * The selector label of a target: the first of the operator's ordered `selectorLabels` present in the
 * target's `spec.selector.matchLabels`, with its value; `undefined` when none is present.
 *
 * Example: labels `['app', 'name']` and matchLabels `{ name: 'web', app: 'podinfo' }` → `app=podinfo`.
 *
 * parity: Flagger pkg/canary/deployment_controller.go getSelectorLabel.
 */
export function pickSelectorLabel(
  matchLabels: Record<string, string> | undefined,
  selectorLabels: readonly string[],
): SelectorLabel | undefined {
  for (const key of selectorLabels) {
    const value = matchLabels?.[key];
    if (value !== undefined) return { key, value };
  }
  return undefined;
}

/**
 * The entries whose key starts with one of `prefixes`; `*` keeps everything, an empty list (or only empty
 * strings) keeps nothing.
 *
 * Example: `{ foo: 1, bar: 2, lorem: 3 }` with `['foo', 'lor']` → `{ foo: 1, lorem: 3 }`.
 *
 * parity: Flagger pkg/canary/util.go includeLabelsByPrefix, minus its toolkit filtering, which callers
 * compose with {@link withoutToolkitKeys}.
 */
export function filterByPrefixes(map: Record<string, string> | undefined, prefixes: readonly string[]): Record<string, string> {
  const keep = (key: string): boolean => prefixes.some((p) => p === '*' || (p !== '' && key.startsWith(p)));
  return Object.fromEntries(Object.entries(map ?? {}).filter(([key]) => keep(key)));
}

/**
 * The entries whose key does not contain `toolkit.fluxcd.io`, so that Flux's ownership and checksum
 * metadata of the target is not copied onto objects Flux does not manage.
 */
export function withoutToolkitKeys(map: Record<string, string> | undefined): Record<string, string> {
  return withoutKeys(map, (key) => key.includes(toolkitMarker));
}

/** The entries whose key does not match `drop`. */
export function withoutKeys(map: Record<string, string> | undefined, drop: (key: string) => boolean): Record<string, string> {
  return Object.fromEntries(Object.entries(map ?? {}).filter(([key]) => !drop(key)));
}

/**
 * Labels of a primary object: `labels` without toolkit keys and with the selector label set to the primary
 * value. Example: `{ app: 'podinfo', team: 'a' }` with `app=podinfo-primary` →
 * `{ app: 'podinfo-primary', team: 'a' }`.
 *
 * parity: Flagger pkg/canary/util.go makePrimaryLabels.
 */
export function primaryLabels(labels: Record<string, string> | undefined, selector: SelectorLabel): Record<string, string> {
  return { ...withoutToolkitKeys(labels), [selector.key]: selector.value };
}

/** The `<name>-primary` name of a primary object (Deployment, ConfigMap, Secret, HPA, Service, label value). */
export function primaryName(name: string): string {
  return `${name}-primary`;
}
