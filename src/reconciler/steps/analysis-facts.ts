import {
  analysisIterations, analysisThreshold, canaryReadyThreshold, deploymentStrategy, maxWeight, nextStepWeight, primaryReadyThreshold, skipAnalysis,
  type DeploymentStrategy,
} from '../../api/defaults.js';
import type { AnalysisFacts } from '../../core/analysis.js';
import type { Readiness } from '../../core/readiness.js';
import { phaseOverdue, readinessOf, requireKind } from '../facts.js';
import { primaryName } from '../../workloads/labels.js';
import type { TickContext } from '../tick-context.js';
import { flaggerIdAnnotation } from '../../workloads/primary-deployment.js';
import { promotionIdOf } from './promotion-id.js';

function readiness(ctx: TickContext, name: string, thresholdPercent: number): Readiness {
  const workload = requireKind(ctx).cache(ctx.deps.caches).get(ctx.identity.namespace, name);
  if (workload === undefined) return { ready: false, retriable: true, reason: `${name} not found` };
  return readinessOf(ctx, workload, thresholdPercent);
}

/** How this run moves traffic; a provider that routes no traffic (`kubernetes`) can only do Blue/Green. */
export function runStrategy(ctx: TickContext): DeploymentStrategy {
  return ctx.providerInfo.routesTraffic ? deploymentStrategy(ctx.canary) : 'blue-green';
}

/** The facts of the analysis decision, from the caches, the draft status and the router's current routes. */
export async function gatherAnalysisFacts(ctx: TickContext): Promise<AnalysisFacts> {
  const { canary, status } = ctx;
  const routes = await ctx.router.getRoutes(canary);
  const weight = status.canaryWeight ?? 0;
  return {
    phase: ctx.phase,
    strategy: runStrategy(ctx),
    routesTraffic: ctx.providerInfo.routesTraffic,
    skipAnalysis: skipAnalysis(canary),
    weight,
    failedChecks: status.failedChecks ?? 0,
    iterations: status.iterations ?? 0,
    threshold: analysisThreshold(canary),
    maxWeight: maxWeight(canary),
    stepWeight: nextStepWeight(canary, weight),
    targetIterations: analysisIterations(canary, ctx.provider),
    mirror: canary.spec.analysis.mirror === true,
    mirrored: routes.mirrored,
    promoted: primaryCarriesRevision(ctx),
    primary: readiness(ctx, primaryName(canary.spec.targetRef.name), primaryReadyThreshold(canary)),
    canary: readiness(ctx, canary.spec.targetRef.name, canaryReadyThreshold(canary)),
    phaseOverdue: phaseOverdue(ctx),
    ...manualFacts(ctx),
  };
}

// The manual actions accepted (see core/manual-action.ts): a retry is the tick's, not the analysis's.
function manualFacts(ctx: TickContext): Pick<AnalysisFacts, 'manual' | 'paused'> {
  const verb = ctx.status.pendingAction?.verb;
  const paused = ctx.status.paused;
  return {
    ...(verb === undefined || verb === 'retry' ? {} : { manual: verb }),
    ...(paused === undefined ? {} : { paused: paused.weight === undefined ? {} : { weight: paused.weight } }),
  };
}

/** True when the primary's template carries this run's promotion id (see `promote`): the copy happened. */
function primaryCarriesRevision(ctx: TickContext): boolean {
  const primary = requireKind(ctx).cache(ctx.deps.caches).get(ctx.identity.namespace, primaryName(ctx.canary.spec.targetRef.name));
  const revision = ctx.revision;
  if (primary === undefined || revision === undefined) return false;
  return primary.spec?.template.metadata?.annotations?.[flaggerIdAnnotation] === promotionIdOf(ctx, revision);
}
