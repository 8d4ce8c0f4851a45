import type { CanaryProvider } from '../api/canary.js';
import { ProviderNotImplementedError } from '../errors.js';
import type { ProviderBuiltins } from '../metrics/builtin-queries.js';
import { AlbRouter } from './alb/alb.js';
import { albBuiltins } from './alb/alb-builtins.js';
import { httpBuiltins } from './http-builtins.js';
import { istioBuiltins } from './istio/istio-builtins.js';
import { GatewayApiRouter } from './gatewayapi/gatewayapi.js';
import { IstioRouter } from './istio/istio.js';
import { KubernetesRouter } from './kubernetes/kubernetes.js';
import { nginxBuiltins } from './nginx/nginx-builtins.js';
import { NginxRouter } from './nginx/nginx.js';
import type { Router, RouterDeps } from './router.js';

/**
 * What the generic reconciler needs to know about a traffic provider, beside its Router. Adding a provider
 * is one folder under routers/ and one entry in {@link PROVIDERS}; nothing under reconciler/ names one.
 */
export interface ProviderDescriptor {
  /** Builds the provider's router for one tick. */
  readonly create: (deps: RouterDeps) => Router;
  /** How messages name the provider, e.g. `the ALB has not applied the weights yet`. */
  readonly label: string;
  /**
   * False for a provider with no traffic objects (`kubernetes`): every run is Blue/Green and promotion
   * moves no weights.
   */
  readonly routesTraffic: boolean;
  /**
   * True when the run's session-affinity cookies (`analysis.sessionAffinity`) are drafted into the status
   * before each `setRoutes` (see session-cookies.ts); the router reads them from there.
   */
  readonly sessionCookies: boolean;
  /**
   * The builtin metrics `request-success-rate` and `request-duration`: PromQL queries (run against the
   * metrics server), CloudWatch reads by the router's `cloudWatchTargets`, or none.
   */
  readonly builtins: ProviderBuiltins;
}

const providerLabel = (provider: string): string => `the ${provider} provider`;

/**
 * One entry per provider of the enum: the `Record` type makes a missing provider a type error, and `null`
 * marks one this build does not implement yet.
 * Session cookies: Istio routes by them; the other providers have always kept them in the status too,
 * although their routes do not read them, so they keep doing so.
 */
const PROVIDERS: Record<CanaryProvider, ProviderDescriptor | null> = {
  kubernetes: {
    create: () => new KubernetesRouter(), label: providerLabel('kubernetes'), routesTraffic: false, sessionCookies: true,
    // parity: Flagger pkg/metrics/observers/factory.go gives `kubernetes` the generic HTTP observer.
    builtins: httpBuiltins,
  },
  istio: { create: (deps) => new IstioRouter(deps), label: providerLabel('istio'), routesTraffic: true, sessionCookies: true, builtins: istioBuiltins },
  nginx: { create: (deps) => new NginxRouter(deps), label: providerLabel('nginx'), routesTraffic: true, sessionCookies: true, builtins: nginxBuiltins },
  alb: { create: (deps) => new AlbRouter(deps), label: 'the ALB', routesTraffic: true, sessionCookies: true, builtins: albBuiltins },
  // parity: Flagger's gatewayapi providers use the generic HTTP observer too.
  'gatewayapi:v1': {
    create: (deps) => new GatewayApiRouter(deps, 'v1'), label: providerLabel('gatewayapi:v1'), routesTraffic: true, sessionCookies: true, builtins: httpBuiltins,
  },
  'gatewayapi:v1beta1': {
    create: (deps) => new GatewayApiRouter(deps, 'v1beta1'), label: providerLabel('gatewayapi:v1beta1'), routesTraffic: true, sessionCookies: true, builtins: httpBuiltins,
  },
  apisix: null, appmesh: null, 'appmesh:v1beta2': null, contour: null, gloo: null, knative: null, kuma: null, linkerd: null,
  osm: null, skipper: null, 'smi:v1alpha1': null, 'smi:v1alpha2': null, 'smi:v1alpha3': null, traefik: null,
};

/** Providers this build implements; any other is reported as a Stalled condition naming it. */
export const IMPLEMENTED_PROVIDERS: ReadonlySet<CanaryProvider> = new Set(
  (Object.keys(PROVIDERS) as CanaryProvider[]).filter((p) => PROVIDERS[p] !== null),
);

/**
 * The descriptor of a provider. An unimplemented provider throws; it is never mapped to another.
 * parity: pkg/router/factory.go falls back to Istio for unknown providers.
 */
export function providerOf(provider: CanaryProvider): ProviderDescriptor {
  const descriptor = PROVIDERS[provider];
  if (descriptor === null) throw new ProviderNotImplementedError(provider);
  return descriptor;
}

/**
 * The builtin metrics of a provider; for a provider without builtins (or not implemented), `none` and the
 * providers that have them.
 * parity: Flagger pkg/metrics/observers/factory.go falls back to Istio's queries for any other provider (and,
 * through the `:service` suffix, for every Service target); Songbird has the queries of the providers it
 * routes, and a clear error for the others.
 */
export function builtinsOf(provider: CanaryProvider): ProviderBuiltins {
  const descriptor = PROVIDERS[provider];
  if (hasBuiltins(descriptor)) return descriptor.builtins;
  return { source: 'none', available: (Object.keys(PROVIDERS) as CanaryProvider[]).filter((p) => hasBuiltins(PROVIDERS[p])) };
}

function hasBuiltins(descriptor: ProviderDescriptor | null): descriptor is ProviderDescriptor {
  return descriptor !== null && descriptor.builtins.source !== 'none';
}

/** The router of a provider (see {@link providerOf}). */
export function createRouter(provider: CanaryProvider, deps: RouterDeps): Router {
  return providerOf(provider).create(deps);
}
