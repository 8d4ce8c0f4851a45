import { serviceNames } from '../../api/defaults.js';
import { Resources, type ConfigMap, type Secret, type Service } from '../../kube/resources.js';
import { mergePatchDiff } from '../../kube/merge-patch-diff.js';
import { configKindOf, desiredPrimaryConfig } from '../../workloads/primary-config.js';
import { trackedConfigNames } from '../../workloads/config-refs.js';
import { primaryName } from '../../workloads/labels.js';
import { controllerOwnerReference, isOwnedByCanary } from '../../workloads/owner.js';
import { createdFromAnnotation } from '../../workloads/primary-deployment.js';
import { desiredServices, serviceUpdate } from '../../workloads/services.js';
import { requireKind } from '../facts.js';
import type { Workload } from '../target-kinds.js';
import type { TickContext } from '../tick-context.js';
import { applyDesired } from './apply.js';
import { ensurePrimaryScaler } from './scalers.js';

/** The three Services of a canary, as the builders want them. */
export function servicesFor(ctx: TickContext, target: Workload): { apex: Service; primary: Service; canary: Service } {
  const { canary } = ctx;
  const selector = ctx.selector;
  if (selector === undefined) throw new Error('no selector label on the target');
  const service = canary.spec.service ?? { port: 80 };
  return desiredServices({
    namespace: ctx.identity.namespace,
    serviceName: serviceNames(canary).apex,
    selector,
    owner: controllerOwnerReference(ctx.raw),
    service,
    targetContainers: target.spec?.template.spec?.containers ?? [],
  });
}

/** Creates or repairs a Service, adopting neither metadata nor type of a Service a user owns. */
export async function ensureService(ctx: TickContext, desired: Service): Promise<void> {
  const existing = ctx.deps.caches.services.get(ctx.identity.namespace, desired.metadata.name);
  ctx.dependOn('Service', desired.metadata.name);
  const unmanaged = ctx.canary.spec.service?.unmanagedMetadata;
  await applyDesired(ctx.deps.kube, Resources.services, { existing, desired }, (e, d) => serviceUpdate(e, d, {
    ownedByCanary: isOwnedByCanary(e.metadata, ctx.identity.name),
    unmanaged: { labels: unmanaged?.labels ?? [], annotations: unmanaged?.annotations ?? [] },
  }));
}

/**
 * Everything but routing: the `-primary` copies of tracked configs, the `-canary` and `-primary` Services,
 * the primary's autoscaler, and the primary workload when it does not exist yet (promotion copies the target
 * into it later).
 */
export async function reconcileWorkloads(ctx: TickContext): Promise<void> {
  const target = ctx.target;
  const revision = ctx.revision;
  if (target === undefined || revision === undefined || ctx.selector === undefined) throw new Error('target not loaded');
  const kind = requireKind(ctx);
  const problem = kind.targetProblem(target);
  if (problem !== undefined) throw new Error(problem);
  for (const found of revision.configs) await ensurePrimaryConfig(ctx, found.config);
  const services = servicesFor(ctx, target);
  await ensureService(ctx, services.canary);
  await ensureService(ctx, services.primary);
  await ensurePrimaryScaler(ctx);
  const name = primaryName(target.metadata.name);
  if (kind.cache(ctx.deps.caches).get(ctx.identity.namespace, name) === undefined) {
    const primary = kind.desiredPrimary({
      target,
      owner: controllerOwnerReference(ctx.raw),
      selector: ctx.selector,
      selectorLabels: ctx.deps.config.selectorLabels,
      includeLabelPrefixes: ctx.deps.config.includeLabelPrefix,
      trackedConfigs: trackedConfigNames(revision.configs),
      flaggerId: ctx.deps.newId(),
      hasAutoscaler: ctx.canary.spec.autoscalerRef !== undefined,
    });
    primary.metadata.annotations = { ...primary.metadata.annotations, [createdFromAnnotation]: revision.hash };
    await ctx.deps.kube.create(kind.type, primary);
  }
}

async function ensurePrimaryConfig(ctx: TickContext, config: ConfigMap | Secret): Promise<void> {
  const kind = configKindOf(config);
  const objects = kind === 'ConfigMap' ? ctx.deps.caches.configMaps : ctx.deps.caches.secrets;
  const type = kind === 'ConfigMap' ? Resources.configMaps : Resources.secrets;
  const copyName = primaryName(config.metadata.name);
  ctx.dependOn(kind, copyName);
  const existing: ConfigMap | Secret | undefined = await objects.read(ctx.identity.namespace, copyName);
  const desired = desiredPrimaryConfig(config, {
    owner: controllerOwnerReference(ctx.raw), includeLabelPrefixes: ctx.deps.config.includeLabelPrefix, existingCopy: existing,
  });
  await applyDesired<ConfigMap | Secret>(ctx.deps.kube, type, { existing, desired }, (e, d) => configPatch(e, d));
}

// Only the content, labels and owners are ours to keep in line; server fields are left alone.
function configPatch(existing: ConfigMap | Secret, desired: ConfigMap | Secret): unknown {
  const pick = (o: ConfigMap | Secret): Record<string, unknown> => ({
    metadata: { labels: o.metadata.labels ?? {}, ownerReferences: o.metadata.ownerReferences ?? [] },
    data: o.data ?? {},
    ...('binaryData' in o ? { binaryData: o.binaryData ?? {} } : {}),
  });
  return mergePatchDiff(pick(existing), pick(desired));
}
