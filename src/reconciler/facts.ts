import { primaryReadyThreshold, progressDeadlineSeconds, serviceNames } from '../api/defaults.js';
import { isPhaseOverdue, waitOfPhase } from '../core/deadlines.js';
import type { Readiness } from '../core/readiness.js';
import { hasTargetChanged, haveConfigsChanged } from '../core/revision.js';
import { isInitPhase, type TickFacts } from '../core/next-step.js';
import type { ConfigMap, Secret } from '../kube/resources.js';
import { configReferences, trackedConfigChecksums, type FoundConfig } from '../workloads/config-refs.js';
import { pickSelectorLabel, primaryName } from '../workloads/labels.js';
import { endpointsShortfall } from './service-endpoints.js';
import { expectedPods, type Workload } from './target-kinds.js';
import type { Loaded, Revision, TickContext } from './tick-context.js';

/** The finalizer Songbird adds with revertOnDeletion (Flagger's, so existing Canaries keep working). */
export const FINALIZER = 'finalizer.flagger.app';

/**
 * Reads the target's tracked configs (none when config tracking is off): each by name, from its watch once
 * the first read started one (see ReferencedObjects).
 */
export async function currentRevision(ctx: TickContext, target: Workload): Promise<Revision> {
  const hash = requireKind(ctx).revisionHash(target);
  if (!ctx.deps.config.enableConfigTracking) return { hash, configs: [], checksums: {}, missing: [] };
  const configs: FoundConfig[] = [];
  const missing: string[] = [];
  for (const ref of configReferences(target.spec?.template.spec)) {
    ctx.dependOn(ref.kind, ref.name);
    const objects = ref.kind === 'ConfigMap' ? ctx.deps.caches.configMaps : ctx.deps.caches.secrets;
    const config: ConfigMap | Secret | undefined = await objects.read(ctx.identity.namespace, ref.name);
    if (config !== undefined) configs.push({ kind: ref.kind, config });
    else if (!ref.optional) missing.push(`${ref.kind} ${ref.name}`);
  }
  return { hash, configs, checksums: trackedConfigChecksums(configs), missing };
}

/** The facts `nextStep` decides on, and the target, selector and revision they were decided from. */
export interface Gathered {
  facts: TickFacts;
  loaded: Loaded;
}

/**
 * Gathers the facts `nextStep` decides on, from the caches and the tick's draft status. What it loaded is
 * returned, not kept: the tick hands it to the context (`ctx.load`) for the step that runs next.
 */
export async function gatherFacts(ctx: TickContext, stalled: boolean): Promise<Gathered> {
  const loaded = await loadTarget(ctx);
  return { facts: decisionFacts(ctx, loaded, stalled, await primaryFacts(ctx)), loaded };
}

async function loadTarget(ctx: TickContext): Promise<Loaded> {
  const { name, kind } = ctx.canary.spec.targetRef;
  if (ctx.kind === undefined) return { target: undefined, selector: undefined, revision: undefined };
  const target = ctx.kind.cache(ctx.deps.caches).get(ctx.identity.namespace, name);
  ctx.dependOn(kind, name);
  if (target === undefined) return { target, selector: undefined, revision: undefined };
  const selector = pickSelectorLabel(target.spec?.selector.matchLabels, ctx.deps.config.selectorLabels);
  return { target, selector, revision: await currentRevision(ctx, target) };
}

function decisionFacts(ctx: TickContext, { target, revision, selector }: Loaded, stalled: boolean, primary: TickFacts['primary']): TickFacts {
  const { canary } = ctx;
  return {
    phase: ctx.phase,
    deleting: ctx.raw.metadata.deletionTimestamp !== undefined,
    hasFinalizer: ctx.finalizers.includes(FINALIZER),
    revertOnDeletion: canary.spec.revertOnDeletion === true,
    suspended: canary.spec.suspend === true,
    stalled,
    target: targetState(target, selector, revision),
    primary,
    targetReplicas: target === undefined ? 1 : requireKind(ctx).replicas(target),
    revisionChanged: revision !== undefined && revisionChanged(ctx, revision),
    ...routesFacts(ctx, stalled),
    initialized: ctx.status.lastPromotedSpec !== undefined,
    phaseOverdue: phaseOverdue(ctx),
    retryRequested: ctx.status.pendingAction?.verb === 'retry',
  };
}

/** Whether the current phase has waited past its deadline; phases that do not wait have no clock. */
export function phaseOverdue(ctx: TickContext): boolean {
  if (waitOfPhase(ctx.phase) === undefined) return false;
  return isPhaseOverdue(ctx.phase, ctx.phaseSince(), ctx.now, ctx.deadlines);
}

function routesFacts(ctx: TickContext, stalled: boolean): Pick<TickFacts, 'verifiesRoutes' | 'routes' | 'scaleDownPending' | 'postRolloutPending'> {
  return {
    verifiesRoutes: !stalled && ctx.raw.metadata.deletionTimestamp === undefined && ctx.verifiesRoutes,
    routes: ctx.routes ?? 'unverified',
    ...afterRunFacts(ctx),
  };
}

// From the status as read: the work left after a run is what the saved outcome recorded.
function afterRunFacts(ctx: TickContext): Pick<TickFacts, 'scaleDownPending' | 'postRolloutPending'> {
  const status = ctx.canary.status ?? {};
  if (ctx.phase !== 'Succeeded' && ctx.phase !== 'Failed') return { scaleDownPending: false, postRolloutPending: false };
  // trafficPending.scaleDown: a rollback saved by an earlier version, which recorded its scale-down there.
  const legacyScaleDown = ctx.phase === 'Failed' && status.trafficPending?.scaleDown === true;
  return { scaleDownPending: status.afterRun?.scaleDown === true || legacyScaleDown, postRolloutPending: status.afterRun?.postRollout !== undefined };
}

function targetState(target: Loaded['target'], selector: Loaded['selector'], revision: Revision | undefined): TickFacts['target'] {
  if (target === undefined || revision === undefined) return 'missing';
  return selector === undefined || revision.missing.length > 0 ? 'invalid' : 'ok';
}

/**
 * The primary's readiness. While the canary is initializing, a primary whose Deployment is ready must also be
 * a ready endpoint of the `-primary` Service for the share of replicas `primaryReadyThreshold` asks, since
 * routing sends the traffic there next. Example: 2 replicas, threshold 100 → 2 ready endpoints.
 * parity: Flagger routes to the primary on the Deployment's status alone.
 */
async function primaryFacts(ctx: TickContext): Promise<TickFacts['primary']> {
  const name = primaryName(ctx.canary.spec.targetRef.name);
  if (ctx.kind === undefined) return 'missing';
  ctx.dependOn(ctx.kind.kind, name);
  const primary = ctx.kind.cache(ctx.deps.caches).get(ctx.identity.namespace, name);
  if (primary === undefined) return 'missing';
  const threshold = primaryReadyThreshold(ctx.canary);
  const readiness = readinessOf(ctx, primary, threshold);
  const initializing = isInitPhase(ctx.phase) || (ctx.phase === 'Failed' && ctx.status.lastPromotedSpec === undefined);
  if (!readiness.ready || !initializing) return readiness;
  const wanted = Math.ceil((expectedPods(primary) * threshold) / 100);
  const shortfall = await endpointsShortfall(ctx, serviceNames(ctx.canary).primary, wanted);
  return shortfall === undefined ? readiness : { ready: false, retriable: true, reason: shortfall };
}

/** Readiness of the canary's target or primary, against the Canary's progress deadline. */
export function readinessOf(ctx: TickContext, workload: Workload, readyThresholdPercent: number): Readiness {
  const since = Date.parse(ctx.status.lastTransitionTime ?? '');
  return requireKind(ctx).readiness({
    workload, readyThresholdPercent, progressDeadlineSeconds: progressDeadlineSeconds(ctx.canary), since: Number.isNaN(since) ? ctx.now : since, now: ctx.now,
  });
}

/** The target's kind; only ticks of a kind Songbird rolls out get past the stalled check to a step that needs it. */
export function requireKind(ctx: TickContext): NonNullable<TickContext['kind']> {
  if (ctx.kind === undefined) throw new Error(`target kind ${ctx.canary.spec.targetRef.kind} is not rolled out by this operator`);
  return ctx.kind;
}

function revisionChanged(ctx: TickContext, revision: Revision): boolean {
  if (hasTargetChanged(revision.hash, ctx.status)) return true;
  return ctx.deps.config.enableConfigTracking && haveConfigsChanged(revision.checksums, ctx.status.trackedConfigs);
}
