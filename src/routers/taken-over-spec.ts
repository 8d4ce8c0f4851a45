import type { Canary } from '../api/canary.js';
import { mergePatchDiff } from '../kube/merge-patch-diff.js';
import type { OwnerReference } from '../ports/kube.js';
import { isOwnedByCanary } from '../workloads/owner.js';

/** Annotation that keeps the spec of a user's routing object as it was before a router took it over. */
export const originalConfigAnnotation = 'flagger.kubernetes.io/original-configuration';

/** kubectl's client-side apply record; when present it already holds the user's spec. */
export const kubectlLastAppliedAnnotation = 'kubectl.kubernetes.io/last-applied-configuration';

/** A routing object a router may have taken over from its user (a VirtualService, an HTTPRoute). */
export interface TakenOverObject<S> {
  metadata: {
    name?: string; namespace?: string; resourceVersion?: string; annotations?: Record<string, string>; ownerReferences?: OwnerReference[];
  };
  spec?: S;
}

/**
 * The spec the object had before the takeover: kubectl's last-applied record when there is one (it holds what
 * the user wrote), else the copy saved at takeover; `undefined` when the router created the object. `kind`
 * only names the object in the error a malformed annotation gives.
 */
export function originalSpec<S>(existing: TakenOverObject<S>, kind: string): S | undefined {
  const annotations = existing.metadata.annotations ?? {};
  const kubectl = annotations[kubectlLastAppliedAnnotation];
  if (kubectl !== undefined) return ((parseAnnotation(existing, kind, kubectlLastAppliedAnnotation, kubectl) as { spec?: S }).spec ?? {}) as S;
  const saved = annotations[originalConfigAnnotation];
  return saved === undefined ? undefined : parseAnnotation(existing, kind, originalConfigAnnotation, saved) as S;
}

function parseAnnotation(existing: TakenOverObject<unknown>, kind: string, key: string, text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new Error(`${kind} ${existing.metadata.name ?? ''}.${existing.metadata.namespace ?? ''} failed to unmarshal annotation ${key}`);
}

/**
 * Patch that restores the whole spec the object had before the takeover (every spec field, not only the
 * owned ones) and drops the saved copy; `undefined` when there is nothing to restore.
 * parity: Flagger's routers' Finalize keep the saved copy.
 */
export function finalizePatch<S extends object>(existing: TakenOverObject<S>, kind: string): unknown {
  const original = originalSpec(existing, kind);
  if (original === undefined) return undefined;
  const spec = mergePatchDiff(existing.spec ?? {}, original);
  const saved = existing.metadata.annotations?.[originalConfigAnnotation] !== undefined;
  if (spec === undefined && !saved) return undefined;
  return {
    metadata: { resourceVersion: existing.metadata.resourceVersion, ...(saved ? { annotations: { [originalConfigAnnotation]: null } } : {}) },
    ...(spec === undefined ? {} : { spec }),
  };
}

/**
 * The finalize patch of a routing object the router created: `spec`, its managed routes sent to the apex
 * Service (`undefined` once done), and, with `keep`, the Canary's owner reference removed so that the garbage
 * collector leaves the object to the clients that reach the application through it. `undefined` when neither
 * is left to do, so finalizing twice writes once.
 */
export function handBackPatch(existing: TakenOverObject<unknown>, canary: Canary, spec: object | undefined, keep: boolean): unknown {
  const release = keep && isOwnedByCanary(existing.metadata, canary.metadata.name);
  if (spec === undefined && !release) return undefined;
  const ownerReferences = (existing.metadata.ownerReferences ?? []).filter((o) => o.uid !== canary.metadata.uid);
  return {
    metadata: { resourceVersion: existing.metadata.resourceVersion, ...(release ? { ownerReferences } : {}) },
    ...(spec === undefined ? {} : { spec }),
  };
}
