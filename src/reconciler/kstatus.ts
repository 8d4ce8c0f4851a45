import { analysisThreshold } from '../api/defaults.js';
import { findCondition, type ConditionUpdate } from '../api/conditions.js';
import { reconcilingCondition, runStalledCondition, withObservedGeneration } from '../api/kstatus-conditions.js';
import { finalReadyCondition, phaseRevision, type TickContext } from './tick-context.js';

/**
 * The Stalled condition of a Canary whose spec is valid: True while it rests in Failed, with the reason the
 * Ready condition gives for the failure (see kstatus-conditions.ts).
 */
export function validSpecStalled(ctx: TickContext): ConditionUpdate {
  return runStalledCondition(ctx.phase, finalReadyCondition(ctx));
}

/**
 * The last kstatus fields of a tick's draft: `Reconciling` (False while the spec cannot be acted on: nothing
 * moves until it changes) and the generation every condition was decided on.
 */
export function setKstatusConditions(ctx: TickContext): void {
  const stalled = findCondition(ctx.status.conditions, 'Stalled');
  const specProblem = stalled?.status === 'True' && (stalled.reason === 'InvalidSpec' || stalled.reason === 'TargetAlreadyManaged');
  ctx.setCondition(specProblem
    ? { type: 'Reconciling', status: 'False', reason: stalled.reason as ConditionUpdate['reason'], message: 'stalled: see the Stalled condition' }
    : reconcilingCondition({ phase: ctx.phase, revision: phaseRevision(ctx), progress: runProgress(ctx), suspended: ctx.canary.spec.suspend === true }));
  ctx.status.conditions = withObservedGeneration(ctx.status.conditions, ctx.raw.metadata.generation);
}

// Example: "canary weight 20, failed checks 1/5"; Blue/Green and A/B runs count iterations instead of weight.
function runProgress(ctx: TickContext): string {
  const { canaryWeight = 0, iterations = 0, failedChecks = 0 } = ctx.status;
  const moved = iterations > 0 ? `iteration ${iterations}` : `canary weight ${canaryWeight}`;
  return `${moved}, failed checks ${failedChecks}/${analysisThreshold(ctx.canary)}`;
}
