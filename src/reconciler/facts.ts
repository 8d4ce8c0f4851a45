import { primaryReadyThreshold, progressDeadlineSeconds, resolveProvider } from '../api/defaults.js';
import { isPhaseOverdue, waitOfPhase } from '../core/deadlines.js';
import { deploymentReadiness, type Readiness } from '../core/readiness.js';
import { hasTargetChanged, haveConfigsChanged, podTemplateHash } from '../core/revision.js';
import type { TickFacts } from '../core/next-step.js';
import type { ConfigMap, Deployment, Secret } from '../kube/resources.js';
import { configReferences, trackedConfigChecksums, type FoundConfig } from '../workloads/config-refs.js';
import { pickSelectorLabel, primaryName } from '../workloads/labels.js';
import type { TickContext } from './tick-context.js';
import { verifiesRoutes } from './steps/verification.js';

/** The finalizer Songbird adds with revertOnDeletion (Flagger's, so existing Canaries keep working). */
export const FINALIZER = 'finalizer.flagger.app';

/** The target's current revision: pod template hash and tracked-config checksums. */
export interface Revision {
  hash: string;
  configs: FoundConfig[];
  checksums: Record<string, string>;
  /** Non-optional references that do not exist. */
  missing: string[];
}

/**
 * Reads the target's tracked configs (none when config tracking is off): each by name, from its watch once
 * the first read started one (see ReferencedObjects).
 */
export async function currentRevision(ctx: TickContext, target: Deployment): Promise<Revision> {
  const hash = podTemplateHash(target.spec?.template);
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

/** Gathers the facts `nextStep` decides on, from the caches and the tick's draft status. */
export async function gatherFacts(ctx: TickContext, stalled: boolean): Promise<TickFacts> {
  const { canary } = ctx;
  const target = ctx.deps.caches.deployments.get(ctx.identity.namespace, canary.spec.targetRef.name);
  ctx.dependOn('Deployment', canary.spec.targetRef.name);
  ctx.target = target;
  ctx.selector = target === undefined ? undefined : pickSelectorLabel(target.spec?.selector.matchLabels, ctx.deps.config.selectorLabels);
  ctx.provider = resolveProvider(canary, ctx.deps.config.meshProvider as never);
  const revision = target === undefined ? undefined : await currentRevision(ctx, target);
  ctx.revision = revision;
  return {
    phase: ctx.phase,
    deleting: ctx.raw.metadata.deletionTimestamp !== undefined,
    hasFinalizer: ctx.finalizers.includes(FINALIZER),
    revertOnDeletion: canary.spec.revertOnDeletion === true,
    suspended: canary.spec.suspend === true,
    stalled,
    target: targetState(ctx, revision),
    primary: primaryFacts(ctx),
    targetReplicas: target?.spec?.replicas ?? 1,
    revisionChanged: revision !== undefined && revisionChanged(ctx, revision),
    ...routesFacts(ctx, stalled),
    initialized: ctx.status.lastPromotedSpec !== undefined,
    phaseOverdue: phaseOverdue(ctx),
  };
}

/** Whether the current phase has waited past its deadline; phases that do not wait have no clock. */
export function phaseOverdue(ctx: TickContext): boolean {
  if (waitOfPhase(ctx.phase) === undefined) return false;
  return isPhaseOverdue(ctx.phase, ctx.phaseSince(), ctx.now, ctx.deadlines);
}

function routesFacts(ctx: TickContext, stalled: boolean): Pick<TickFacts, 'verifiesRoutes' | 'routes' | 'scaleDownPending' | 'postRolloutPending'> {
  return {
    verifiesRoutes: !stalled && ctx.raw.metadata.deletionTimestamp === undefined && verifiesRoutes(ctx),
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

function targetState(ctx: TickContext, revision: Revision | undefined): TickFacts['target'] {
  if (ctx.target === undefined || revision === undefined) return 'missing';
  return ctx.selector === undefined || revision.missing.length > 0 ? 'invalid' : 'ok';
}

function primaryFacts(ctx: TickContext): TickFacts['primary'] {
  const name = primaryName(ctx.canary.spec.targetRef.name);
  ctx.dependOn('Deployment', name);
  const primary = ctx.deps.caches.deployments.get(ctx.identity.namespace, name);
  if (primary === undefined) return 'missing';
  return readinessOf(ctx, primary, primaryReadyThreshold(ctx.canary));
}

/** Readiness of one of the canary's Deployments, against the Canary's progress deadline. */
export function readinessOf(ctx: TickContext, deployment: Deployment, readyThresholdPercent: number): Readiness {
  return deploymentReadiness({ deployment, readyThresholdPercent, progressDeadlineSeconds: progressDeadlineSeconds(ctx.canary), now: ctx.now });
}

function revisionChanged(ctx: TickContext, revision: Revision): boolean {
  if (hasTargetChanged(revision.hash, ctx.status)) return true;
  return ctx.deps.config.enableConfigTracking && haveConfigsChanged(revision.checksums, ctx.status.trackedConfigs);
}
