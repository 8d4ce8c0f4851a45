/**
 * The parts of the Gateway API `HTTPRoute` (`gateway.networking.k8s.io`, versions v1 and v1beta1, which share
 * one schema) the Gateway API router writes or reads. Rules read from the API may carry any other field; the
 * router copies rules it does not manage back exactly as read.
 */
import type { KubeObject, ResourceType } from '../../ports/kube.js';

/** The HTTPRoute API versions, one per provider (`gatewayapi:v1`, `gatewayapi:v1beta1`). */
export type GatewayApiVersion = 'v1' | 'v1beta1';

/** Gateway API ParentReference with its defaults written out (group and kind). */
export interface ParentRef {
  group: string;
  kind: string;
  name: string;
  namespace?: string;
  sectionName?: string;
  port?: number;
}

/** Path, header and query parameter matches; `type` is always written (the CRD defaults it). */
export interface PathMatch { type: 'Exact' | 'PathPrefix' | 'RegularExpression'; value: string }
export interface NameValueMatch { type: 'Exact' | 'RegularExpression'; name: string; value: string }

/** Gateway API HTTPRouteMatch. */
export interface HttpRouteMatch {
  path?: PathMatch;
  headers?: NameValueMatch[];
  queryParams?: NameValueMatch[];
  method?: string;
}

/** A header to set or add. */
export interface HttpHeader { name: string; value: string }

/** Gateway API HTTPHeaderFilter. */
export interface HeaderFilter {
  set?: HttpHeader[];
  add?: HttpHeader[];
  remove?: string[];
}

/** A reference to a Service, with its defaults (group `""`, kind `Service`) written out. */
export interface ServiceRef {
  group: string;
  kind: string;
  name: string;
  namespace?: string;
  port?: number;
}

/** Gateway API HTTPRouteFilter, the types the router writes. */
export interface HttpRouteFilter {
  /** `RequestHeaderModifier`, `ResponseHeaderModifier`, `URLRewrite`, `RequestMirror`, `CORS`, or a user's. */
  type: string;
  requestHeaderModifier?: HeaderFilter;
  responseHeaderModifier?: HeaderFilter;
  urlRewrite?: {
    hostname?: string;
    path?: { type: 'ReplaceFullPath'; replaceFullPath: string } | { type: 'ReplacePrefixMatch'; replacePrefixMatch: string };
  };
  requestMirror?: { backendRef: ServiceRef; percent?: number };
  cors?: {
    allowOrigins?: string[];
    allowMethods?: string[];
    allowHeaders?: string[];
    exposeHeaders?: string[];
    maxAge: number;
    allowCredentials?: boolean;
  };
}

/** Gateway API HTTPBackendRef. */
export interface HttpBackendRef extends ServiceRef {
  weight?: number;
  filters?: HttpRouteFilter[];
}

/** Gateway API HTTPRouteRule. */
export interface HttpRouteRule {
  matches?: HttpRouteMatch[];
  filters?: HttpRouteFilter[];
  backendRefs?: HttpBackendRef[];
  timeouts?: { request?: string; backendRequest?: string };
}

/** The HTTPRoute spec fields the router owns (of `rules`, only the rules it manages). */
export interface HttpRouteSpec {
  parentRefs?: ParentRef[];
  hostnames?: string[];
  rules?: HttpRouteRule[];
}

/** The status a Gateway controller writes for each parent. */
export interface RouteParentStatus {
  parentRef: Partial<ParentRef>;
  controllerName?: string;
  conditions?: { type: string; status: string; observedGeneration?: number; reason?: string; message?: string }[];
}

/** A Gateway API HTTPRoute. */
export interface HttpRoute extends KubeObject {
  spec?: HttpRouteSpec;
  status?: { parents?: RouteParentStatus[] };
}

/** The HTTPRoute resource type of an API version. */
export function httpRouteType(version: GatewayApiVersion): ResourceType<HttpRoute> {
  return { group: 'gateway.networking.k8s.io', version, kind: 'HTTPRoute', plural: 'httproutes', namespaced: true, hasStatus: true };
}

export { kubectlLastAppliedAnnotation, originalConfigAnnotation } from '../taken-over-spec.js';

/** Request header the sticky-session rules match on. */
export const cookieHeader = 'Cookie';

/** Response header that hands out a session cookie. */
export const setCookieHeader = 'Set-Cookie';
