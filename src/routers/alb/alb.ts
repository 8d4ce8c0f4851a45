import type { Canary } from '../../api/canary.js';
import { deploymentStrategy, serviceNames } from '../../api/defaults.js';
import { Resources, type Ingress } from '../../kube/resources.js';
import { ProviderNotReadyError } from '../../errors.js';
import { albTopology, cloudWatchDimension, appliedWeights, compareWeights, type AlbTopology, type WeightPair } from './alb-aws.js';
import {
  albConditions, canaryMatchConditions, checkEvaluations, headerRouteCount, headerRouteName, isHeaderRoute, pathEvaluations, withHeaderRoutes,
} from './alb-conditions.js';
import {
  actionAnnotation, albActionName, albAnnotationPrefix, albServicePort, albForwardAction, albIngressName, conditionsAnnotation, ingressPaths, readAlbWeights, sameAction, sameJson,
} from './alb-desired.js';
import { ALL_PRIMARY, type CloudWatchTargets, type Router, type RouterDeps, type VerifyResult, type Weights } from '../router.js';
import { logFields, namespaceOf, rethrowUnlessConflict } from '../router-helpers.js';

type AnnotationPatch = Record<string, string | null>;

const isAbTest = (canary: Canary): boolean => deploymentStrategy(canary) === 'ab-testing';

// While canary > 0, an A/B run routes matched requests to the canary with one header route per match
// entry, and a weighted run with canaryMatch with one header route.
const headerRoutesFor = (canary: Canary, weights: Weights): number => {
  if (weights.canary === 0) return 0;
  if (isAbTest(canary)) return (canary.spec.analysis.match ?? []).length;
  return canary.spec.analysis.canaryMatch === undefined ? 0 : 1;
};

/**
 * The `alb` provider (aws-alb.md): drives the action `alb.ingress.kubernetes.io/actions.<action>` of the
 * user's `ingressRef` Ingress (the backend with `port.name: use-annotation`) as a weighted forward to the
 * `-primary` and `-canary` Services; A/B adds one header route per `analysis.match` entry, a weighted run
 * with `analysis.canaryMatch` one header route while the canary weight is above 0. Only Songbird's
 * own annotation keys and header-route paths are written; every other annotation and path is preserved.
 * `verifyRoutes` asks AWS (ELBv2) whether the load balancer has applied the weights yet.
 */
export class AlbRouter implements Router {
  constructor(private readonly deps: RouterDeps) {}

  /**
   * Checks what ALB cannot do (mirroring, regex matches, more than 5 evaluations per rule) and writes the
   * action when it is missing or does not forward to `-primary`/`-canary` yet (all traffic to the primary),
   * or when stickiness changed; the split itself is left as it is.
   */
  async reconcile(canary: Canary): Promise<void> {
    if (canary.spec.analysis.mirror === true) throw new Error('spec.analysis.mirror: the alb provider cannot mirror traffic');
    const ingress = await this.ingress(canary, false);
    const action = albActionName(canary, ingress, isHeaderRoute);
    this.headerRouteConditions(canary, ingress, action);
    const value = ingress.metadata.annotations?.[actionAnnotation(action)];
    const desired = albForwardAction(canary, readAlbWeights(canary, value) ?? ALL_PRIMARY);
    if (sameAction(value, desired)) return;
    // Read from a cache, the Ingress may be stale: a conflict leaves the repair to the next tick.
    const written = await this.patch(canary, ingress, { metadata: { annotations: { [actionAnnotation(action)]: JSON.stringify(desired) } } })
      .then(() => true, rethrowUnlessConflict);
    if (written) this.deps.logger.info(`Ingress ${ingress.metadata.name}.${namespaceOf(canary)} action ${action} set`, logFields(canary));
  }

  /** The split of the action annotation; (0, 100) when A/B header routes are in place. Throws when there is none yet. */
  async getRoutes(canary: Canary): Promise<Weights> {
    const ingress = await this.ingress(canary, false);
    const action = albActionName(canary, ingress, isHeaderRoute);
    if (isAbTest(canary) && headerRouteCount(ingress, action) > 0) return { primary: 0, canary: 100, mirrored: false };
    const weights = readAlbWeights(canary, ingress.metadata.annotations?.[actionAnnotation(action)]);
    if (weights === undefined) throw new Error(`Ingress ${ingress.metadata.name}.${namespaceOf(canary)} has no ALB action forwarding to the primary and canary yet`);
    return weights;
  }

  /**
   * Writes the split: the weighted action (100/0 in A/B mode), and with canary > 0 the header routes of
   * the A/B entries or of canaryMatch (paths, actions, conditions); stale header routes are removed. Read
   * fresh from the API and patched with its resourceVersion; a conflict is retried once.
   */
  async setRoutes(canary: Canary, weights: Weights): Promise<void> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const ingress = await this.ingress(canary, true);
      const patch = this.routesPatch(canary, ingress, weights);
      if (patch === undefined) return;
      if (await this.patch(canary, ingress, patch).then(() => true, rethrowUnlessConflict)) return;
    }
    throw new Error(`Ingress ${albIngressName(canary)}.${namespaceOf(canary)} keeps changing; giving up until the next reconcile`);
  }

  /** Applied when AWS shows the desired weights on the rules forwarding to both target groups. */
  async verifyRoutes(canary: Canary, weights: Weights): Promise<VerifyResult> {
    const ingress = await this.ingress(canary, false);
    const action = albActionName(canary, ingress, isHeaderRoute);
    const routes = headerRoutesFor(canary, weights);
    const main = isAbTest(canary) ? { primary: 100, canary: 0 } : { primary: weights.primary, canary: weights.canary };
    const desired: WeightPair[] = [main, ...Array.from({ length: routes }, () => ({ primary: 0, canary: 100 }))];
    try {
      const topology = await this.topology(canary, ingress);
      return compareWeights(desired, await appliedWeights(this.elb(), topology));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { state: 'pending', reason: error instanceof ProviderNotReadyError ? message : `cannot read the ALB of action ${action} from AWS: ${message}` };
    }
  }

  /** The load balancer and target groups of the canary (for CloudWatch metrics). */
  async topology(canary: Canary, ingress?: Ingress): Promise<AlbTopology> {
    return albTopology(this.deps.kube, this.elb(), canary, ingress ?? await this.ingress(canary, false));
  }

  /** The canary's target group and its load balancer, as CloudWatch names them (for the builtin metrics). */
  async cloudWatchTargets(canary: Canary): Promise<CloudWatchTargets> {
    const topology = await this.topology(canary);
    return { loadBalancer: cloudWatchDimension(topology.loadBalancerArn), targetGroup: cloudWatchDimension(topology.canaryTargetGroupArn) };
  }

  /** revertOnDeletion: the action forwards everything to the apex Service again, and header routes go. */
  async finalize(canary: Canary): Promise<void> {
    const ingress = await this.ingress(canary, true);
    const action = albActionName(canary, ingress, isHeaderRoute);
    const { apex } = serviceNames(canary);
    const port = albServicePort(canary);
    const restore = { type: 'forward', forwardConfig: { targetGroups: [{ serviceName: apex, servicePort: port, weight: 100 }] } };
    await this.patch(canary, ingress, {
      metadata: { annotations: { ...this.staleRouteAnnotations(ingress, action, 0), [actionAnnotation(action)]: JSON.stringify(restore) } },
      ...(headerRouteCount(ingress, action) > 0 ? { spec: { rules: withHeaderRoutes(ingress, action, 0) } } : {}),
    });
    this.deps.logger.info(`Ingress ${ingress.metadata.name}.${namespaceOf(canary)} action ${action} forwards to ${apex} again`, logFields(canary));
  }

  private routesPatch(canary: Canary, ingress: Ingress, weights: Weights): object | undefined {
    const action = albActionName(canary, ingress, isHeaderRoute);
    const ab = isAbTest(canary);
    const count = headerRoutesFor(canary, weights);
    const conditions = this.headerRouteConditions(canary, ingress, action);
    const wanted: Record<string, string> = { [actionAnnotation(action)]: JSON.stringify(albForwardAction(canary, ab ? ALL_PRIMARY : weights)) };
    for (let i = 0; i < count; i++) {
      const route = headerRouteName(action, i);
      wanted[actionAnnotation(route)] = JSON.stringify(albForwardAction(canary, { primary: 0, canary: 100 }));
      wanted[conditionsAnnotation(route)] = JSON.stringify(conditions[i]);
    }
    const current = ingress.metadata.annotations ?? {};
    const changed = Object.entries(wanted).filter(([key, value]) => !sameJson(current[key], value));
    const annotations: AnnotationPatch = { ...this.staleRouteAnnotations(ingress, action, count), ...Object.fromEntries(changed) };
    const specChanged = headerRouteCount(ingress, action) !== count;
    if (Object.keys(annotations).length === 0 && !specChanged) return undefined;
    return { metadata: { annotations }, ...(specChanged ? { spec: { rules: withHeaderRoutes(ingress, action, count) } } : {}) };
  }

  // Header-route annotations of `action` beyond the first `keep` routes, set to null (deleted by the merge patch).
  private staleRouteAnnotations(ingress: Ingress, action: string, keep: number): AnnotationPatch {
    const stale: AnnotationPatch = {};
    const ours = [`${albAnnotationPrefix}/actions.`, `${albAnnotationPrefix}/conditions.`];
    for (const key of Object.keys(ingress.metadata.annotations ?? {})) {
      const prefix = ours.find((p) => key.startsWith(p));
      if (prefix === undefined) continue;
      const name = key.slice(prefix.length);
      const index = name.startsWith(`${action}-canary-route-`) && isHeaderRoute(name) ? Number(name.slice(name.lastIndexOf('-') + 1)) : -1;
      if (index >= keep) stale[key] = null;
    }
    return stale;
  }

  // The conditions of every header route (A/B entries, or canaryMatch), each checked against ALB's limit on
  // every path it would precede.
  private headerRouteConditions(canary: Canary, ingress: Ingress, action: string): ReturnType<typeof albConditions>[] {
    const paths = ingressPaths(ingress).filter(({ path }) => path.backend.service?.name === action);
    const checked = (conditions: ReturnType<typeof albConditions>, field: string): ReturnType<typeof albConditions> => {
      for (const { rule, path } of paths) {
        checkEvaluations(conditions, { host: (ingress.spec?.rules?.[rule]?.host ?? '') !== '', paths: pathEvaluations(path) }, field);
      }
      return conditions;
    };
    if (isAbTest(canary)) return (canary.spec.analysis.match ?? []).map((match, i) => checked(albConditions(match, i), `spec.analysis.match[${i}]`));
    const byRequest = canary.spec.analysis.canaryMatch;
    return byRequest === undefined ? [] : [checked(canaryMatchConditions(byRequest), 'spec.analysis.canaryMatch')];
  }

  private async ingress(canary: Canary, fresh: boolean): Promise<Ingress> {
    const name = albIngressName(canary);
    const ns = namespaceOf(canary);
    const ingress = fresh ? await this.deps.kube.get(Resources.ingresses, ns, name) : await this.deps.reader.get(Resources.ingresses, ns, name);
    if (ingress === undefined) throw new Error(`Ingress ${name}.${ns} not found`);
    return ingress;
  }

  private async patch(canary: Canary, ingress: Ingress, patch: object): Promise<void> {
    const body = { ...patch, metadata: { ...(patch as { metadata?: object }).metadata, resourceVersion: ingress.metadata.resourceVersion } };
    await this.deps.kube.patch(Resources.ingresses, { namespace: namespaceOf(canary), name: ingress.metadata.name }, body);
  }

  private elb(): NonNullable<RouterDeps['elbv2']> {
    if (this.deps.elbv2 === undefined) throw new Error('no ELBv2 client is configured');
    return this.deps.elbv2;
  }
}
