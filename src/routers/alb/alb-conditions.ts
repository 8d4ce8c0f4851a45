/**
 * A/B routing on an ALB (aws-alb.md): every `analysis.match` entry (or the `analysis.canaryMatch` of a
 * weighted run, while the canary weight is above 0) becomes a header route, i.e. one more
 * Ingress path placed before the weighted one, whose backend names its own action
 * `<action>-canary-route-<i>` (forwarding everything to the canary) and whose
 * `alb.ingress.kubernetes.io/conditions.<that action>` holds the entry's conditions. ALB ANDs the conditions
 * of one rule, so the entries of the list (ORed, as in Istio) need one rule each. Pure functions only.
 */
import type { V1HTTPIngressPath, V1IngressRule } from '@kubernetes/client-node';
import { canaryCookieValue, type CanaryMatch } from '../../api/canary-match.js';
import type { AbMatch } from '../../api/istio-types.js';
import type { Ingress } from '../../kube/resources.js';
import { useAnnotation } from './alb-desired.js';
import { RouterConfigError } from '../../errors.js';

/** One ALB rule condition, in the controller's annotation schema. */
export type AlbCondition =
  | { field: 'http-header'; httpHeaderConfig: { httpHeaderName: string; values: string[] } }
  | { field: 'query-string'; queryStringConfig: { values: { key: string; value: string }[] } };

type StringMatch = { exact?: string; prefix?: string; suffix?: string; regex?: string };

/** ALB evaluates at most this many values per rule (host, path and every condition value count). */
export const maxEvaluationsPerRule = 5;
const headerRouteSuffix = /-canary-route-\d+$/;

/** Name of the action of header route `index` of `action`, e.g. `podinfo-canary-route-0`. */
export function headerRouteName(action: string, index: number): string {
  return `${action}-canary-route-${index}`;
}

/** True for an action name Songbird gave one of its header routes. */
export function isHeaderRoute(name: string): boolean {
  return headerRouteSuffix.test(name);
}

/**
 * The conditions of one match entry. Headers and query parameters match exact values or ALB's `*`
 * wildcards: a prefix `v` becomes `v*`, a suffix `*v`. A header `cookie` with `exact: X` means "cookie X is
 * `always`", as for NGINX's canary-by-cookie, and becomes the Cookie header value `*X=always*`. Throws,
 * naming the field, for what ALB cannot express (regular expressions, source labels).
 */
export function albConditions(match: AbMatch, index: number): AlbCondition[] {
  const field = `spec.analysis.match[${index}]`;
  if (match.sourceLabels !== undefined) throw new RouterConfigError(`${field}.sourceLabels`, 'the alb provider cannot match on source labels');
  const headers = Object.entries(match.headers ?? {}).map(([name, value]): AlbCondition => {
    const cookie = name.toLowerCase() === 'cookie' && value.exact !== undefined;
    const pattern = cookie ? `*${value.exact ?? ''}=always*` : wildcard(value, `${field}.headers.${name}`);
    return { field: 'http-header', httpHeaderConfig: { httpHeaderName: cookie ? 'Cookie' : name, values: [pattern] } };
  });
  const query = Object.entries(match.queryParams ?? {}).map(([key, value]): AlbCondition => (
    { field: 'query-string', queryStringConfig: { values: [{ key, value: wildcard(value, `${field}.queryParams.${key}`) }] } }));
  const conditions = [...headers, ...query];
  if (conditions.length === 0) throw new RouterConfigError(field, 'an A/B match for the alb provider needs headers or queryParams');
  return conditions;
}

/**
 * The conditions of `analysis.canaryMatch` (a Songbird extension): one header route like an A/B entry's,
 * written while the canary weight is above 0. A header matches its exact value or `prefix*`; a cookie
 * `name` becomes the Cookie header value `*name=always*`. Throws, naming the field, for a regex (validation
 * refuses it first).
 */
export function canaryMatchConditions(match: CanaryMatch): AlbCondition[] {
  const field = 'spec.analysis.canaryMatch';
  if (match.cookie !== undefined) {
    return [{ field: 'http-header', httpHeaderConfig: { httpHeaderName: 'Cookie', values: [`*${match.cookie.name}=${canaryCookieValue}*`] } }];
  }
  const header = match.header ?? { name: '' };
  return [{ field: 'http-header', httpHeaderConfig: { httpHeaderName: header.name, values: [wildcard(header, `${field}.header`)] } }];
}

function wildcard(value: StringMatch, field: string): string {
  if (value.exact !== undefined) return value.exact;
  if (value.prefix !== undefined) return `${value.prefix}*`;
  if (value.suffix !== undefined) return `*${value.suffix}`;
  throw new RouterConfigError(field, 'ALB matches exact values and * or ? wildcards, not regular expressions');
}

/**
 * How many path-pattern values the AWS Load Balancer Controller makes of an Ingress path, each one match
 * evaluation: none for an empty path, two for a `Prefix` path other than `/` (`/api` matches `/api` and
 * `/api/*`), one otherwise (`/` becomes `/*`; `Exact` and `ImplementationSpecific` paths stay as written).
 */
export function pathEvaluations(path: Pick<V1HTTPIngressPath, 'path' | 'pathType'>): number {
  const value = path.path ?? '';
  if (value === '') return 0;
  return path.pathType === 'Prefix' && value !== '/' ? 2 : 1;
}

/**
 * Throws when a header route would need more than ALB's 5 evaluations: one for the host (when the Ingress
 * rule has one), one per path pattern (see {@link pathEvaluations}), one per condition value. Examples:
 * host + path `/` + 4 headers = 6 → error; host + `Prefix` path `/api` + 3 headers = 6 → error.
 */
export function checkEvaluations(conditions: readonly AlbCondition[], rule: { host?: boolean; paths?: number }, field: string): void {
  const values = conditions.reduce((n, c) => n + (c.field === 'http-header' ? c.httpHeaderConfig.values.length : c.queryStringConfig.values.length), 0);
  const host = rule.host === true ? 1 : 0;
  const paths = rule.paths ?? 0;
  const total = host + paths + values;
  if (total > maxEvaluationsPerRule) {
    throw new RouterConfigError(field, `ALB allows ${maxEvaluationsPerRule} match evaluations per rule and this header ` +
      `route needs ${total} (host ${host}, path ${paths}, conditions ${values})`);
  }
}

/**
 * The Ingress rules with `count` header routes of `action` before every path whose backend is `action`,
 * and no other header route of it. `count` 0 removes them all. The input is not modified.
 */
export function withHeaderRoutes(ingress: Ingress, action: string, count: number): V1IngressRule[] {
  return (ingress.spec?.rules ?? []).map((rule) => {
    if (rule.http === undefined) return structuredClone(rule);
    const paths = rule.http.paths.filter((p) => !isRouteOf(p, action)).flatMap((p): V1HTTPIngressPath[] => {
      if (p.backend.service?.name !== action) return [structuredClone(p)];
      const routes = Array.from({ length: count }, (_, i): V1HTTPIngressPath => ({
        ...structuredClone(p), backend: { service: { name: headerRouteName(action, i), port: { name: useAnnotation } } },
      }));
      return [...routes, structuredClone(p)];
    });
    return { ...structuredClone(rule), http: { paths } };
  });
}

function isRouteOf(path: V1HTTPIngressPath, action: string): boolean {
  const name = path.backend.service?.name ?? '';
  return name.startsWith(`${action}-canary-route-`) && isHeaderRoute(name);
}

/** The header routes of `action` currently on the Ingress. */
export function headerRouteCount(ingress: Ingress, action: string): number {
  const names = new Set((ingress.spec?.rules ?? []).flatMap((r) => r.http?.paths ?? []).filter((p) => isRouteOf(p, action))
    .map((p) => p.backend.service?.name));
  return names.size;
}
