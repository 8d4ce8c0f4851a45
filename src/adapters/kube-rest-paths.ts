import type { ResourceType } from '../ports/kube.js';

/**
 * REST path of a collection or object.
 * Examples: Deployment `podinfo` in `test` → `/apis/apps/v1/namespaces/test/deployments/podinfo`;
 * all Services → `/api/v1/services`.
 */
export function resourcePath(
  type: ResourceType,
  target: { namespace?: string | undefined; name?: string | undefined; subresource?: string | undefined },
): string {
  const base = type.group === '' ? `/api/${type.version}` : `/apis/${type.group}/${type.version}`;
  const ns = type.namespaced && target.namespace !== undefined ? `/namespaces/${encodeURIComponent(target.namespace)}` : '';
  const name = target.name === undefined ? '' : `/${encodeURIComponent(target.name)}`;
  const sub = target.subresource === undefined ? '' : `/${target.subresource}`;
  return `${base}${ns}/${type.plural}${name}${sub}`;
}

/** The Content-Type the API server expects for each patch kind. */
export const PATCH_CONTENT_TYPES = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
} as const;
