import { serviceNames } from '../../api/defaults.js';
import { Resources } from '../../kube/resources.js';
import { primaryName } from '../../workloads/labels.js';
import { scaleFromZeroReplicas } from '../../workloads/primary-deployment.js';
import { isOwnedByCanary } from '../../workloads/owner.js';
import type { TickContext } from '../tick-context.js';
import { scaleTarget, setFinalizer } from './lifecycle.js';
import { readinessOf, requireKind } from '../facts.js';
import { endpointsShortfall } from '../service-endpoints.js';
import { expectedPods } from '../target-kinds.js';

/**
 * revertOnDeletion: gives the workload back to the user without an outage. The target is scaled back to the
 * primary's size and must be ready before the apex Service is pointed at its pods; then the router sends its
 * routes to the apex Service (or restores a taken-over routing object), and only then does the finalizer go,
 * after which the garbage collector removes the primary and the generated objects. A Service the canary
 * created is kept (ownership released), since clients use its name.
 * parity: pkg/controller/finalizer.go leaves the target at 0 replicas when it was scaled down (user-pain A3)
 * and lets a Service Flagger created be deleted with the Canary.
 */
export async function finalize(ctx: TickContext): Promise<void> {
  if (ctx.phase !== 'Terminating') {
    ctx.setPhase('Terminating');
    ctx.notice('info', `Terminating canary ${ctx.displayName}`);
  }
  if (!(await targetRestored(ctx))) return;
  await releaseApexService(ctx);
  await ctx.router.finalize(ctx.canary);
  await setFinalizer(ctx, false);
  ctx.notice('info', `Terminated canary ${ctx.displayName}`);
}

// True once the target runs at the primary's size and is ready; until then, scales it and waits.
async function targetRestored(ctx: TickContext): Promise<boolean> {
  const target = ctx.target;
  if (target === undefined) return true;
  const kind = requireKind(ctx);
  if (kind.replicas(target) === 0) {
    const primary = kind.cache(ctx.deps.caches).get(ctx.identity.namespace, primaryName(target.metadata.name));
    const replicas = scaleFromZeroReplicas({ target, primary, hasAutoscaler: false });
    await scaleTarget(ctx, replicas);
    ctx.reportProblem({ reason: 'Terminating', message: `waiting for ${target.metadata.name} to be ready with ${replicas} replicas before removing the primary`, severity: 'info' });
    return false;
  }
  const readiness = readinessOf(ctx, target, 100);
  const reason = readiness.ready ? await endpointsShortfall(ctx, serviceNames(ctx.canary).canary, expectedPods(target)) : readiness.reason;
  if (reason === undefined) return true;
  ctx.reportProblem({ reason: 'Terminating', message: `waiting for ${target.metadata.name} to be ready: ${reason}`, severity: 'info' });
  return false;
}

async function releaseApexService(ctx: TickContext): Promise<void> {
  const name = serviceNames(ctx.canary).apex;
  const apex = ctx.deps.caches.services.get(ctx.identity.namespace, name);
  if (apex === undefined || ctx.selector === undefined) return;
  const owned = isOwnedByCanary(apex.metadata, ctx.identity.name);
  const ownerReferences = (apex.metadata.ownerReferences ?? []).filter((o) => o.uid !== ctx.identity.uid);
  await ctx.deps.kube.patch(Resources.services, { namespace: ctx.identity.namespace, name }, {
    metadata: owned ? { ownerReferences } : {},
    spec: { selector: { [ctx.selector.key]: ctx.selector.value, ...nullOthers(apex.spec?.selector, ctx.selector.key) } },
  });
}

function nullOthers(selector: Record<string, string> | undefined, keep: string): Record<string, null> {
  return Object.fromEntries(Object.keys(selector ?? {}).filter((k) => k !== keep).map((k) => [k, null]));
}
