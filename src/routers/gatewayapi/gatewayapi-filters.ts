/**
 * The rule-level filters and timeouts an HTTPRoute copies from `spec.service` (spec §5.3): header modifiers,
 * URL rewrite, static request mirrors and CORS. Pure.
 */
import type { CanaryService } from '../../api/canary-service.js';
import type { Canary } from '../../api/canary.js';
import { parseGoDuration } from '../../api/duration.js';
import type { RequestMirror } from '../../api/gateway-api-types.js';
import { RouterConfigError } from '../../errors.js';
import type { HeaderFilter, HttpHeader, HttpRouteFilter, HttpRouteRule, ServiceRef } from './gatewayapi-objects.js';

type HeaderOperations = NonNullable<NonNullable<CanaryService['headers']>['request']>;
type CorsFilter = NonNullable<HttpRouteFilter['cors']>;

/** The CRD's default CORS `maxAge`, written out so that a read-back compares equal. */
const defaultCorsMaxAgeSeconds = 5;

function serviceOf(canary: Canary): Partial<CanaryService> {
  return canary.spec.service ?? {};
}

// Header maps become lists sorted by name, as Flagger writes them (Go map order is random).
function headerList(map: Record<string, string> | undefined): HttpHeader[] | undefined {
  if (map === undefined || Object.keys(map).length === 0) return undefined;
  return Object.keys(map).sort().map((name) => ({ name, value: map[name] as string }));
}

function headerFilter(ops: HeaderOperations | undefined): HeaderFilter | undefined {
  if (ops === undefined) return undefined;
  const filter = pruned({ set: headerList(ops.set), add: headerList(ops.add), remove: ops.remove?.length ? [...ops.remove] : undefined });
  return Object.keys(filter).length > 0 ? filter : undefined;
}

/** `service.headers` as RequestHeaderModifier and ResponseHeaderModifier filters. */
export function headerFilters(canary: Canary): HttpRouteFilter[] {
  const { request, response } = serviceOf(canary).headers ?? {};
  const req = headerFilter(request);
  const res = headerFilter(response);
  return [
    ...(req === undefined ? [] : [{ type: 'RequestHeaderModifier', requestHeaderModifier: req }]),
    ...(res === undefined ? [] : [{ type: 'ResponseHeaderModifier', responseHeaderModifier: res }]),
  ];
}

/**
 * `service.rewrite` as a URLRewrite filter: `uri` replaces the full path, or the matched prefix with
 * `type: ReplacePrefixMatch`; `authority` replaces the host name.
 * parity: Flagger pkg/router/gateway_api.go makeFilters.
 */
export function rewriteFilter(canary: Canary): HttpRouteFilter[] {
  const rewrite = serviceOf(canary).rewrite;
  if (rewrite === undefined || (!rewrite.uri && !rewrite.authority)) return [];
  const path = !rewrite.uri ? undefined : rewrite.type === 'ReplacePrefixMatch'
    ? { type: 'ReplacePrefixMatch' as const, replacePrefixMatch: rewrite.uri }
    : { type: 'ReplaceFullPath' as const, replaceFullPath: rewrite.uri };
  return [{ type: 'URLRewrite', urlRewrite: pruned({ hostname: rewrite.authority || undefined, path }) }];
}

/** A Service reference with the CRD's defaults (group `""`, kind `Service`) written out. */
export function serviceRef(ref: { group?: string; kind?: string; name: string; namespace?: string; port?: number }): ServiceRef {
  return pruned({ group: ref.group ?? '', kind: ref.kind ?? 'Service', name: ref.name, namespace: ref.namespace, port: ref.port });
}

/** `service.mirror` as static RequestMirror filters. */
export function staticMirrorFilters(canary: Canary): HttpRouteFilter[] {
  return (serviceOf(canary).mirror ?? []).map((m: RequestMirror) => ({ type: 'RequestMirror', requestMirror: { backendRef: serviceRef(m.backendRef) } }));
}

/**
 * `service.corsPolicy` as a CORS filter: the `allowOrigin` strings and the exact `allowOrigins` matches are
 * the allowed origins; `maxAge` is a duration turned into seconds (default 5, the CRD's). Prefix and regex
 * origins cannot be expressed and are left out (validate-warnings.ts warns about them).
 * Example: `{ allowOrigin: ['https://a.example'], maxAge: '1m' }` → `{ allowOrigins: ['https://a.example'], maxAge: 60 }`.
 *
 * parity: Flagger pkg/router/gateway_api.go takes only `allowOrigin` and logs `allowOrigins` as unsupported.
 */
export function corsFilter(canary: Canary): HttpRouteFilter[] {
  const cors = serviceOf(canary).corsPolicy;
  if (cors === undefined) return [];
  const origins = [...cors.allowOrigin ?? [], ...(cors.allowOrigins ?? []).flatMap((o) => (o.exact === undefined ? [] : [o.exact]))];
  const maxAgeMs = cors.maxAge === undefined ? undefined : parseGoDuration(cors.maxAge);
  const filter: CorsFilter = pruned({
    allowOrigins: origins.length > 0 ? origins : undefined,
    allowMethods: nonEmpty(cors.allowMethods),
    allowHeaders: nonEmpty(cors.allowHeaders),
    exposeHeaders: nonEmpty(cors.exposeHeaders),
    maxAge: maxAgeMs === undefined ? defaultCorsMaxAgeSeconds : Math.floor(maxAgeMs / 1000),
    allowCredentials: cors.allowCredentials,
  });
  return [{ type: 'CORS', cors: filter }];
}

/**
 * `service.timeout` and `service.backendTimeout` as the rule's `timeouts`. A backend timeout longer than a
 * non-zero request timeout is refused, naming the field, as the HTTPRoute CRD would refuse the write.
 * Example: timeout `5s`, backendTimeout `10s` → `spec.service.backendTimeout: 10s is longer than service.timeout 5s`.
 */
export function ruleTimeouts(canary: Canary): HttpRouteRule['timeouts'] {
  const { timeout = '', backendTimeout = '' } = serviceOf(canary);
  checkBackendTimeout(timeout, backendTimeout);
  const timeouts = pruned({ request: timeout || undefined, backendRequest: backendTimeout || undefined });
  return Object.keys(timeouts).length > 0 ? timeouts : undefined;
}

function checkBackendTimeout(timeout: string, backendTimeout: string): void {
  const requestMs = parseGoDuration(timeout) ?? 0;
  const backendMs = parseGoDuration(backendTimeout) ?? 0;
  if (requestMs > 0 && backendMs > requestMs) {
    throw new RouterConfigError('spec.service.backendTimeout', `${backendTimeout} is longer than service.timeout ${timeout}`);
  }
}

/** Every rule-level filter of the Canary, in the order Flagger writes them. */
export function ruleFilters(canary: Canary): HttpRouteFilter[] {
  return [...headerFilters(canary), ...rewriteFilter(canary), ...staticMirrorFilters(canary), ...corsFilter(canary)];
}

function nonEmpty(list: string[] | undefined): string[] | undefined {
  return list === undefined || list.length === 0 ? undefined : [...list];
}

/** `value` without its undefined entries (Go's omitempty). */
export function pruned<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
