/**
 * The parts of Istio's `networking.istio.io/v1beta1` VirtualService and DestinationRule the Istio router
 * writes or reads. Objects read from the API may carry any other Istio field; the router never writes such
 * an object back whole, it patches the fields it owns.
 */
import type { CanaryService } from '../../api/canary-service.js';
import type { HttpMatchRequest, TrafficPolicy } from '../../api/istio-types.js';
import { Resources } from '../../kube/resources.js';
import type { KubeObject, ResourceType } from '../../ports/kube.js';

/** Istio HeaderOperations. */
export interface HeaderOperations {
  add?: Record<string, string>;
  set?: Record<string, string>;
  remove?: string[];
}

/** Istio Headers: request and response header operations. */
export interface IstioHeaders {
  request?: HeaderOperations;
  response?: HeaderOperations;
}

/** Istio Destination: a Service host, and its port when the gateway needs one. */
export interface IstioDestination {
  host: string;
  port?: { number: number };
}

/** Istio HTTPRouteDestination (also used for TCP routes). `weight` is always written, as Flagger does. */
export interface RouteDestination {
  destination: IstioDestination;
  weight?: number;
  headers?: IstioHeaders;
}

/** Istio HTTPRoute, with the fields a Canary's `service` sets. */
export interface HttpRoute {
  match?: HttpMatchRequest[];
  route?: RouteDestination[];
  rewrite?: { uri?: string; authority?: string };
  timeout?: string;
  retries?: CanaryService['retries'];
  mirror?: IstioDestination;
  mirrorPercentage?: { value: number };
  corsPolicy?: CanaryService['corsPolicy'];
  headers?: IstioHeaders;
}

/** Istio L4MatchAttributes; only the port is derived from `service.match`. */
export interface L4Match {
  port?: number;
}

/** Istio TCPRoute. */
export interface TcpRoute {
  match?: L4Match[];
  route?: RouteDestination[];
}

/** The VirtualService spec fields the router owns; any other field (e.g. `tls`, `exportTo`) is left alone. */
export interface VirtualServiceSpec {
  hosts?: string[];
  gateways?: string[];
  http?: HttpRoute[];
  tcp?: TcpRoute[];
}

/** An Istio VirtualService. */
export interface VirtualService extends KubeObject {
  spec?: VirtualServiceSpec;
}

/** Istio DestinationRule spec: the router sets `host` and `trafficPolicy` and nothing else. */
export interface DestinationRuleSpec {
  host?: string;
  trafficPolicy?: TrafficPolicy;
}

/** An Istio DestinationRule. */
export interface DestinationRule extends KubeObject {
  spec?: DestinationRuleSpec;
}

/** VirtualService resource type, typed with the fields the router uses. */
export const virtualServiceType = Resources.virtualServices as ResourceType<VirtualService>;

/** DestinationRule resource type, typed with the fields the router uses. */
export const destinationRuleType = Resources.destinationRules as ResourceType<DestinationRule>;

export { kubectlLastAppliedAnnotation, originalConfigAnnotation } from '../taken-over-spec.js';

/** Request header the sticky-session rules match on. */
export const cookieHeader = 'Cookie';

/** Response header the weighted route adds to hand out a session cookie. */
export const setCookieHeader = 'Set-Cookie';
