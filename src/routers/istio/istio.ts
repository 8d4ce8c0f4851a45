import type { Canary } from '../../api/canary.js';
import { serviceNames } from '../../api/defaults.js';
import type { ResourceType } from '../../ports/kube.js';
import { delegationProblem, desiredDestinationRules, desiredVirtualService } from './istio-desired.js';
import { destinationRuleType, virtualServiceType, type DestinationRule, type VirtualService } from './istio-objects.js';
import {
  apexRoutesPatch, destinationRulePatch, finalizePatch, originalSpec, routesPatch, virtualServiceReconcilePatch,
} from './istio-patches.js';
import { readWeights } from './istio-routes.js';
import type { Router, RouterDeps, Weights } from '../router.js';
import { logFields, namespaceOf, rethrowUnlessConflict } from '../router-helpers.js';
import { missingSessionCookie } from '../session-cookie-routing.js';

type PatchOutcome = 'patched' | 'unchanged' | 'missing';

/**
 * The `istio` provider (spec §5.1): `<svc>-primary` and `<svc>-canary` DestinationRules and the apex `<svc>`
 * VirtualService whose weighted route splits traffic between them; the user's other routes in it are kept
 * as written. A thin apply layer over the pure builders of `istio-desired.ts` and patches of
 * `istio-patches.ts`: objects are created when missing and otherwise changed with merge patches of the
 * fields the router owns, only when something differs.
 *
 * Session affinity: the router reads the session cookies from `canary.status` and never makes them; see
 * `sessionAffinityStatus` in `session-cookies.ts` for what the reconciler does before `setRoutes`.
 */
export class IstioRouter implements Router {
  constructor(private readonly deps: RouterDeps) {}

  /**
   * Creates or repairs the DestinationRules and the VirtualService without moving traffic: a VirtualService
   * is created with all traffic on the primary, and an existing one keeps its current split (a user's
   * VirtualService is taken over, its spec saved once for {@link finalize}). Reads go through the reader;
   * in steady state nothing is written.
   */
  async reconcile(canary: Canary): Promise<void> {
    const problem = delegationProblem(canary);
    if (problem !== undefined) throw new Error(problem);
    for (const rule of desiredDestinationRules(canary)) await this.reconcileDestinationRule(canary, rule);
    await this.reconcileVirtualService(canary);
  }

  /**
   * The split the VirtualService holds (read through the reader). Throws when it is missing, or when it
   * has no route to the primary and canary or both weights are 0 ("does not contain routes").
   */
  async getRoutes(canary: Canary): Promise<Weights> {
    const { apex, primary, canary: canaryName } = serviceNames(canary);
    const vs = await this.deps.reader.get(virtualServiceType, namespaceOf(canary), apex);
    if (vs === undefined) throw new Error(`VirtualService ${apex}.${namespaceOf(canary)} not found`);
    const weights = readWeights(vs.spec ?? {}, canary);
    if (weights === undefined) {
      throw new Error(`VirtualService ${apex}.${namespaceOf(canary)} does not contain routes for ${primary} and ${canaryName}`);
    }
    return weights;
  }

  /**
   * Moves traffic: patches `spec.http` (or `spec.tcp`) only, with Songbird's routes rebuilt for `weights`
   * and the user's own routes in it kept as read (istio-foreign-routes.ts), and only when it differs.
   * The VirtualService is read from the API itself, not the reader, so that a split written a moment ago is
   * never mistaken for the one asked for. With session affinity and canary weight above 0,
   * `canary.status.sessionAffinityCookie` (and `primarySessionAffinityCookie` with `primaryCookieName`)
   * must hold the run's cookies, as computed by `sessionAffinityStatus(canary, weights)`; otherwise this throws.
   */
  async setRoutes(canary: Canary, weights: Weights): Promise<void> {
    const missing = missingSessionCookie(canary, weights);
    if (missing !== undefined) throw new Error(missing);
    const outcome = await this.patchVirtualService(canary, false, (vs) => routesPatch(vs, canary, weights));
    if (outcome === 'missing') throw new Error(`VirtualService ${serviceNames(canary).apex}.${namespaceOf(canary)} not found`);
  }

  /**
   * Restores the spec a taken-over VirtualService had before the takeover (kubectl's last-applied record,
   * else the saved original). One the router created has its routes pointed at the apex Service, which the
   * reconciler has already moved to the target, before the garbage collector removes the primary (see
   * {@link apexRoutesPatch}).
   *
   * parity: Flagger pkg/router/istio.go Finalize fails when the VirtualService is gone; here that is
   * nothing to revert, so a Canary's deletion never hangs on it.
   */
  async finalize(canary: Canary): Promise<void> {
    let restored = false;
    const outcome = await this.patchVirtualService(canary, false, (vs) => {
      restored = originalSpec(vs) !== undefined;
      return restored ? finalizePatch(vs) : apexRoutesPatch(vs, canary);
    });
    const name = `${serviceNames(canary).apex}.${namespaceOf(canary)}`;
    if (outcome === 'missing') this.deps.logger.info(`VirtualService ${name} not found, nothing to revert`, logFields(canary));
    if (outcome !== 'patched') return;
    const done = restored ? 'reverted to its original configuration' : `routes to ${serviceNames(canary).apex}`;
    this.deps.logger.info(`VirtualService ${name} ${done}`, logFields(canary));
  }

  private async reconcileDestinationRule(canary: Canary, desired: DestinationRule): Promise<void> {
    const target = { namespace: namespaceOf(canary), name: desired.metadata.name };
    const existing = await this.deps.reader.get(destinationRuleType, target.namespace, target.name);
    if (existing === undefined && await this.createOnce(destinationRuleType, desired)) {
      this.deps.logger.info(`DestinationRule ${target.name}.${target.namespace} created`, logFields(canary));
      return;
    }
    const current = existing ?? await this.deps.kube.get(destinationRuleType, target.namespace, target.name);
    const patch = current === undefined ? undefined : destinationRulePatch(current, desired);
    if (patch === undefined) return;
    await this.deps.kube.patch(destinationRuleType, target, patch);
    this.deps.logger.info(`DestinationRule ${target.name}.${target.namespace} updated`, logFields(canary));
  }

  private async reconcileVirtualService(canary: Canary): Promise<void> {
    const name = `${serviceNames(canary).apex}.${namespaceOf(canary)}`;
    const outcome = await this.patchVirtualService(canary, true, (vs) => virtualServiceReconcilePatch(vs, canary));
    if (outcome === 'patched') this.deps.logger.info(`VirtualService ${name} updated`, logFields(canary));
    if (outcome !== 'missing') return;
    if (await this.createOnce(virtualServiceType, desiredVirtualService(canary))) {
      this.deps.logger.info(`VirtualService ${name} created`, logFields(canary));
      return;
    }
    // Someone created it since it was read: bring that one to the desired spec instead.
    await this.patchVirtualService(canary, false, (vs) => virtualServiceReconcilePatch(vs, canary));
  }

  /**
   * Reads the VirtualService, computes a patch from it and applies it. A conflict (the object changed since
   * it was read, e.g. a stale cache) is retried once with a fresh read from the API.
   */
  private async patchVirtualService(canary: Canary, cached: boolean, compute: (vs: VirtualService) => unknown): Promise<PatchOutcome> {
    const target = { namespace: namespaceOf(canary), name: serviceNames(canary).apex };
    for (const fromCache of cached ? [true, false] : [false, false]) {
      const read = fromCache ? this.deps.reader : this.deps.kube;
      const vs = await read.get(virtualServiceType, target.namespace, target.name);
      if (vs === undefined) return 'missing';
      const patch = compute(vs);
      if (patch === undefined) return 'unchanged';
      const done = await this.deps.kube.patch(virtualServiceType, target, patch).then(() => true, rethrowUnlessConflict);
      if (done) return 'patched';
    }
    throw new Error(`VirtualService ${target.name}.${target.namespace} keeps changing; giving up until the next reconcile`);
  }

  // Creates `object`; false when it already exists (created since it was read).
  private async createOnce<T extends VirtualService | DestinationRule>(type: ResourceType<T>, object: T): Promise<boolean> {
    return this.deps.kube.create(type, object).then(() => true, rethrowUnlessConflict);
  }
}

