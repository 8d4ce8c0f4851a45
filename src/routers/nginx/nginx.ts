import type { Canary } from '../../api/canary.js';
import { Resources, type Ingress } from '../../kube/resources.js';
import {
  canaryAnnotations, canaryIngressName, canaryIngressReconcilePatch, canaryRoutesPatch, desiredCanaryIngress, readNginxWeights,
  sourceIngressName,
} from './nginx-desired.js';
import { ALL_PRIMARY, type Router, type RouterDeps, type Weights } from '../router.js';
import { logFields, namespaceOf, rethrowUnlessConflict } from '../router-helpers.js';

/**
 * The `nginx` provider (spec §5.2): a canary Ingress `<ingress>-canary`, cloned from the `ingressRef`
 * Ingress with its backends pointed at `<svc>-canary`, whose `<prefix>/canary*` annotations tell
 * ingress-nginx how much traffic (or which requests) go to the canary. A thin apply layer over the pure
 * builders of `nginx-desired.ts`: the `ingressRef` Ingress is only ever read, never written; the canary
 * Ingress is created when missing and otherwise patched only when something differs.
 */
export class NginxRouter implements Router {
  constructor(private readonly deps: RouterDeps) {}

  private get prefix(): string {
    return this.deps.settings.ingressAnnotationsPrefix;
  }

  /**
   * Creates the canary Ingress (weight 0) or brings its spec, labels and inherited annotations to the
   * source's, never touching the `<prefix>/canary*` annotations that hold the split. Throws when the source
   * Ingress is missing or has no backend naming the apex Service. In steady state nothing is written.
   */
  async reconcile(canary: Canary): Promise<void> {
    const source = await this.source(canary);
    const desired = desiredCanaryIngress(canary, source, this.prefix, ALL_PRIMARY);
    const target = { namespace: namespaceOf(canary), name: desired.metadata.name };
    const existing = await this.deps.reader.get(Resources.ingresses, target.namespace, target.name);
    if (existing === undefined) {
      const created = await this.deps.kube.create(Resources.ingresses, desired).then(() => true, rethrowUnlessConflict);
      if (created) {
        this.deps.logger.info(`Ingress ${target.name}.${target.namespace} created`, logFields(canary));
        return;
      }
    }
    // Created since it was read, or read from a cache: bring the current object to the desired fields.
    const current = existing ?? await this.deps.kube.get(Resources.ingresses, target.namespace, target.name);
    const patch = current === undefined ? undefined : canaryIngressReconcilePatch(current, desired, this.prefix);
    if (patch === undefined) return;
    await this.deps.kube.patch(Resources.ingresses, target, patch);
    this.deps.logger.info(`Ingress ${target.name}.${target.namespace} updated`, logFields(canary));
  }

  /** The split the canary Ingress holds (read through the reader); throws when it is missing. */
  async getRoutes(canary: Canary): Promise<Weights> {
    const name = canaryIngressName(canary);
    const ingress = await this.deps.reader.get(Resources.ingresses, namespaceOf(canary), name);
    if (ingress === undefined) throw new Error(`Ingress ${name}.${namespaceOf(canary)} not found`);
    return readNginxWeights(canary, ingress, this.prefix);
  }

  /**
   * Moves traffic: rebuilds the `<prefix>/canary*` annotations from scratch for the mode in force and
   * patches them only (with the object's resourceVersion) when they differ. The canary Ingress is read from
   * the API itself so that a split written a moment ago is never mistaken for the one asked for; a conflict
   * is retried once.
   */
  async setRoutes(canary: Canary, weights: Weights): Promise<void> {
    const source = await this.source(canary);
    const desired = canaryAnnotations(canary, source, this.prefix, weights);
    const target = { namespace: namespaceOf(canary), name: canaryIngressName(canary) };
    for (let attempt = 0; attempt < 2; attempt++) {
      const ingress = await this.deps.kube.get(Resources.ingresses, target.namespace, target.name);
      if (ingress === undefined) throw new Error(`Ingress ${target.name}.${target.namespace} not found`);
      const patch = canaryRoutesPatch(ingress, desired, this.prefix);
      if (patch === undefined) return;
      if (await this.deps.kube.patch(Resources.ingresses, target, patch).then(() => true, rethrowUnlessConflict)) return;
    }
    throw new Error(`Ingress ${target.name}.${target.namespace} keeps changing; giving up until the next reconcile`);
  }

  /**
   * Nothing to revert: the `ingressRef` Ingress was never modified, and it sends all traffic through the
   * apex Service to the primary pods. The canary Ingress is owned by the Canary, so the garbage collector
   * removes it with the Canary; this deletes nothing.
   */
  finalize(canary: Canary): Promise<void> {
    this.deps.logger.info(`Ingress ${sourceIngressName(canary)}.${namespaceOf(canary)} was never modified, nothing to revert`, logFields(canary));
    return Promise.resolve();
  }

  private async source(canary: Canary): Promise<Ingress> {
    const name = sourceIngressName(canary);
    const source = await this.deps.reader.get(Resources.ingresses, namespaceOf(canary), name);
    if (source === undefined) throw new Error(`Ingress ${name}.${namespaceOf(canary)} not found`);
    return source;
  }
}

