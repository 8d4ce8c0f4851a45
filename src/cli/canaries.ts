/** Reading Canaries for the plugin: one by name (not found is an error), or every one in a namespace or all. */
import type { Canary } from '../api/canary.js';
import { flaggerType } from '../kube/resources.js';
import type { Kube, KubeObject } from '../ports/kube.js';
import { CliError } from './output.js';

/**
 * A Canary as the API server returns it. Not parsed: the plugin shows what is stored, including status
 * fields this version does not know yet.
 */
export type CanaryObject = Canary & KubeObject;

/** The Canary resource type. */
export const canaries = flaggerType<CanaryObject>('Canary');

/** The Canary `name` in `namespace`; a CliError like kubectl's when it does not exist. */
export async function getCanary(kube: Kube, namespace: string, name: string): Promise<CanaryObject> {
  const canary = await kube.get(canaries, namespace, name);
  if (canary === undefined) throw new CliError(`canaries.flagger.app "${name}" not found in namespace "${namespace}"`);
  return canary;
}

/** Every Canary of `namespace` (all namespaces when undefined), by namespace then name. */
export async function listCanaries(kube: Kube, namespace: string | undefined): Promise<CanaryObject[]> {
  const { items } = await kube.list(canaries, namespace);
  return items.sort((a, b) => `${a.metadata.namespace ?? ''}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace ?? ''}/${b.metadata.name}`));
}

/** The Canaries a command names: `name` in the namespace, or all of the namespace (or cluster). */
export async function selectCanaries(kube: Kube, namespace: string | undefined, name: string | undefined): Promise<CanaryObject[]> {
  if (name === undefined) return listCanaries(kube, namespace);
  if (namespace === undefined) throw new CliError('a resource cannot be retrieved by name across all namespaces');
  return [await getCanary(kube, namespace, name)];
}
