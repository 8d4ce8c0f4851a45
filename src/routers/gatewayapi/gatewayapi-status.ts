/**
 * What the Gateway controllers report on an HTTPRoute (`status.parents`). Pure.
 */
import { canonicalJson } from '../../core/revision.js';
import type { HttpRoute, ParentRef, RouteParentStatus } from './gatewayapi-objects.js';

type Condition = NonNullable<RouteParentStatus['conditions']>[number];

const withDefaults = (ref: Partial<ParentRef>): Partial<ParentRef> =>
  ({ group: 'gateway.networking.k8s.io', kind: 'Gateway', ...ref });

/**
 * Why the split of an HTTPRoute may not be in force yet, or `undefined` when it is: a parent of the spec
 * whose status has an `Accepted` condition that is not True, or that was observed for an older generation.
 * A parent no controller has reported on yet is not waited for.
 * Example: parent `gw` with `Accepted: False` → `is not accepted by parent gw (reason NotAllowedByListeners)`.
 *
 * parity: Flagger pkg/router/gateway_api.go GetRoutes, same check.
 */
export function notAcceptedParents(route: HttpRoute): string | undefined {
  const generation = route.metadata.generation ?? 0;
  for (const parent of route.spec?.parentRefs ?? []) {
    const accepted = acceptedCondition(route, parent);
    if (accepted === undefined) continue;
    if (accepted.status !== 'True') return `is not accepted by parent ${parent.name} (reason ${accepted.reason ?? 'unknown'})`;
    if ((accepted.observedGeneration ?? 0) < generation) return `generation ${generation} is not yet observed by parent ${parent.name}`;
  }
  return undefined;
}

function acceptedCondition(route: HttpRoute, parent: ParentRef): Condition | undefined {
  const status = route.status?.parents?.find((p) => canonicalJson(withDefaults(p.parentRef)) === canonicalJson(withDefaults(parent)));
  return status?.conditions?.find((c) => c.type === 'Accepted');
}
