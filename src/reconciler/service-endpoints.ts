import { Resources } from '../kube/resources.js';
import type { TickContext } from './tick-context.js';

/**
 * Whether a Service has as many ready endpoints as the workload behind it has replicas; `undefined` when it
 * has, else what is missing. A Deployment's status can count pods before an endpoint controller (and so a
 * mesh or a kube-proxy) sends them traffic, and can still count pods a scale-down has just removed: a
 * ReplicaSet reports the pods it saw before deleting them, so a target bounced 2 → 0 → 2 can read "2
 * available" while none of its pods is ready. Traffic moves to a Service only once this says nothing.
 * Example: replicas 2, slices of podinfo-canary with 0 ready endpoints → "0 of 2 endpoints of podinfo-canary ready".
 * No slice at all means no endpoint controller maintains this Service (nothing to compare): the status decides.
 */
export async function endpointsShortfall(ctx: TickContext, service: string, replicas: number): Promise<string | undefined> {
  const slices = await ctx.deps.kube.list(Resources.endpointSlices, ctx.identity.namespace, `kubernetes.io/service-name=${service}`);
  if (slices.items.length === 0) return undefined;
  const endpoints = slices.items.flatMap((slice): NonNullable<typeof slice.endpoints> => slice.endpoints ?? []);
  // An endpoint whose `ready` is unset counts as ready (the EndpointSlice API's rule).
  const ready = endpoints.filter((e) => e.conditions?.ready !== false).length;
  return ready >= replicas ? undefined : `${ready} of ${replicas} endpoints of ${service} ready`;
}
