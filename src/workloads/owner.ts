/**
 * Owner references from the objects Songbird generates to their Canary, so that deleting a Canary
 * garbage-collects its primary Deployment, Services, config copies and HPA.
 */
import type { ObjectMeta, OwnerReference } from '../ports/kube.js';

/** apiVersion of the Canary kind. */
export const canaryApiVersion = 'flagger.app/v1beta1';
/** Kind of the Canary resource. */
export const canaryKind = 'Canary';

/**
 * The controller owner reference to a Canary: `flagger.app/v1beta1` `Canary`, `controller: true`,
 * `blockOwnerDeletion: true`. A Canary read from the API always has a uid; a missing one becomes `''`, which
 * the apiserver rejects, rather than a made-up value.
 *
 * parity: Flagger uses metav1.NewControllerRef with the same group, version and kind.
 */
export function controllerOwnerReference(canary: { metadata: { name: string; uid?: string } }): OwnerReference {
  return {
    apiVersion: canaryApiVersion,
    kind: canaryKind,
    name: canary.metadata.name,
    uid: canary.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Name of the Canary that controls the object (its `controller: true` owner of kind Canary), if any. */
export function controllingCanaryName(metadata: Pick<ObjectMeta, 'ownerReferences'>): string | undefined {
  const controller = metadata.ownerReferences?.find((ref) => ref.controller === true);
  return controller?.kind === canaryKind ? controller.name : undefined;
}

/**
 * Whether the object is controlled by the named Canary, i.e. was created by it; a Service the user created
 * (or another Canary's) is only taken over, and its metadata is left alone.
 *
 * parity: Flagger pkg/router/kubernetes_default.go isOwnedByCanary (its second result).
 */
export function isOwnedByCanary(metadata: Pick<ObjectMeta, 'ownerReferences'>, canaryName: string): boolean {
  return controllingCanaryName(metadata) === canaryName;
}
