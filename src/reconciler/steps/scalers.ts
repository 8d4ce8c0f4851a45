import { Resources, type ScaledObject } from '../../kube/resources.js';
import { primaryName } from '../../workloads/labels.js';
import { controllerOwnerReference } from '../../workloads/owner.js';
import { desiredPrimaryHpa, primaryHpaUpdate } from '../../workloads/primary-hpa.js';
import { desiredPrimaryScaledObject, pausePatch, primaryScaledObjectUpdate } from '../../workloads/primary-scaled-object.js';
import type { TickContext } from '../tick-context.js';

/**
 * The primary's autoscaler (spec §3.6): `<hpa>-primary` or `<scaledobject>-primary`, a clone of the target's
 * that scales `<target>-primary`. Created when missing on any tick; brought in line with the target's at
 * promotion (Flagger's "update mode"); the target's ScaledObject is paused while the target is parked.
 */

/** Creates the primary's autoscaler when it is missing. */
export async function ensurePrimaryScaler(ctx: TickContext): Promise<void> {
  const ref = ctx.canary.spec.autoscalerRef;
  if (ref?.kind === 'HorizontalPodAutoscaler') await ensurePrimaryHpa(ctx, ref.name);
  else if (ref?.kind === 'ScaledObject') await ensurePrimaryScaledObject(ctx, ref.name);
}

/** At promotion: bounds, metrics, triggers and behaviour of the primary's autoscaler follow the target's. */
export async function updatePrimaryScaler(ctx: TickContext): Promise<void> {
  const ref = ctx.canary.spec.autoscalerRef;
  if (ref?.kind === 'HorizontalPodAutoscaler') await updatePrimaryHpa(ctx, ref.name);
  else if (ref?.kind === 'ScaledObject') await updatePrimaryScaledObject(ctx, ref.name);
}

/**
 * Pauses the target's ScaledObject at zero replicas when the target is scaled to zero, and resumes it when
 * the target is scaled up: otherwise KEDA would scale the parked target straight back up.
 * parity: Flagger pkg/canary/scaled_object_reconciler.go PauseTargetScaler / ResumeTargetScaler.
 */
export async function pauseTargetScaler(ctx: TickContext, pause: boolean): Promise<void> {
  const ref = ctx.canary.spec.autoscalerRef;
  if (ref?.kind !== 'ScaledObject') return;
  const target = await readScaledObject(ctx, ref.name);
  const paused = target.metadata.annotations?.['autoscaling.keda.sh/paused-replicas'] !== undefined;
  if (paused === pause) return;
  await ctx.deps.kube.patch(Resources.scaledObjects, { namespace: ctx.identity.namespace, name: ref.name }, pausePatch(pause));
}

/** `spec.minReplicaCount` of the target's ScaledObject, when the autoscalerRef is one (for a target scaled up again). */
export async function scaledObjectMinReplicas(ctx: TickContext): Promise<number | undefined> {
  const ref = ctx.canary.spec.autoscalerRef;
  if (ref?.kind !== 'ScaledObject') return undefined;
  return (await readScaledObject(ctx, ref.name)).spec?.minReplicaCount;
}

async function ensurePrimaryHpa(ctx: TickContext, name: string): Promise<void> {
  ctx.dependOn('HorizontalPodAutoscaler', name);
  const hpa = ctx.deps.caches.hpas.get(ctx.identity.namespace, name);
  if (hpa === undefined) throw new Error(`HorizontalPodAutoscaler ${name}.${ctx.identity.namespace} not found`);
  ctx.dependOn('HorizontalPodAutoscaler', primaryName(name));
  if (ctx.deps.caches.hpas.get(ctx.identity.namespace, primaryName(name)) !== undefined) return;
  await ctx.deps.kube.create(Resources.hpas, desiredPrimaryHpa({
    hpa, owner: controllerOwnerReference(ctx.raw), primaryName: primaryName(ctx.canary.spec.targetRef.name),
    replicas: ctx.canary.spec.autoscalerRef?.primaryScalerReplicas,
  }));
}

async function updatePrimaryHpa(ctx: TickContext, name: string): Promise<void> {
  const hpa = ctx.deps.caches.hpas.get(ctx.identity.namespace, name);
  const existing = ctx.deps.caches.hpas.get(ctx.identity.namespace, primaryName(name));
  if (hpa === undefined || existing === undefined) return;
  const desired = desiredPrimaryHpa({
    hpa, owner: controllerOwnerReference(ctx.raw), primaryName: primaryName(ctx.canary.spec.targetRef.name),
    replicas: ctx.canary.spec.autoscalerRef?.primaryScalerReplicas,
  });
  const patch = primaryHpaUpdate(existing, desired);
  if (patch !== undefined) await ctx.deps.kube.patch(Resources.hpas, { namespace: ctx.identity.namespace, name: existing.metadata.name }, patch);
}

// ScaledObjects are read through the on-demand caches: a cluster without KEDA never lists them.
async function readScaledObject(ctx: TickContext, name: string): Promise<ScaledObject> {
  const found = await ctx.deps.providerObjects.get(Resources.scaledObjects, ctx.identity.namespace, name);
  if (found === undefined) throw new Error(`ScaledObject ${name}.${ctx.identity.namespace} not found`);
  return found;
}

function desiredFor(ctx: TickContext, scaledObject: ScaledObject): ScaledObject {
  const ref = ctx.canary.spec.autoscalerRef;
  return desiredPrimaryScaledObject({
    scaledObject, owner: controllerOwnerReference(ctx.raw), targetName: ctx.canary.spec.targetRef.name,
    queries: ref?.primaryScalerQueries, replicas: ref?.primaryScalerReplicas,
  });
}

async function ensurePrimaryScaledObject(ctx: TickContext, name: string): Promise<void> {
  const target = await readScaledObject(ctx, name);
  const existing = await ctx.deps.providerObjects.get(Resources.scaledObjects, ctx.identity.namespace, primaryName(name));
  if (existing !== undefined) return;
  await ctx.deps.kube.create(Resources.scaledObjects, desiredFor(ctx, target));
}

async function updatePrimaryScaledObject(ctx: TickContext, name: string): Promise<void> {
  const target = await readScaledObject(ctx, name);
  const existing = await ctx.deps.providerObjects.get(Resources.scaledObjects, ctx.identity.namespace, primaryName(name));
  if (existing === undefined) return;
  const patch = primaryScaledObjectUpdate(existing, desiredFor(ctx, target));
  if (patch !== undefined) await ctx.deps.kube.patch(Resources.scaledObjects, { namespace: ctx.identity.namespace, name: existing.metadata.name }, patch);
}
