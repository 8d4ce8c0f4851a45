import type { CanaryProvider } from '../api/canary.js';
import { AlbRouter } from './alb.js';
import { IstioRouter } from './istio.js';
import { KubernetesRouter } from './kubernetes.js';
import { NginxRouter } from './nginx.js';
import type { Router, RouterDeps } from './router.js';

/** Thrown for a provider the schema admits but this build does not implement (never a silent fallback). */
export class ProviderNotImplementedError extends Error {
  readonly code = 'PROVIDER_NOT_IMPLEMENTED';
  constructor(readonly provider: CanaryProvider) {
    super(`provider ${provider} is not implemented yet`);
    this.name = 'ProviderNotImplementedError';
  }
}

type RouterFactory = (deps: RouterDeps) => Router;

/**
 * One entry per provider of the enum: the `Record` type makes a missing provider a type error, and `null`
 * marks one this build does not implement yet.
 */
const ROUTERS: Record<CanaryProvider, RouterFactory | null> = {
  kubernetes: () => new KubernetesRouter(),
  istio: (deps) => new IstioRouter(deps),
  nginx: (deps) => new NginxRouter(deps),
  alb: (deps) => new AlbRouter(deps),
  apisix: null, appmesh: null, 'appmesh:v1beta2': null, contour: null, 'gatewayapi:v1': null,
  'gatewayapi:v1beta1': null, gloo: null, knative: null, kuma: null, linkerd: null, osm: null,
  skipper: null, 'smi:v1alpha1': null, 'smi:v1alpha2': null, 'smi:v1alpha3': null, traefik: null,
};

/** Providers this build implements; any other is reported as a Stalled condition naming it. */
export const IMPLEMENTED_PROVIDERS: ReadonlySet<CanaryProvider> = new Set(
  (Object.keys(ROUTERS) as CanaryProvider[]).filter((p) => ROUTERS[p] !== null),
);

/**
 * The router of a provider. An unimplemented provider throws; it is never mapped to another.
 * parity: pkg/router/factory.go falls back to Istio for unknown providers.
 */
export function createRouter(provider: CanaryProvider, deps: RouterDeps): Router {
  const factory = ROUTERS[provider];
  if (factory === null) throw new ProviderNotImplementedError(provider);
  return factory(deps);
}
