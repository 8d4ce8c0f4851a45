import type { Kube, KubeObject, ResourceType } from '../../ports/kube.js';

/**
 * Creates `desired` when `existing` is absent, else sends `update(existing, desired)` as a merge patch when it
 * returns a body. Returns true when anything was written. Steady state returns false without any API call.
 */
export async function applyDesired<T extends KubeObject>(kube: Kube, type: ResourceType<T>,
  objects: { existing: T | undefined; desired: T }, update: (existing: T, desired: T) => unknown): Promise<boolean> {
  const { existing, desired } = objects;
  if (existing === undefined) {
    await kube.create(type, desired);
    return true;
  }
  const body = update(existing, desired);
  if (body === undefined) return false;
  await kube.patch(type, { namespace: existing.metadata.namespace, name: existing.metadata.name }, body);
  return true;
}
