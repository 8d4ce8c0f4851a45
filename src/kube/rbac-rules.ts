/**
 * Every (resource, verb) the operator calls on the API server, one row per resource, with the call sites.
 * This table is the only source of the Helm chart's RBAC rules: `npm run generate:crds` writes it to
 * `charts/songbird/templates/_rules.tpl`, and `src/kube/rbac-rules.test.ts` fails when a `kube.<verb>(Type, …)`
 * call in `src/` uses a verb the table does not list, or the table lists one no call site uses. At run time,
 * `test/e2e/helm-install.test.ts` compares the rules the chart renders with the API server's audit log of
 * releases run under them.
 *
 * Port method → RBAC verb: get → get, list/listPage → list, watch → watch, create → create,
 * replace → update, patch → patch, delete → delete.
 */
import { flaggerType, Resources } from './resources.js';
import type { ResourceType } from '../ports/kube.js';

export type RbacVerb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete';

/** One row: the verbs the operator uses on one resource (or subresource, `canaries/status`). */
export interface ResourceGrant {
  readonly group: string;
  readonly resource: string;
  readonly verbs: readonly RbacVerb[];
  /** Where the verbs are used, so that a reviewer can check the row against the code. */
  readonly usedBy: string;
}

/** A rule of a Kubernetes Role or ClusterRole. */
export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

const grant = (type: ResourceType, verbs: readonly RbacVerb[], usedBy: string, subresource?: string): ResourceGrant => ({
  group: type.group, resource: subresource === undefined ? type.plural : `${type.plural}/${subresource}`, verbs, usedBy,
});

/**
 * What the operator's API calls need in every namespace it watches (cluster-wide, or the `--namespace` one).
 * ConfigMaps and Secrets are only listed and watched with a `metadata.name` field selector, one object at a
 * time (src/reconciler/referenced-objects.ts); RBAC cannot express field selectors, so the grant is list/watch,
 * and the code is what keeps every other Secret unread.
 */
export const codeCallGrants: readonly ResourceGrant[] = [
  grant(flaggerType('Canary'), ['get', 'list', 'watch', 'patch'], 'watch cache; finalizer patch (steps/lifecycle.ts); resourceVersion re-read after a conflict (tick.ts)'),
  grant(flaggerType('Canary'), ['patch'], 'one status patch per tick (tick.ts)', 'status'),
  grant(flaggerType('MetricTemplate'), ['list', 'watch'], 'watch cache (cluster-caches.ts)'),
  grant(flaggerType('AlertProvider'), ['list', 'watch'], 'watch cache (cluster-caches.ts)'),
  grant(Resources.deployments, ['list', 'watch', 'create', 'update', 'patch'], 'watch cache; primary create (steps/workloads.ts), promotion replace (steps/analysis-effects.ts), scale patches (controller.ts, steps/lifecycle.ts)'),
  grant(Resources.daemonSets, ['list', 'watch', 'create', 'update', 'patch'], 'watch cache; primary create (steps/workloads.ts), promotion replace (steps/analysis-effects.ts), park/unpark patches (controller.ts, steps/lifecycle.ts)'),
  grant(Resources.services, ['list', 'watch', 'create', 'patch'], 'watch cache; apex/primary/canary Services (steps/workloads.ts), selector restore (steps/finalize.ts)'),
  grant(Resources.hpas, ['list', 'watch', 'create', 'patch'], 'watch cache; primary HPA create and promotion patch (steps/workloads.ts, steps/analysis-effects.ts)'),
  grant(Resources.scaledObjects, ['get', 'list', 'watch', 'create', 'patch'], 'KEDA: target read through the on-demand caches, primary create and promotion patch, target pause/resume patches (steps/scalers.ts)'),
  grant(Resources.configMaps, ['list', 'watch', 'create', 'patch'], 'list/watch by name only (referenced-objects.ts); create/patch the -primary copies (steps/workloads.ts)'),
  grant(Resources.secrets, ['list', 'watch', 'create', 'patch'], 'list/watch by name only (referenced-objects.ts); create/patch the -primary copies (steps/workloads.ts)'),
  grant(Resources.events, ['create'], 'Kubernetes events of canaries (telemetry/kube-events.ts)'),
  grant(Resources.ingresses, ['get', 'list', 'watch', 'create', 'patch'], 'NGINX and ALB routers (routers/nginx/, routers/alb/) through the on-demand caches (on-demand-caches.ts)'),
  grant(Resources.endpointSlices, ['list'], 'ready endpoints of the target before the apex Service is pointed at it on deletion (steps/finalize.ts)'),
  grant(Resources.targetGroupBindings, ['list'], 'ALB weight verification (routers/alb/alb-aws.ts)'),
  grant(Resources.virtualServices, ['get', 'list', 'watch', 'create', 'patch'], 'Istio router (routers/istio/) through the on-demand caches'),
  grant(Resources.destinationRules, ['get', 'list', 'watch', 'create', 'patch'], 'Istio router (routers/istio/) through the on-demand caches'),
  grant(Resources.httpRoutes, ['get', 'list', 'watch', 'create', 'patch'], 'Gateway API router (routers/gatewayapi/), v1 or v1beta1, through the on-demand caches'),
  grant(Resources.keptnMetrics, ['get'], 'keptn MetricTemplates: the value of a KeptnMetric (metrics/keptn.ts)'),
  grant(Resources.keptnAnalyses, ['get', 'create', 'delete'], 'keptn MetricTemplates: an Analysis created, polled and deleted (metrics/keptn.ts)'),
  // The external metrics API names each metric as a resource, so only a wildcard can grant them.
  { group: 'external.metrics.k8s.io', resource: '*', verbs: ['list'], usedBy: 'externalmetrics MetricTemplates without an address (metrics/externalmetrics.ts)' },
];

/**
 * Needed by admission rather than by a call: the primaries and their copies carry an ownerReference to the
 * Canary with `blockOwnerDeletion: true` (src/workloads/owner.ts), and clusters that enable the
 * OwnerReferencesPermissionEnforcement admission plugin (OpenShift does) then require `update` on
 * `canaries/finalizers` to create them. No request uses this verb, so an audit log never shows it.
 */
export const ownerReferenceGrants: readonly ResourceGrant[] = [
  grant(flaggerType('Canary'), ['update'], 'ownerReferences with blockOwnerDeletion (workloads/owner.ts)', 'finalizers'),
];

/** Granted in every namespace the operator watches. */
export const watchedNamespaceGrants: readonly ResourceGrant[] = [...codeCallGrants, ...ownerReferenceGrants];

/** Granted only in the leader election namespace (the release's): the Lease of src/leader-election.ts. */
export const leaderElectionGrants: readonly ResourceGrant[] = [
  grant(Resources.leases, ['get', 'create', 'update'], 'acquire, renew and release the Lease (leader-election.ts)'),
];

/**
 * The grants as RBAC rules: one rule per API group and verb set, groups and resources in table order.
 * Example: deployments (apps) → `{ apiGroups: ['apps'], resources: ['deployments'], verbs: [...] }`.
 */
export function policyRules(grants: readonly ResourceGrant[]): PolicyRule[] {
  const rules = new Map<string, PolicyRule>();
  for (const g of grants) {
    const key = `${g.group} ${g.verbs.join(',')}`;
    const rule = rules.get(key) ?? { apiGroups: [g.group], resources: [], verbs: [...g.verbs] };
    rule.resources.push(g.resource);
    rules.set(key, rule);
  }
  return [...rules.values()];
}
