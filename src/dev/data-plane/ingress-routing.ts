/**
 * How an ingress controller routes one request (pure): the NGINX ingress controller with its canary Ingress,
 * and the AWS Load Balancer Controller's weighted forward action.
 */
import type { V1HTTPIngressPath } from '@kubernetes/client-node';
import type { Ingress } from '../../kube/resources.js';
import type { RoutedRequest, ServiceRef } from './istio-routing.js';
import { drawByWeight } from './weighted-draw.js';

/** Where an Ingress sends a request, and the labels its controller's metrics carry. */
export interface IngressDecision {
  provider: 'nginx' | 'alb';
  destination: ServiceRef;
  /** The main (non-canary) Ingress that owns the host. */
  ingress: string;
  /** NGINX: the canary upstream (`<namespace>-<service>-<port>`) when the canary Ingress took the request, else ''. */
  canary: string;
}

const annotation = (ing: Ingress, suffix: string): string | undefined => {
  const entry = Object.entries(ing.metadata.annotations ?? {}).find(([k]) => k.endsWith(`/${suffix}`) && !k.startsWith('alb.'));
  return entry?.[1];
};

function isAlb(ing: Ingress): boolean {
  return ing.spec?.ingressClassName === 'alb' || ing.metadata.annotations?.['kubernetes.io/ingress.class'] === 'alb' ||
    Object.keys(ing.metadata.annotations ?? {}).some((k) => k.startsWith('alb.ingress.kubernetes.io/actions.'));
}

function isCanary(ing: Ingress): boolean {
  return annotation(ing, 'canary') === 'true';
}

/** The path of `ing` for `host` and `path` (Prefix and ImplementationSpecific by prefix, Exact exactly), longest first. */
function backendPath(ing: Ingress, host: string, path: string): V1HTTPIngressPath | undefined {
  const rule = (ing.spec?.rules ?? []).find((r) => (r.host ?? '') === host) ?? (ing.spec?.rules ?? []).find((r) => r.host === undefined || r.host === '');
  const candidates = (rule?.http?.paths ?? []).filter((p) => {
    const want = p.path ?? '/';
    return p.pathType === 'Exact' ? path === want : path.startsWith(want);
  });
  return candidates.sort((a, b) => (b.path ?? '/').length - (a.path ?? '/').length)[0];
}

function cookie(req: RoutedRequest, name: string): string | undefined {
  const raw = req.headers.cookie;
  const all = Array.isArray(raw) ? raw.join('; ') : (raw ?? '');
  for (const part of all.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

/**
 * ingress-nginx's canary order: `canary-by-header` (with `-value`, else `-pattern`, else `always`/`never`),
 * then `canary-by-cookie` (`always`/`never`), then `canary-weight` out of `canary-weight-total` (100).
 * Example: weight 20, random 0.15 → 15 < 20 → canary.
 */
export function nginxTakesCanary(canary: Ingress, req: RoutedRequest, random: () => number): boolean {
  const verdict = byHeader(canary, req) ?? byCookie(canary, req);
  if (verdict !== undefined) return verdict;
  const weight = Number(annotation(canary, 'canary-weight') ?? '0');
  const total = Number(annotation(canary, 'canary-weight-total') ?? '100');
  return total > 0 && random() * total < weight;
}

/** True or false when the header decides, undefined when it leaves the decision to the cookie and weight. */
function byHeader(canary: Ingress, req: RoutedRequest): boolean | undefined {
  const headerName = annotation(canary, 'canary-by-header');
  if (headerName === undefined) return undefined;
  const raw = req.headers[headerName.toLowerCase()];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined) return undefined;
  const wanted = annotation(canary, 'canary-by-header-value');
  if (wanted !== undefined) return value === wanted ? true : undefined;
  const pattern = annotation(canary, 'canary-by-header-pattern');
  if (pattern !== undefined) return new RegExp(pattern).test(value) ? true : undefined;
  return alwaysOrNever(value);
}

function byCookie(canary: Ingress, req: RoutedRequest): boolean | undefined {
  const cookieName = annotation(canary, 'canary-by-cookie');
  return cookieName === undefined ? undefined : alwaysOrNever(cookie(req, cookieName));
}

function alwaysOrNever(value: string | undefined): boolean | undefined {
  if (value === 'always') return true;
  return value === 'never' ? false : undefined;
}

/** Routes `req` by the Ingresses whose rules name its host; undefined when none does. */
export function routeByIngress(ingresses: readonly Ingress[], req: RoutedRequest, random: () => number): IngressDecision | undefined {
  const path = req.path.split('?')[0] ?? '/';
  const forHost = ingresses.filter((i) => (i.spec?.rules ?? []).some((r) => r.host === req.host));
  const main = forHost.find((i) => !isCanary(i));
  const backend = main === undefined ? undefined : serviceBackend(main, req.host, path);
  if (main === undefined || backend === undefined) return undefined;
  if (isAlb(main)) return albDecision(main, backend.name, random);
  const namespace = main.metadata.namespace ?? 'default';
  const base = { provider: 'nginx' as const, ingress: main.metadata.name };
  const canaryBackend = canaryTaking(forHost.filter((i) => isCanary(i) && i.metadata.namespace === namespace), req, path, random);
  if (canaryBackend === undefined) {
    return { ...base, destination: { namespace, name: backend.name }, canary: '' };
  }
  return { ...base, destination: { namespace, name: canaryBackend.name }, canary: `${namespace}-${canaryBackend.name}-${canaryBackend.port}` };
}

/** The backend of the canary Ingress when it takes the request. */
function canaryTaking(canaries: readonly Ingress[], req: RoutedRequest, path: string, random: () => number): { name: string; port: string } | undefined {
  const canary = canaries[0];
  const backend = canary === undefined ? undefined : serviceBackend(canary, req.host, path);
  return canary !== undefined && backend !== undefined && nginxTakesCanary(canary, req, random) ? backend : undefined;
}

function serviceBackend(ing: Ingress, host: string, path: string): { name: string; port: string } | undefined {
  const service = backendPath(ing, host, path)?.backend.service;
  if (service === undefined) return undefined;
  return { name: service.name, port: String(service.port?.number ?? service.port?.name ?? '') };
}

interface ForwardAction { type?: string; forwardConfig?: { targetGroups?: { serviceName?: string; weight?: number }[] } }

/**
 * The AWS Load Balancer Controller's `alb.ingress.kubernetes.io/actions.<backend>` forward action: a target
 * group drawn by weight. A backend without an action is a plain Service.
 */
function albDecision(ing: Ingress, backend: string, random: () => number): IngressDecision | undefined {
  const namespace = ing.metadata.namespace ?? 'default';
  const base = { provider: 'alb' as const, ingress: ing.metadata.name, canary: '' };
  const groups = forwardGroups(ing.metadata.annotations?.[`alb.ingress.kubernetes.io/actions.${backend}`]);
  if (groups === undefined) return { ...base, destination: { namespace, name: backend } };
  const picked = drawByWeight(groups, (g) => g.weight ?? 0, random);
  return picked?.serviceName === undefined ? undefined : { ...base, destination: { namespace, name: picked.serviceName } };
}

/** The target groups of a forward action; undefined without an action; [] for one that cannot be read. */
function forwardGroups(raw: string | undefined): { serviceName?: string; weight?: number }[] | undefined {
  if (raw === undefined) return undefined;
  try {
    return ((JSON.parse(raw) as ForwardAction).forwardConfig?.targetGroups ?? []).filter((g) => g.serviceName !== undefined);
  } catch {
    return [];
  }
}
