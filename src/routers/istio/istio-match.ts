/**
 * HTTP match conditions of the Istio routes: the A/B conditions (`analysis.match`) and the sticky-session
 * cookie conditions, each combined with the route's own `service.match`.
 */
import type { AbMatch, HttpMatchRequest } from '../../api/istio-types.js';
import { cookieRegex, escapeRegex } from '../session-cookie-routing.js';
import { cookieHeader } from './istio-objects.js';

export { cookieRegex, escapeRegex, isCookieRegexFor } from '../session-cookie-routing.js';

type StringMatch = NonNullable<HttpMatchRequest['uri']>;
type HeaderMatch = NonNullable<AbMatch['headers']>[string];

/**
 * An A/B header matcher as an Istio StringMatch. Istio has no `suffix`, so a suffix becomes a regex (Istio
 * regexes match the whole value). Example: `{ suffix: '.beta' }` → `{ regex: '.*\\.beta' }`.
 *
 * parity: Flagger copies `suffix` into the VirtualService, where Istio's schema prunes it and the header
 * condition then matches any value.
 */
export function istioStringMatch(match: HeaderMatch): StringMatch {
  const { suffix, ...rest } = match;
  return suffix === undefined ? { ...rest } : { regex: `.*${escapeRegex(suffix)}` };
}

/** An A/B condition as an Istio HTTPMatchRequest. */
export function abMatchRequest(match: AbMatch): HttpMatchRequest {
  const headers = match.headers === undefined ? undefined : Object.fromEntries(
    Object.entries(match.headers).map(([name, value]) => [name, istioStringMatch(value)]),
  );
  return withoutUndefined({ headers, queryParams: match.queryParams, sourceLabels: match.sourceLabels });
}

/**
 * The cross product of `conditions` with the route's own matches: each condition narrowed by each of
 * `serviceMatches`, the condition's headers, query parameters and source labels overriding the service
 * match's keys of the same name. Without service matches the conditions are used as they are.
 *
 * Example: conditions `[{headers: {x-user: {exact: 'test'}}}]`, service matches `[{uri: {prefix: '/api'}},
 * {uri: {prefix: '/v2'}}]` → `[{uri: /api, headers: {x-user}}, {uri: /v2, headers: {x-user}}]`.
 *
 * parity: Flagger pkg/router/istio.go mergeMatchConditions replaces the service match's whole header map
 * and drops the condition's query parameters, so a service match on a header is lost on the canary route;
 * here maps are merged key by key.
 */
export function mergeMatchConditions(conditions: readonly HttpMatchRequest[], serviceMatches: readonly HttpMatchRequest[] = []): HttpMatchRequest[] {
  if (serviceMatches.length === 0) return conditions.map((c) => structuredClone(c));
  return conditions.flatMap((condition) => serviceMatches.map((base) => narrow(base, condition)));
}

function narrow(base: HttpMatchRequest, condition: HttpMatchRequest): HttpMatchRequest {
  return structuredClone(withoutUndefined({
    ...base,
    headers: mergeMaps(base.headers, condition.headers),
    queryParams: mergeMaps(base.queryParams, condition.queryParams),
    sourceLabels: mergeMaps(base.sourceLabels, condition.sourceLabels),
  }));
}

function mergeMaps<V>(base: Record<string, V> | undefined, over: Record<string, V> | undefined): Record<string, V> | undefined {
  return base === undefined && over === undefined ? undefined : { ...base, ...over };
}

/** The match conditions of a sticky-session route: the cookie header, within each service match. */
export function cookieMatches(cookie: string, serviceMatches: readonly HttpMatchRequest[] = []): HttpMatchRequest[] {
  return mergeMatchConditions([{ headers: { [cookieHeader]: { regex: cookieRegex(cookie) } } }], serviceMatches);
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
