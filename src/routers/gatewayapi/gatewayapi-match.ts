/**
 * HTTPRoute match conditions from a Canary: `service.match` (Istio-shaped) and the A/B `analysis.match`,
 * translated to Gateway API matches, and the sticky-session cookie conditions. Pure.
 *
 * What an HTTPRoute cannot express is a {@link RouterConfigError} naming the Canary field (the Canary is then
 * Stalled with it), e.g. `spec.service.match[0].authority: cannot be expressed in an HTTPRoute match`.
 */
import { canaryCookieValue, type CanaryMatch } from '../../api/canary-match.js';
import { RouterConfigError } from '../../errors.js';
import type { AbMatch, HttpMatchRequest } from '../../api/istio-types.js';
import { cookieRegex, escapeRegex } from '../session-cookie-routing.js';
import { cookieHeader, type HttpRouteMatch, type NameValueMatch, type PathMatch } from './gatewayapi-objects.js';

type StringMatch = { exact?: string; prefix?: string; suffix?: string; regex?: string };

/** The match every rule has when the Canary sets none, as the CRD defaults it. */
export const defaultMatch: HttpRouteMatch = { path: { type: 'PathPrefix', value: '/' } };


const unsupportedFields = ['scheme', 'authority', 'withoutHeaders', 'ignoreUriCase', 'port', 'sourceLabels', 'sourceNamespace', 'gateways'] as const;

/**
 * A header or query parameter matcher: exact stays exact, everything else becomes a RegularExpression
 * (Gateway API regexes are implementation-specific; the common ones, RE2 and PCRE, match anywhere, so the
 * pattern is anchored). Example: `{ prefix: 'beta' }` → `{ type: 'RegularExpression', value: '^beta.*' }`.
 *
 * parity: Flagger pkg/router/gateway_api.go accepts only exact and regex and errors on the others.
 */
export function nameValueMatch(name: string, match: StringMatch, field: string): NameValueMatch {
  if (match.exact !== undefined) return { type: 'Exact', name, value: match.exact };
  if (match.regex !== undefined) return { type: 'RegularExpression', name, value: match.regex };
  if (match.prefix !== undefined) return { type: 'RegularExpression', name, value: `^${escapeRegex(match.prefix)}.*` };
  if (match.suffix !== undefined) return { type: 'RegularExpression', name, value: `.*${escapeRegex(match.suffix)}$` };
  throw new RouterConfigError(field, 'needs one of exact, prefix, suffix or regex');
}

function pathMatch(uri: StringMatch, field: string): PathMatch {
  if (uri.exact !== undefined) return { type: 'Exact', value: uri.exact };
  if (uri.prefix !== undefined) return { type: 'PathPrefix', value: uri.prefix };
  if (uri.regex !== undefined) return { type: 'RegularExpression', value: uri.regex };
  throw new RouterConfigError(field, 'needs one of exact, prefix or regex');
}

function nameValueList(map: Record<string, StringMatch> | undefined, field: string): NameValueMatch[] | undefined {
  if (map === undefined || Object.keys(map).length === 0) return undefined;
  return Object.entries(map).map(([name, m]) => nameValueMatch(name, m, `${field}.${name}`));
}

/**
 * One `service.match` entry as an HTTPRoute match: uri → path (a missing uri is PathPrefix `/`, as the CRD
 * defaults it), method exact, headers and query parameters.
 * Example: `{ uri: { prefix: '/api' }, method: { exact: 'GET' } }` → `{ path: { type: 'PathPrefix', value: '/api' }, method: 'GET' }`.
 */
export function serviceMatch(match: HttpMatchRequest, field: string): HttpRouteMatch {
  for (const key of unsupportedFields) {
    if (match[key] !== undefined) throw new RouterConfigError(`${field}.${key}`, 'cannot be expressed in an HTTPRoute match');
  }
  if (match.method !== undefined && match.method.exact === undefined) {
    throw new RouterConfigError(`${field}.method`, 'must be an exact match in an HTTPRoute');
  }
  return pruned({
    path: match.uri === undefined ? defaultMatch.path : pathMatch(match.uri, `${field}.uri`),
    headers: nameValueList(match.headers, `${field}.headers`),
    queryParams: nameValueList(match.queryParams, `${field}.queryParams`),
    method: match.method?.exact,
  });
}

/** The rule matches of `service.match`, or the default PathPrefix `/` match when it has none. */
export function serviceMatches(matches: readonly HttpMatchRequest[] | undefined): HttpRouteMatch[] {
  if (matches === undefined || matches.length === 0) return [structuredClone(defaultMatch)];
  return matches.map((m, i) => serviceMatch(m, `spec.service.match[${i}]`));
}

/** An A/B condition (`analysis.match[i]`) as the headers and query parameters it adds to a match. */
export function abCondition(match: AbMatch, field: string): HttpRouteMatch {
  if (match.sourceLabels !== undefined && Object.keys(match.sourceLabels).length > 0) {
    throw new RouterConfigError(`${field}.sourceLabels`, 'cannot be expressed in an HTTPRoute match');
  }
  return pruned({ headers: nameValueList(match.headers, `${field}.headers`), queryParams: nameValueList(match.queryParams, `${field}.queryParams`) });
}

/**
 * The cross product of conditions with the service matches: each condition narrows each service match, its
 * headers and query parameters replacing those of the same name (header names compare case-insensitively).
 * Example: condition `x-user: test`, service matches `/api` and `/v2` → `/api + x-user`, `/v2 + x-user`.
 *
 * parity: Flagger pkg/router/gateway_api.go mergeMatchConditions, same cross product.
 */
export function mergeMatches(conditions: readonly HttpRouteMatch[], service: readonly HttpRouteMatch[]): HttpRouteMatch[] {
  return conditions.flatMap((condition) => service.map((base) => pruned({
    ...structuredClone(base),
    headers: mergeLists(base.headers, condition.headers, (n) => n.toLowerCase()),
    queryParams: mergeLists(base.queryParams, condition.queryParams, (n) => n),
  })));
}

function mergeLists(base: NameValueMatch[] | undefined, over: NameValueMatch[] | undefined, key: (name: string) => string): NameValueMatch[] | undefined {
  if (base === undefined && over === undefined) return undefined;
  const replaced = new Set((over ?? []).map((m) => key(m.name)));
  return [...(base ?? []).filter((m) => !replaced.has(key(m.name))), ...(over ?? [])].map((m) => ({ ...m }));
}

/**
 * The condition of `analysis.canaryMatch` (a Songbird extension): its header (exact stays exact, prefix and
 * regex become a RegularExpression), or a `Cookie` header carrying `<name>=always` as one of its cookies.
 * Example: cookie `canary` → `Cookie` matching `^(.*;\s*)?canary=always(;.*)?$` (the pattern Istio's canaryMatch uses too).
 */
export function canaryMatchCondition(match: CanaryMatch): HttpRouteMatch {
  if (match.header !== undefined) {
    const { name, ...matcher } = match.header;
    return { headers: [nameValueMatch(name, matcher, 'spec.analysis.canaryMatch.header')] };
  }
  const cookie = `${escapeRegex(match.cookie?.name ?? '')}=${canaryCookieValue}`;
  return { headers: [{ type: 'RegularExpression', name: cookieHeader, value: `^(.*;\\s*)?${cookie}(;.*)?$` }] };
}

/** The matches of a sticky-session rule: each service match narrowed to requests carrying `cookie`. */
export function cookieMatches(cookie: string, service: readonly HttpRouteMatch[]): HttpRouteMatch[] {
  return mergeMatches([{ headers: [{ type: 'RegularExpression', name: cookieHeader, value: cookieRegex(cookie) }] }], service);
}

function pruned<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
