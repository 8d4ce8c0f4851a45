/**
 * How an Istio sidecar routes one request by a VirtualService (pure): the first `http` route whose match
 * holds (any of its `match` entries; none means always), then a destination drawn by `weight`, and the
 * mirror. Supported match fields: `uri`, `method`, `authority`, `scheme`, `headers`, `queryParams`, each
 * `exact`, `prefix` or `regex` (a full match, as Envoy's RE2); `{}` means "present". Cookie matches are
 * header matches on `cookie`, as Flagger writes them.
 */
import type { HttpMatchRequest } from '../../api/istio-types.js';
import type { HttpRoute, VirtualService } from '../../routers/istio-objects.js';
import { drawByWeight } from './weighted-draw.js';

/** The parts of a request routing reads. Header names are lower case. */
export interface RoutedRequest {
  host: string;
  path: string;
  method: string;
  headers: Record<string, string | string[] | undefined>;
}

/** A Service picked by a route: `name` in `namespace`. */
export interface ServiceRef {
  namespace: string;
  name: string;
}

/** Where a VirtualService sends a request: one destination, and a Service that gets a copy. */
export interface IstioDecision {
  destination: ServiceRef;
  mirror?: ServiceRef;
}

type StringMatch = { exact?: string; prefix?: string; regex?: string };

function matches(value: string | undefined, m: StringMatch): boolean {
  if (value === undefined) return false;
  if (m.exact !== undefined) return value === m.exact;
  if (m.prefix !== undefined) return value.startsWith(m.prefix);
  if (m.regex !== undefined) return new RegExp(`^(?:${m.regex})$`).test(value);
  return true;
}

function header(req: RoutedRequest, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(', ') : v;
}

function queryParam(req: RoutedRequest, name: string): string | undefined {
  const q = req.path.indexOf('?');
  return q < 0 ? undefined : (new URLSearchParams(req.path.slice(q + 1)).get(name) ?? undefined);
}

function matchHolds(m: HttpMatchRequest, req: RoutedRequest): boolean {
  const path = req.path.split('?')[0] ?? '/';
  const scalar: [StringMatch | undefined, string | undefined][] = [[m.uri, path], [m.method, req.method], [m.authority, req.host], [m.scheme, 'http']];
  return scalar.every(([sm, value]) => sm === undefined || matches(value, sm)) &&
    Object.entries(m.headers ?? {}).every(([name, sm]) => matches(header(req, name), sm)) &&
    Object.entries(m.queryParams ?? {}).every(([name, sm]) => matches(queryParam(req, name), sm));
}

function routeMatches(route: HttpRoute, req: RoutedRequest): boolean {
  const list = route.match ?? [];
  return list.length === 0 || list.some((m) => matchHolds(m, req));
}

/** `podinfo-canary`, `podinfo-canary.test`, `podinfo-canary.test.svc.cluster.local` → the Service. */
export function serviceOfHost(host: string, defaultNamespace: string): ServiceRef | undefined {
  const labels = host.toLowerCase().replace(/\.$/, '').split('.');
  if (labels.at(-1) === 'local' && labels.at(-2) === 'cluster') labels.splice(-2);
  if (labels.at(-1) === 'svc') labels.pop();
  if (labels.length === 1 && labels[0] !== undefined) return { namespace: defaultNamespace, name: labels[0] };
  if (labels.length === 2 && labels[0] !== undefined && labels[1] !== undefined) return { namespace: labels[1], name: labels[0] };
  return undefined;
}

/** True when `vs` applies to sidecar traffic for `service` (hosts name it; gateways absent or include `mesh`). */
export function virtualServiceServes(vs: VirtualService, service: ServiceRef): boolean {
  const namespace = vs.metadata.namespace ?? 'default';
  const gateways = vs.spec?.gateways ?? [];
  if (gateways.length > 0 && !gateways.includes('mesh')) return false;
  return (vs.spec?.hosts ?? []).some((h) => {
    const ref = serviceOfHost(h, namespace);
    return ref !== undefined && ref.namespace === service.namespace && ref.name === service.name;
  });
}

/**
 * Routes `req` by `vs`; undefined when no route matches (Envoy answers 404 then). `random` is in [0, 1).
 * Example: routes `[{primary, 90}, {canary, 10}]` and random 0.93 → 93 of 100 falls past 90 → canary.
 */
export function routeByVirtualService(vs: VirtualService, req: RoutedRequest, random: () => number): IstioDecision | undefined {
  const namespace = vs.metadata.namespace ?? 'default';
  const route = (vs.spec?.http ?? []).find((r) => routeMatches(r, req));
  if (route === undefined) return undefined;
  const destinations = route.route ?? [];
  // A lone destination without a weight takes everything, as in Istio.
  const weightOf = (d: { weight?: number }): number => d.weight ?? (destinations.length === 1 ? 100 : 0);
  const picked = drawByWeight(destinations, weightOf, random);
  const destination = picked === undefined ? undefined : serviceOfHost(picked.destination.host, namespace);
  if (destination === undefined) return undefined;
  const mirror = mirrorOf(route, namespace, random);
  return mirror === undefined ? { destination } : { destination, mirror };
}

/** The mirror Service, for the share of requests `mirrorPercentage` asks (all when unset). */
function mirrorOf(route: HttpRoute, namespace: string, random: () => number): ServiceRef | undefined {
  if (route.mirror === undefined) return undefined;
  const share = route.mirrorPercentage?.value ?? 100;
  return random() * 100 < share ? serviceOfHost(route.mirror.host, namespace) : undefined;
}
