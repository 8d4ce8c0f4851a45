import { createdFromAnnotation, scaleFromZeroReplicas } from '../../workloads/primary-deployment.js';
import { primaryName } from '../../workloads/labels.js';
import { ALL_PRIMARY } from '../../routers/router.js';
import type { TickContext } from '../tick-context.js';
import { CanaryResource as CanaryType } from '../cluster-caches.js';
import { setRoutes } from './traffic.js';
import { runHooks } from '../../webhooks/gates.js';
import { FINALIZER, requireKind } from '../facts.js';
import { pauseTargetScaler, scaledObjectMinReplicas } from './scalers.js';
import { planRelease } from '../../core/plan.js';
import { planStatus } from '../../core/plan-status.js';

function requireRevision(ctx: TickContext): NonNullable<TickContext['revision']> {
  if (ctx.revision === undefined) throw new Error('revision not loaded');
  return ctx.revision;
}

/**
 * Scales the target: a Deployment's replicas; a DaemonSet parked at 0 and running otherwise. A target's KEDA
 * ScaledObject is paused before the target goes to zero and resumed after it is scaled up.
 */
export async function scaleTarget(ctx: TickContext, replicas: number): Promise<void> {
  const kind = requireKind(ctx);
  if (replicas === 0) await pauseTargetScaler(ctx, true);
  await ctx.deps.kube.patch(kind.type, { namespace: ctx.identity.namespace, name: ctx.canary.spec.targetRef.name }, kind.scalePatch(replicas));
  if (replicas > 0) await pauseTargetScaler(ctx, false);
}

/** Initialization: the primary serves now, so the target goes to zero replicas. */
export async function scaleTargetToZero(ctx: TickContext): Promise<void> {
  await scaleTarget(ctx, 0);
}

/** A run's target found at zero replicas is scaled up again: its analysis needs it running (see next-step.ts). */
export async function scaleTargetUp(ctx: TickContext): Promise<void> {
  const target = ctx.target;
  if (target === undefined) throw new Error('target not loaded');
  await scaleTarget(ctx, await targetReplicasForRun(ctx, target));
}

async function targetReplicasForRun(ctx: TickContext, target: NonNullable<TickContext['target']>): Promise<number> {
  const primary = requireKind(ctx).cache(ctx.deps.caches).get(ctx.identity.namespace, primaryName(target.metadata.name));
  const hpaName = ctx.canary.spec.autoscalerRef?.kind === 'HorizontalPodAutoscaler' ? ctx.canary.spec.autoscalerRef.name : undefined;
  const hpa = hpaName === undefined ? undefined : ctx.deps.caches.hpas.get(ctx.identity.namespace, hpaName);
  const scaledObjectMinReplicaCount = await scaledObjectMinReplicas(ctx);
  return scaleFromZeroReplicas({ target, primary, hpa, scaledObjectMinReplicaCount, hasAutoscaler: ctx.canary.spec.autoscalerRef !== undefined });
}

// A run starts (or an initialization ends) from a clean slate, recording the revision it is about.
function resetRun(ctx: TickContext, phase: 'Initialized' | 'Progressing'): void {
  const revision = requireRevision(ctx);
  ctx.setPhase(phase);
  Object.assign(ctx.status, { canaryWeight: 0, failedChecks: 0, iterations: 0, lastAppliedSpec: revision.hash, trackedConfigs: revision.checksums });
  if (phase === 'Initialized') ctx.status.lastPromotedSpec = revision.hash;
  // The run's preview goes out in the same status patch that starts it; an initialization has no run.
  if (phase === 'Progressing') ctx.status.plan = planStatus(planRelease(ctx.canary, { meshProvider: ctx.provider }), ctx.now, revision.hash);
  else delete ctx.status.plan;
  delete ctx.status.lastMetricValues;
  delete ctx.status.lastFailedCheck;
  delete ctx.status.trafficPending;
  // A pending scale-down of the previous run is moot: this one scales the target up.
  delete ctx.status.afterRun;
  // Manual actions were about the run that ends here (a newer revision restarts a run unpaused).
  delete ctx.status.paused;
  delete ctx.status.pendingAction;
}

/**
 * Initialization is complete: the revision running in the primary is the promoted one. That is the one the
 * primary was created from, when it says so: the target may have changed since (before this status was
 * saved, or while the operator was down), and that change is then a new revision that starts a run, instead
 * of being recorded as promoted without ever reaching the primary.
 */
export function markInitialized(ctx: TickContext): Promise<void> {
  resetRun(ctx, 'Initialized');
  const primary = requireKind(ctx).cache(ctx.deps.caches).get(ctx.identity.namespace, primaryName(ctx.canary.spec.targetRef.name));
  const createdFrom = primary?.metadata.annotations?.[createdFromAnnotation];
  if (createdFrom !== undefined) Object.assign(ctx.status, { lastAppliedSpec: createdFrom, lastPromotedSpec: createdFrom });
  ctx.notice('info', `Initialization done! ${ctx.displayName}`, true);
  return Promise.resolve();
}

/**
 * A new revision starts a run: first all traffic goes to the primary (after a failed promotion it is on the
 * target, which now runs the new, unanalysed revision), then confirm-rollout is asked, the target is scaled up
 * again and the status records the revision in the same patch that moves to Progressing. Every effect is
 * idempotent, so a tick that repeats this after a crash or a failed patch ends the same way.
 * parity: spec §13, Flagger records a change seen while Failed before acting on it and can lose it; after a
 * failed promotion it starts the next run with the routes still on the canary and promotes it after one check.
 */
export async function startRun(ctx: TickContext): Promise<void> {
  const target = ctx.target;
  if (target === undefined) throw new Error('target not loaded');
  await setRoutes(ctx, ALL_PRIMARY);
  ctx.status.canaryWeight = 0;
  // A manual retry is carried out once the run starts, or waits for confirm-rollout like any new run.
  delete ctx.status.pendingAction;
  const confirmed = await runHooks(ctx.deps.analysis.webhooks, ctx.canary, 'confirm-rollout', ctx.phase);
  if (!confirmed.ok) {
    // parity: Flagger alerts once when entering Waiting and asks again every interval.
    if (ctx.phase !== 'Waiting') {
      ctx.setPhase('Waiting');
      ctx.notice('warn', `Halt ${ctx.displayName} advancement waiting for approval ${confirmed.hook}`, !confirmed.muteAlert);
    }
    return;
  }
  await scaleTarget(ctx, await targetReplicasForRun(ctx, target));
  resetRun(ctx, 'Progressing');
  ctx.notice('info', `New revision detected! Scaling up ${target.metadata.name}.${ctx.identity.namespace}`, true);
}

/** A newer revision arrived mid-run: traffic goes back to the primary and the analysis starts over. */
export async function restartRun(ctx: TickContext): Promise<void> {
  await setRoutes(ctx, ALL_PRIMARY);
  resetRun(ctx, 'Progressing');
  ctx.notice('info', `New revision detected! Restarting analysis for ${ctx.canary.spec.targetRef.name}.${ctx.identity.namespace}`);
}

/** Adds or removes the revertOnDeletion finalizer, guarded by the resourceVersion the tick read. */
export async function setFinalizer(ctx: TickContext, present: boolean): Promise<void> {
  const finalizers = present ? [...ctx.finalizers, FINALIZER] : ctx.finalizers.filter((f) => f !== FINALIZER);
  const updated = await ctx.deps.kube.patch(CanaryType, { namespace: ctx.identity.namespace, name: ctx.identity.name },
    { metadata: { finalizers, resourceVersion: ctx.resourceVersion } });
  ctx.finalizers = finalizers;
  // The status patch of this tick builds on this write, not on the version read.
  ctx.resourceVersion = updated.metadata.resourceVersion;
}
