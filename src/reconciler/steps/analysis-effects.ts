import { analysisIterations } from '../../api/defaults.js';
import { advanceWeight, promotionWeight } from '../../core/weights.js';
import { ALL_PRIMARY } from '../../routers/router.js';
import { trackedConfigNames } from '../../workloads/config-refs.js';
import { primaryName } from '../../workloads/labels.js';
import { controllerOwnerReference } from '../../workloads/owner.js';
import { flaggerIdAnnotation } from '../../workloads/primary-deployment.js';
import { requireKind } from '../facts.js';
import { announceReleaseEnd } from '../release-end.js';
import type { TickContext } from '../tick-context.js';
import { runStrategy } from './analysis-facts.js';
import { promotionIdOf } from './promotion-id.js';
import { updatePrimaryScaler } from './scalers.js';
import { setRoutes } from './traffic.js';

const name = (ctx: TickContext): string => ctx.displayName;
const target = (ctx: TickContext): string => `${ctx.canary.spec.targetRef.name}.${ctx.identity.namespace}`;

/** Canary strategy: one weight step, clamped to maxWeight. */
export async function advanceCanaryWeight(ctx: TickContext, step: number, maxWeight: number): Promise<void> {
  const weight = advanceWeight(ctx.status.canaryWeight ?? 0, step, maxWeight);
  await setRoutes(ctx, { primary: 100 - weight, canary: weight, mirrored: false });
  ctx.status.canaryWeight = weight;
  ctx.notice('info', `Advance ${name(ctx)} canary weight ${weight}`);
}

/** Mirror pre-step (canary strategy) or a mirrored Blue/Green iteration. */
export async function mirror(ctx: TickContext, blueGreen: boolean): Promise<void> {
  await setRoutes(ctx, { primary: 100, canary: 0, mirrored: true });
  if (blueGreen) await advanceIteration(ctx, false);
  else ctx.notice('info', `Mirroring traffic to ${name(ctx)} canary`);
}

/** Blue/Green or A/B: one more successful iteration (A/B routes the matched traffic to the canary). */
export async function advanceIteration(ctx: TickContext, abTesting: boolean): Promise<void> {
  if (abTesting) await setRoutes(ctx, { primary: 0, canary: 100, mirrored: false });
  const iterations = (ctx.status.iterations ?? 0) + 1;
  ctx.status.iterations = iterations;
  ctx.notice('info', `Advance ${name(ctx)} canary iteration ${iterations}/${analysisIterations(ctx.canary, ctx.provider)}`);
}

/** Blue/Green: live traffic to the canary for one more interval before promotion. */
export async function routeToCanary(ctx: TickContext): Promise<void> {
  await setRoutes(ctx, { primary: 0, canary: 100, mirrored: false });
  ctx.status.iterations = (ctx.status.iterations ?? 0) + 1;
  ctx.notice('info', `Routing all traffic to canary ${name(ctx)}`);
}

/**
 * Copies the target's template into the primary and moves to Promoting. The flagger-id that forces the
 * primary to roll is derived from the revision promoted, so when a crash or a failed status patch makes the
 * next tick decide this promotion again, the primary already carries it and is not copied (rolled) twice.
 */
export async function promote(ctx: TickContext): Promise<void> {
  const { target: deployment, selector, revision } = ctx;
  if (deployment === undefined || selector === undefined || revision === undefined) throw new Error('target not loaded');
  const kind = requireKind(ctx);
  const existing = kind.cache(ctx.deps.caches).get(ctx.identity.namespace, primaryName(deployment.metadata.name));
  if (existing === undefined) throw new Error(`${primaryName(deployment.metadata.name)} not found`);
  const flaggerId = promotionIdOf(ctx, revision);
  if (existing.spec?.template.metadata?.annotations?.[flaggerIdAnnotation] !== flaggerId) {
    const desired = kind.desiredPrimary({
      target: deployment, existingPrimary: existing, owner: controllerOwnerReference(ctx.raw), selector,
      selectorLabels: ctx.deps.config.selectorLabels, includeLabelPrefixes: ctx.deps.config.includeLabelPrefix,
      trackedConfigs: trackedConfigNames(revision.configs), flaggerId, hasAutoscaler: ctx.canary.spec.autoscalerRef !== undefined,
    });
    await ctx.deps.kube.replace(kind.type, desired);
  }
  await updatePrimaryScaler(ctx);
  ctx.notice('info', `Copying ${target(ctx)} template spec to ${primaryName(deployment.metadata.name)}.${ctx.identity.namespace}`);
  ctx.setPhase('Promoting');
}

/** Promoting: traffic back to the primary, in one jump or in stepWeightPromotion steps (one jump after promote-full). */
export async function shiftPromotionTraffic(ctx: TickContext, full = false): Promise<void> {
  const step = full ? 0 : ctx.canary.spec.analysis.stepWeightPromotion ?? 0;
  const canaryWeight = ctx.status.canaryWeight ?? 0;
  const routesTraffic = ctx.providerInfo.routesTraffic;
  if (routesTraffic && step > 0 && canaryWeight > 0) {
    const primary = promotionWeight(100 - canaryWeight, step);
    await setRoutes(ctx, { primary, canary: 100 - primary, mirrored: false });
    ctx.status.canaryWeight = 100 - primary;
    ctx.notice('info', `Advance ${name(ctx)} primary weight ${primary}`);
    if (primary < 100) return;
  } else if (routesTraffic) {
    await setRoutes(ctx, ALL_PRIMARY);
    ctx.notice('info', `Routing all traffic to primary`);
  }
  ctx.status.canaryWeight = 0;
  ctx.setPhase('Finalising');
}

/**
 * Records the outcome of a run together with the work left after it: the post-rollout webhooks, and the
 * target's scale-down. Both happen in the tick after this status is saved (steps/after-run.ts), never before
 * it: a crash or a failed patch then repeats only this decision, and never leaves an analysis phase with its
 * target scaled to zero (which readiness would wait on forever). The outcome counter moves once, with the save.
 */
function endRun(ctx: TickContext, phase: 'Succeeded' | 'Failed', outcome: { scaleDown: boolean; skipped?: boolean }): void {
  announceReleaseEnd(ctx, phase);
  ctx.setPhase(phase);
  delete ctx.status.paused;
  delete ctx.status.pendingAction;
  ctx.status.afterRun = { postRollout: phase, ...(outcome.scaleDown ? { scaleDown: true } : {}) };
  ctx.followUp = true;
  const labels = { target: ctx.identity.target, namespace: ctx.identity.namespace, strategy: runStrategy(ctx), status: outcome.skipped === true ? 'skipped' : 'completed' } as const;
  ctx.afterPersist.push(() => ctx.deps.recorder.countOutcome(labels, phase === 'Succeeded'));
}

/** Finalising: the promoted revision is recorded; the target goes to zero right after (see {@link endRun}). */
export function finish(ctx: TickContext, skipped = false): Promise<void> {
  endRun(ctx, 'Succeeded', { scaleDown: true, skipped });
  Object.assign(ctx.status, { canaryWeight: 0, iterations: 0, failedChecks: 0, lastPromotedSpec: ctx.status.lastAppliedSpec });
  ctx.notice('info', skipped ? `Canary analysis was skipped, promotion finished. ${name(ctx)}` : `Promotion completed! Scaling down ${target(ctx)}`, true);
  return Promise.resolve();
}

/** skipAnalysis: traffic to the primary, promote, finish, in one tick. */
export async function promoteSkipped(ctx: TickContext): Promise<void> {
  await setRoutes(ctx, ALL_PRIMARY);
  await promote(ctx);
  await finish(ctx, true);
}

/**
 * Rollback: traffic back to the primary and Failed. If routing fails, nothing else happens. The target goes
 * to zero in the next tick (see {@link endRun}); where the provider applies weights later (ALB), only once it
 * has: scaling it down earlier would drop the requests the load balancer still sends to it.
 */
export async function rollback(ctx: TickContext, reason: string, severity: 'warn' | 'error'): Promise<void> {
  ctx.notice(severity, `Rolling back ${name(ctx)} ${reason}`, true);
  await setRoutes(ctx, ALL_PRIMARY);
  if (ctx.verifiesRoutes) {
    ctx.status.trafficPending = { weights: '100/0', since: ctx.timestamp, reason: 'all traffic to the primary was just requested', scaleDown: true };
  }
  endRun(ctx, 'Failed', { scaleDown: true });
  Object.assign(ctx.status, { canaryWeight: 0, iterations: 0 });
  ctx.notice('warn', `Canary failed! Scaling down ${target(ctx)}`);
}

/** set-weight: the canary weight moves to the one a manual request holds (see core/manual-action.ts). */
export async function setHeldWeight(ctx: TickContext, weight: number): Promise<void> {
  await setRoutes(ctx, { primary: 100 - weight, canary: weight, mirrored: false });
  ctx.status.canaryWeight = weight;
  ctx.notice('info', `Set ${name(ctx)} canary weight ${weight} by request ${ctx.status.paused?.id ?? ''}, held until resumed`);
}

/**
 * The primary did not roll out during promotion (or the provider never applied the promotion's weights):
 * the canary, healthy, takes all traffic.
 */
export async function failedPromotion(ctx: TickContext, why = 'primary not ready'): Promise<void> {
  ctx.notice('error', `Promotion failed, ${why} ${name(ctx)}`, true);
  await setRoutes(ctx, { primary: 0, canary: 100, mirrored: false });
  // The target keeps serving, so no scale-down waits on the provider.
  delete ctx.status.trafficPending;
  endRun(ctx, 'Failed', { scaleDown: false });
  ctx.status.canaryWeight = 100;
}
