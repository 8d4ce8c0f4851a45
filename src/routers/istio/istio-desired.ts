/**
 * The Istio objects a Canary asks for (spec §5.1): the `<svc>-primary` and `<svc>-canary` DestinationRules
 * and the apex `<svc>` VirtualService, for a given traffic split. Pure: no I/O, inputs never mutated.
 */
import type { CanaryService } from '../../api/canary-service.js';
import type { Canary } from '../../api/canary.js';
import { serviceNames } from '../../api/defaults.js';
import { controllerOwnerReference } from '../../workloads/owner.js';
import { fluxOptOutAnnotations } from '../../workloads/services.js';
import { canaryMatchRoute } from './istio-canary-match.js';
import { withManagedRoutes } from './istio-foreign-routes.js';
import { abMatchRequest, mergeMatchConditions } from './istio-match.js';
import type { DestinationRule, HttpRoute, RouteDestination, TcpRoute, VirtualService, VirtualServiceSpec } from './istio-objects.js';
import { sessionAffinityRoutes } from './istio-session-affinity.js';
import { ALL_PRIMARY, type Weights } from '../router.js';

const istioApiVersion = 'networking.istio.io/v1beta1';
const meshGateway = 'mesh';

function serviceOf(canary: Canary): Partial<CanaryService> {
  return canary.spec.service ?? {};
}

/**
 * The two DestinationRules, `<svc>-canary` then `<svc>-primary`: spec `{ host: <own name>, trafficPolicy:
 * service.trafficPolicy }`, no subsets, controlled by the Canary.
 * parity: Flagger pkg/router/istio.go reconcileDestinationRule.
 */
export function desiredDestinationRules(canary: Canary): DestinationRule[] {
  const { primary, canary: canaryName } = serviceNames(canary);
  const trafficPolicy = serviceOf(canary).trafficPolicy;
  return [canaryName, primary].map((name) => ({
    apiVersion: istioApiVersion,
    kind: 'DestinationRule',
    metadata: { name, namespace: canary.metadata.namespace, ownerReferences: [controllerOwnerReference(canary)] },
    spec: { host: name, ...(trafficPolicy === undefined ? {} : { trafficPolicy: structuredClone(trafficPolicy) }) },
  }));
}

/** Why the Canary's delegation settings cannot be applied, if they cannot (admission also rejects this). */
export function delegationProblem(canary: Canary): string | undefined {
  const { delegation, hosts = [], gateways = [] } = serviceOf(canary);
  if (delegation !== true || (hosts.length === 0 && gateways.length === 0)) return undefined;
  return `VirtualService ${serviceNames(canary).apex}.${canary.metadata.namespace} cannot have hosts and gateways when delegation enabled`;
}

/**
 * VirtualService hosts: `service.hosts` plus the apex name unless listed or `*` is; none for a delegate.
 * Example: hosts `['app.example.com']`, apex `podinfo` → `['app.example.com', 'podinfo']`.
 */
export function virtualServiceHosts(canary: Canary): string[] | undefined {
  const { hosts = [], delegation } = serviceOf(canary);
  if (delegation === true) return undefined;
  const apex = serviceNames(canary).apex;
  return hosts.some((h) => h === apex || h === '*') ? [...hosts] : [...hosts, apex];
}

/** VirtualService gateways: `service.gateways`, `['mesh']` when none; none for a delegate. */
export function virtualServiceGateways(canary: Canary): string[] | undefined {
  const { gateways = [], delegation } = serviceOf(canary);
  if (delegation === true) return undefined;
  return gateways.length > 0 ? [...gateways] : [meshGateway];
}

/** True when the main port speaks TCP (`service.appProtocol`, any case), which switches to TCP routes. */
export function isTcp(canary: Canary): boolean {
  return serviceOf(canary).appProtocol?.toLowerCase() === 'tcp';
}

/**
 * A weighted destination. The port is set only with port discovery behind a gateway other than `mesh`, or
 * for a delegate, as Flagger does (the sidecar picks the port by itself).
 */
export function routeDestination(canary: Canary, host: string, weight: number): RouteDestination {
  const { portDiscovery, gateways = [], delegation, port } = serviceOf(canary);
  const behindGateway = gateways.length > 0 && gateways[0] !== meshGateway;
  const withPort = portDiscovery === true && (behindGateway || delegation === true) && port !== undefined;
  return { destination: { host, ...(withPort ? { port: { number: port } } : {}) }, weight };
}

function weightedDestinations(canary: Canary, weights: Weights): [RouteDestination, RouteDestination] {
  const { primary, canary: canaryName } = serviceNames(canary);
  return [routeDestination(canary, primary, weights.primary), routeDestination(canary, canaryName, weights.canary)];
}

// The fields every HTTP route copies from `service`; empty ones are left out, as Go's omitempty does.
function routeBase(canary: Canary): HttpRoute {
  const { match = [], rewrite, timeout, retries, corsPolicy, headers } = serviceOf(canary);
  const istioRewrite = rewrite === undefined ? undefined : pruned({ uri: rewrite.uri, authority: rewrite.authority });
  return structuredClone(pruned({
    match: match.length > 0 ? match : undefined,
    rewrite: istioRewrite !== undefined && Object.keys(istioRewrite).length > 0 ? istioRewrite : undefined,
    timeout: timeout === '' ? undefined : timeout,
    retries, corsPolicy, headers,
  }));
}

function mirrorFields(canary: Canary, weights: Weights): Pick<HttpRoute, 'mirror' | 'mirrorPercentage'> {
  if (!weights.mirrored) return {};
  const mirrorWeight = canary.spec.analysis.mirrorWeight ?? 0;
  return { mirror: { host: serviceNames(canary).canary }, ...(mirrorWeight > 0 ? { mirrorPercentage: { value: mirrorWeight } } : {}) };
}

/**
 * The HTTP routes for a traffic split. A/B testing (`analysis.match`): the conditions (within each service
 * match) go to the split, everything else to the primary alone. Otherwise one weighted route, mirrored to
 * the canary when `weights.mirrored` (`mirrorPercentage` = `analysis.mirrorWeight` when above 0), preceded
 * by the sticky-session rules when `analysis.sessionAffinity` is set, and first of all, while the canary
 * weight is above 0, the `analysis.canaryMatch` route to the canary (istio-canary-match.ts).
 *
 * parity: Flagger pkg/router/istio.go SetRoutes. The primary-only A/B route gets weight 100 (Flagger writes
 * the primary weight, 0 during a test, and relies on Istio sending a lone destination everything).
 */
export function desiredHttpRoutes(canary: Canary, weights: Weights): HttpRoute[] {
  const base = routeBase(canary);
  const route = weightedDestinations(canary, weights);
  const abMatches = canary.spec.analysis.match ?? [];
  if (abMatches.length > 0) {
    const conditions = mergeMatchConditions(abMatches.map(abMatchRequest), base.match);
    const primaryOnly = { ...route[0], weight: 100 };
    return [{ ...base, match: conditions, route }, { ...base, route: [primaryOnly] }];
  }
  const weighted = { ...base, route, ...mirrorFields(canary, weights) };
  const affinity = canary.spec.analysis.sessionAffinity;
  const routes = affinity === undefined ? [weighted] : sessionAffinityRoutes({ canary, affinity, base, weighted, weights });
  const byRequest = canaryMatchRoute(canary, base, weights, route[1]);
  return byRequest === undefined ? routes : [byRequest, ...routes];
}

/** The TCP route for a traffic split: one route, matching each `service.match` port. Never mirrored. */
export function desiredTcpRoutes(canary: Canary, weights: Weights): TcpRoute[] {
  const match = (serviceOf(canary).match ?? []).map((m) => (m.port === undefined ? {} : { port: m.port }));
  return [{ ...(match.length > 0 ? { match } : {}), route: weightedDestinations(canary, weights) }];
}

/**
 * The VirtualService spec fields the router owns, for a traffic split (all on the primary by default):
 * hosts, gateways, and the routes of `existing` with Songbird's own in place of its managed ones (see
 * istio-foreign-routes.ts). The user's routes of the other protocol stay too; only Songbird's are dropped
 * there (a Canary switched from HTTP to TCP leaves no HTTP route of its own behind).
 */
export function desiredVirtualServiceSpec(canary: Canary, weights: Weights = ALL_PRIMARY, existing: VirtualServiceSpec = {}): VirtualServiceSpec {
  const tcp = isTcp(canary);
  const http = withManagedRoutes(existing.http, tcp ? [] : desiredHttpRoutes(canary, weights), canary);
  const tcpRoutes = withManagedRoutes(existing.tcp, tcp ? desiredTcpRoutes(canary, weights) : [], canary);
  return pruned({
    hosts: virtualServiceHosts(canary),
    gateways: virtualServiceGateways(canary),
    http: http.length > 0 ? http : undefined,
    tcp: tcpRoutes.length > 0 ? tcpRoutes : undefined,
  });
}

/**
 * The apex VirtualService: labels from `service.apex`, annotations from `service.apex` plus the Flux opt-out
 * annotations, controlled by the Canary, with the spec of {@link desiredVirtualServiceSpec} (the user's
 * routes taken from `existing`, the spec as read).
 * parity: Flagger pkg/router/istio.go reconcileVirtualService (labels, filterMetadata annotations).
 */
export function desiredVirtualService(canary: Canary, weights: Weights = ALL_PRIMARY, existing?: VirtualServiceSpec): VirtualService {
  const apex = serviceOf(canary).apex;
  return {
    apiVersion: istioApiVersion,
    kind: 'VirtualService',
    metadata: {
      name: serviceNames(canary).apex,
      namespace: canary.metadata.namespace,
      labels: { ...apex?.labels },
      annotations: { ...apex?.annotations, ...fluxOptOutAnnotations },
      ownerReferences: [controllerOwnerReference(canary)],
    },
    spec: desiredVirtualServiceSpec(canary, weights, existing),
  };
}

function pruned<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
