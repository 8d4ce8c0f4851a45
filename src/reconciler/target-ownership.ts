import type { ConditionUpdate } from '../api/conditions.js';
import type { KubeObject } from '../ports/kube.js';

type CanaryObject = KubeObject & { spec?: unknown };

/** The reason of the Stalled condition of a Canary whose target another Canary manages. */
export const targetAlreadyManaged = 'TargetAlreadyManaged' as const;

function targetOf(canary: CanaryObject): string | undefined {
  const ref = (canary.spec as { targetRef?: { kind?: unknown; name?: unknown } } | undefined)?.targetRef;
  return typeof ref?.name === 'string' ? `${String(ref.kind)}/${ref.name}` : undefined;
}

// Older first: creationTimestamp (RFC 3339 in UTC, so it sorts as a string), then name.
function isOlder(a: CanaryObject, b: CanaryObject): boolean {
  const at = a.metadata.creationTimestamp ?? '';
  const bt = b.metadata.creationTimestamp ?? '';
  return at !== bt ? at < bt : a.metadata.name < b.metadata.name;
}

/**
 * The Canary that manages `canary`'s target when it is not `canary` itself: a target (and its `-primary`
 * and Services) belongs to exactly one Canary, the oldest in the namespace that names it, with the name as
 * the tie-break, so every tick and every replica picks the same owner from the same cache. Two canaries
 * with different specs on one target would otherwise each rewrite what the other just wrote, and each
 * write triggers the other's tick at once: a hot loop (two specs differing only in `service.port` rewrote
 * the three Services thousands of times a simulated second).
 * Example: podinfo-a created at 10:00 and podinfo-b at 10:05 both name Deployment podinfo: podinfo-a owns
 * it; podinfo-b is Stalled until podinfo-a is gone, then owns it.
 * parity: Flagger lets both reconcile the same objects and fight over them.
 */
export function targetOwner(canary: CanaryObject, canaries: readonly CanaryObject[]): CanaryObject | undefined {
  const target = targetOf(canary);
  if (target === undefined) return undefined;
  let owner: CanaryObject = canary;
  for (const other of canaries) {
    if (other.metadata.namespace === canary.metadata.namespace && targetOf(other) === target && isOlder(other, owner)) owner = other;
  }
  return owner === canary || owner.metadata.name === canary.metadata.name ? undefined : owner;
}

/** The Stalled condition of a Canary whose target `owner` manages. */
export function notOwnerCondition(targetName: string, owner: string): ConditionUpdate {
  return { type: 'Stalled', status: 'True', reason: targetAlreadyManaged, message: `spec.targetRef: target ${targetName} is already managed by Canary ${owner}` };
}
