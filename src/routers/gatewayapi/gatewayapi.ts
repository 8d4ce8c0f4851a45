import type { Canary } from '../../api/canary.js';
import { serviceNames } from '../../api/defaults.js';
import type { ResourceType } from '../../ports/kube.js';
import type { Router, RouterDeps, Weights } from '../router.js';
import { logFields, namespaceOf, rethrowUnlessConflict } from '../router-helpers.js';
import { missingSessionCookie } from '../session-cookie-routing.js';
import { desiredHttpRoute } from './gatewayapi-desired.js';
import { httpRouteType, type GatewayApiVersion, type HttpRoute } from './gatewayapi-objects.js';
import { apexRulesPatch, finalizePatch, httpRouteReconcilePatch, originalSpec, routesPatch } from './gatewayapi-patches.js';
import { readWeights } from './gatewayapi-routes.js';
import { notAcceptedParents } from './gatewayapi-status.js';

type PatchOutcome = 'patched' | 'unchanged' | 'missing';

/**
 * The `gatewayapi:v1` and `gatewayapi:v1beta1` providers (spec §5.3): the apex `<svc>` HTTPRoute, written in
 * the provider's API version, whose managed rules split traffic between `<svc>-primary` and `<svc>-canary`.
 * A thin apply layer over the pure builders of `gatewayapi-desired.ts` and the patches of
 * `gatewayapi-patches.ts`. A user's HTTPRoute of the same name is taken over: its own rules (those with other
 * backends) are never rewritten, and with revertOnDeletion its spec is restored when the Canary goes.
 */
export class GatewayApiRouter implements Router {
  private readonly httpRoutes: ResourceType<HttpRoute>;

  constructor(private readonly deps: RouterDeps, private readonly version: GatewayApiVersion) {
    this.httpRoutes = httpRouteType(version);
  }

  /**
   * Creates the HTTPRoute with all traffic on the primary, or repairs an existing one without moving its
   * split. Throws, naming the field, when a match cannot be expressed in an HTTPRoute.
   */
  async reconcile(canary: Canary): Promise<void> {
    const desired = desiredHttpRoute(canary, this.version);
    const name = `${desired.metadata.name}.${namespaceOf(canary)}`;
    const outcome = await this.patchHttpRoute(canary, true, (route) => httpRouteReconcilePatch(route, canary, this.version));
    if (outcome === 'patched') this.deps.logger.info(`HTTPRoute ${name} updated`, logFields(canary));
    if (outcome !== 'missing') return;
    if (await this.deps.kube.create(this.httpRoutes, desired).then(() => true, rethrowUnlessConflict)) {
      this.deps.logger.info(`HTTPRoute ${name} created`, logFields(canary));
      return;
    }
    // Someone created it since it was read: bring that one to the desired spec instead.
    await this.patchHttpRoute(canary, false, (route) => httpRouteReconcilePatch(route, canary, this.version));
  }

  /**
   * The split the HTTPRoute holds. Throws when it is missing, has no weighted rule, or a Gateway has not
   * accepted its current generation yet (the split read would not be the one in force).
   */
  async getRoutes(canary: Canary): Promise<Weights> {
    const { apex, primary, canary: canaryName } = serviceNames(canary);
    const route = await this.deps.reader.get(this.httpRoutes, namespaceOf(canary), apex);
    if (route === undefined) throw new Error(`HTTPRoute ${apex}.${namespaceOf(canary)} not found`);
    const pending = notAcceptedParents(route);
    if (pending !== undefined) throw new Error(`HTTPRoute ${apex}.${namespaceOf(canary)} ${pending}`);
    const weights = readWeights(route.spec ?? {}, canary);
    if (weights === undefined) throw new Error(`HTTPRoute ${apex}.${namespaceOf(canary)} does not contain routes for ${primary} and ${canaryName}`);
    return weights;
  }

  /** Moves traffic: patches `spec.rules`, the managed rules only, read fresh from the API. */
  async setRoutes(canary: Canary, weights: Weights): Promise<void> {
    const missing = missingSessionCookie(canary, weights);
    if (missing !== undefined) throw new Error(missing);
    const outcome = await this.patchHttpRoute(canary, false, (route) => routesPatch(route, canary, weights));
    if (outcome === 'missing') throw new Error(`HTTPRoute ${serviceNames(canary).apex}.${namespaceOf(canary)} not found`);
  }

  /**
   * Restores the spec a taken-over HTTPRoute had; one the router created has its rules sent to the apex
   * Service, which the reconciler has already moved to the target (see {@link apexRulesPatch}).
   */
  async finalize(canary: Canary): Promise<void> {
    let restored = false;
    const outcome = await this.patchHttpRoute(canary, false, (route) => {
      restored = originalSpec(route) !== undefined;
      return restored ? finalizePatch(route) : apexRulesPatch(route, canary);
    });
    const name = `${serviceNames(canary).apex}.${namespaceOf(canary)}`;
    if (outcome === 'missing') this.deps.logger.info(`HTTPRoute ${name} not found, nothing to revert`, logFields(canary));
    if (outcome !== 'patched') return;
    const done = restored ? 'reverted to its original configuration' : `routes to ${serviceNames(canary).apex}`;
    this.deps.logger.info(`HTTPRoute ${name} ${done}`, logFields(canary));
  }

  /** Reads, computes a patch and applies it; a conflict is retried once with a fresh read from the API. */
  private async patchHttpRoute(canary: Canary, cached: boolean, compute: (route: HttpRoute) => unknown): Promise<PatchOutcome> {
    const target = { namespace: namespaceOf(canary), name: serviceNames(canary).apex };
    for (const fromCache of cached ? [true, false] : [false, false]) {
      const read = fromCache ? this.deps.reader : this.deps.kube;
      const route = await read.get(this.httpRoutes, target.namespace, target.name);
      if (route === undefined) return 'missing';
      const patch = compute(route);
      if (patch === undefined) return 'unchanged';
      const done = await this.deps.kube.patch(this.httpRoutes, target, patch).then(() => true, rethrowUnlessConflict);
      if (done) return 'patched';
    }
    throw new Error(`HTTPRoute ${target.name}.${target.namespace} keeps changing; giving up until the next reconcile`);
  }
}
