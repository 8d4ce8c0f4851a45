/**
 * JSON merge patches (RFC 7386) that bring existing Istio objects to what a Canary asks for, touching only
 * the fields the router owns, or `undefined` when nothing differs (steady state costs no write). Pure.
 *
 * Patches that carry data taken from the object as read (its current weights, its original spec) also
 * carry its `resourceVersion`, so a stale read fails with a conflict instead of overwriting a newer split.
 */
import type { Canary } from '../../api/canary.js';
import { serviceNames } from '../../api/defaults.js';
import { canonicalJson } from '../../core/revision.js';
import { mergePatchDiff } from '../../kube/merge-patch-diff.js';
import { handBackPatch, finalizePatch as restorePatch, originalSpec as takenOverSpec } from '../taken-over-spec.js';
import { isOwnedByCanary } from '../../workloads/owner.js';
import { mapPatch } from '../../workloads/merge-patch.js';
import { desiredHttpRoutes, desiredTcpRoutes, desiredVirtualService, isTcp } from './istio-desired.js';
import {
  kubectlLastAppliedAnnotation, originalConfigAnnotation, type DestinationRule, type HttpRoute, type TcpRoute, type VirtualService,
  type VirtualServiceSpec,
} from './istio-objects.js';
import { isManagedRoute, withManagedRoutes } from './istio-foreign-routes.js';
import { comparableSpec, ownedSpec, readWeights, withoutEmpty } from './istio-routes.js';
import { ALL_PRIMARY, type Weights } from '../router.js';

type Labels = Record<string, string> | undefined;

/**
 * Patch of a DestinationRule's `host` and `trafficPolicy` (other spec fields, e.g. a user's subsets, are
 * left alone). parity: Flagger pkg/router/istio.go reconcileDestinationRule replaces the whole spec.
 */
export function destinationRulePatch(existing: DestinationRule, desired: DestinationRule): unknown {
  const { host, trafficPolicy } = existing.spec ?? {};
  const spec = mergePatchDiff({ host, trafficPolicy }, { host: desired.spec?.host, trafficPolicy: desired.spec?.trafficPolicy });
  return spec === undefined ? undefined : { spec };
}

/**
 * Patch that brings an existing VirtualService to the Canary's spec while keeping its current traffic
 * split: the owned spec fields (`hosts`, `gateways`, `http`, `tcp`) are rewritten only when they differ in
 * something other than weights, mirroring or sticky-session rules (see `comparableSpec`), and then with the
 * weights and mirror read from the object. Metadata: see {@link virtualServiceMetadataPatch}.
 *
 * parity: Flagger pkg/router/istio.go reconcileVirtualService resets the split to 100/0 on any other
 * change (quirk §12.13) and replaces the whole spec, dropping fields it does not generate (`tls`,
 * `exportTo`); with delegation it never removes stale hosts and gateways.
 */
export function virtualServiceReconcilePatch(existing: VirtualService, canary: Canary): unknown {
  const current = existing.spec ?? {};
  const weights = readWeights(current, canary) ?? ALL_PRIMARY;
  const desired = desiredVirtualService(canary, weights, current);
  const desiredSpec = desired.spec ?? {};
  const specChanged = comparableSpec(desiredSpec, canary) !== comparableSpec(current, canary);
  const spec = specChanged ? mergePatchDiff(ownedSpec(current), desiredSpec) : undefined;
  const metadata = virtualServiceMetadataPatch(existing, desired, canary);
  if (spec === undefined && metadata === undefined) return undefined;
  return { metadata: { ...metadata, resourceVersion: existing.metadata.resourceVersion }, ...(spec === undefined ? {} : { spec }) };
}

/**
 * Metadata patch of the VirtualService. One created by this Canary gets exactly the desired labels and
 * annotations (keeping kubectl's record, the saved original spec and `service.unmanagedMetadata` keys). One
 * taken over keeps its metadata and gains the desired keys, plus, once, its spec as it was before the
 * takeover in `flagger.kubernetes.io/original-configuration`, unless kubectl's last-applied record exists.
 *
 * parity: Flagger pkg/router/istio.go reconcileVirtualService overwrites the labels and annotations of any
 * VirtualService and rewrites the saved spec on every spec change, so revertOnDeletion restores Flagger's
 * previous spec instead of the user's (spec §13).
 */
export function virtualServiceMetadataPatch(existing: VirtualService, desired: VirtualService, canary: Canary): Record<string, unknown> | undefined {
  const { labels, annotations } = isOwnedByCanary(existing.metadata, canary.metadata.name)
    ? ownedMetadataPatch(existing, desired, canary)
    : takenOverMetadataPatch(existing, desired);
  if (labels === undefined && annotations === undefined) return undefined;
  return { ...(labels === undefined ? {} : { labels }), ...(annotations === undefined ? {} : { annotations }) };
}

interface MetadataPatch {
  labels: Record<string, string | null> | undefined;
  annotations: Record<string, string | null> | undefined;
}

function ownedMetadataPatch(existing: VirtualService, desired: VirtualService, canary: Canary): MetadataPatch {
  const meta = existing.metadata;
  const unmanaged = canary.spec.service?.unmanagedMetadata;
  const keptAnnotations = kept(meta.annotations, [kubectlLastAppliedAnnotation, originalConfigAnnotation, ...unmanaged?.annotations ?? []]);
  return {
    labels: mapPatch(meta.labels, { ...desired.metadata.labels, ...kept(meta.labels, unmanaged?.labels ?? []) }),
    annotations: mapPatch(meta.annotations, { ...desired.metadata.annotations, ...keptAnnotations }),
  };
}

function takenOverMetadataPatch(existing: VirtualService, desired: VirtualService): MetadataPatch {
  return {
    labels: additions(existing.metadata.labels, desired.metadata.labels),
    annotations: additions(existing.metadata.annotations, { ...desired.metadata.annotations, ...originalConfig(existing) }),
  };
}

function kept(existing: Labels, keys: readonly string[]): Record<string, string> {
  return Object.fromEntries(keys.flatMap((k) => (existing?.[k] === undefined ? [] : [[k, existing[k]]])));
}

function additions(existing: Labels, desired: Labels): Record<string, string> | undefined {
  const changed = Object.entries(desired ?? {}).filter(([k, v]) => existing?.[k] !== v);
  return changed.length > 0 ? Object.fromEntries(changed) : undefined;
}

function originalConfig(existing: VirtualService): Record<string, string> {
  const annotations = existing.metadata.annotations ?? {};
  if (annotations[kubectlLastAppliedAnnotation] !== undefined || annotations[originalConfigAnnotation] !== undefined) return {};
  return { [originalConfigAnnotation]: JSON.stringify(existing.spec ?? {}) };
}

/**
 * Patch of the routes only (`spec.http`, or `spec.tcp` for a TCP service) for a new traffic split, or
 * `undefined` when the routes are already those. Songbird's routes are rebuilt from the Canary, as
 * Flagger's SetRoutes does, with session cookies read from `canary.status`; the user's routes in the list
 * are written back as they were read, in their places (istio-foreign-routes.ts). The patch carries the
 * resourceVersion, so a route the user adds meanwhile is never lost: the write conflicts and is retried.
 *
 * parity: Flagger pkg/router/istio.go SetRoutes replaces the whole `http` or `tcp` list (issue: a user's
 * fault-injection or tester route vanishes until the run ends); and its reconcile drops `tls` routes.
 */
export function routesPatch(existing: VirtualService, canary: Canary, weights: Weights): unknown {
  const spec = existing.spec ?? {};
  const [field, routes] = isTcp(canary)
    ? ['tcp', withManagedRoutes(spec.tcp, desiredTcpRoutes(canary, weights), canary)] as const
    : ['http', withManagedRoutes(spec.http, desiredHttpRoutes(canary, weights), canary)] as const;
  if (canonicalJson(withoutEmpty(existing.spec?.[field])) === canonicalJson(withoutEmpty(routes))) return undefined;
  return { metadata: { resourceVersion: existing.metadata.resourceVersion }, spec: { [field]: routes } };
}

/** The spec the VirtualService had before the takeover (see taken-over-spec.ts); `undefined` when the router created it. */
export function originalSpec(existing: VirtualService): VirtualServiceSpec | undefined {
  return takenOverSpec(existing, 'VirtualService');
}

/** Patch that restores the VirtualService as it was before the takeover; `undefined` when there is nothing to restore. */
export function finalizePatch(existing: VirtualService): unknown {
  return restorePatch(existing, 'VirtualService');
}

/**
 * Patch that points every managed route of a VirtualService the router created at the apex Service, for a
 * Canary deleted with revertOnDeletion: the apex Service already selects the target's pods, while the
 * primary's are about to be removed by the garbage collector. Each managed route keeps its other fields
 * (match, retries, headers) and loses its mirror; the user's routes are untouched. Example: `podinfo-primary`
 * 70 / `podinfo-canary` 30, mirrored → `podinfo` 100, no mirror.
 *
 * A VirtualService that serves more than the mesh (a gateway other than `mesh`, or a delegate, which an
 * ingress root VirtualService includes) is released from the Canary too, as the apex Service is: clients
 * outside the mesh reach the application through it, and the garbage collector would delete it. One that
 * serves the mesh only is left to the collector; without it the sidecars route to the apex Service anyway.
 * `undefined` when nothing is left to change, so finalizing twice writes once.
 *
 * parity: Flagger lets the garbage collector delete the VirtualService still routing to the primary, so for
 * as long as that takes, requests go to pods that are being removed (and an ingress host goes dark for good).
 */
export function apexRoutesPatch(existing: VirtualService, canary: Canary): unknown {
  const spec = existing.spec ?? {};
  const http = repointed(spec.http, canary);
  const tcp = repointed(spec.tcp, canary);
  const changed = http === undefined && tcp === undefined ? undefined : { ...(http && { http }), ...(tcp && { tcp }) };
  return handBackPatch(existing, canary, changed, servesOutsideMesh(spec));
}

// The routes with each managed one sent whole to the apex Service; `undefined` when none is managed.
function repointed<R extends HttpRoute | TcpRoute>(routes: R[] | undefined, canary: Canary): R[] | undefined {
  if (routes === undefined || !routes.some((r) => isManagedRoute(r, canary))) return undefined;
  const apex = serviceNames(canary).apex;
  return routes.map((route) => {
    if (!isManagedRoute(route, canary)) return route;
    const port = route.route?.find((d) => d.destination.port !== undefined)?.destination.port;
    const { mirror: _mirror, mirrorPercentage: _percentage, ...rest } = route as HttpRoute;
    return { ...rest, route: [{ destination: { host: apex, ...(port === undefined ? {} : { port }) }, weight: 100 }] } as R;
  });
}

function servesOutsideMesh(spec: VirtualServiceSpec): boolean {
  return (spec.hosts ?? []).length === 0 || (spec.gateways ?? []).some((g) => g !== 'mesh');
}
