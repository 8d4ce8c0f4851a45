import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { flaggerType, Resources } from './resources.js';
import { codeCallGrants, leaderElectionGrants, ownerReferenceGrants, policyRules, watchedNamespaceGrants, type ResourceGrant } from './rbac-rules.js';

const srcDir = join(import.meta.dirname, '..');
const verbOf: Record<string, string> = { get: 'get', list: 'list', listPage: 'list', watch: 'watch', create: 'create', replace: 'update', patch: 'patch', delete: 'delete' };

// The names call sites give resource types, and the resource each one is.
const namedTypes: Record<string, string> = {
  CanaryResource: 'canaries', CanaryType: 'canaries', virtualServiceType: 'virtualservices', destinationRuleType: 'destinationrules',
  ...Object.fromEntries(Object.entries(Resources).map(([key, type]) => [`Resources.${key}`, type.plural])),
};

/**
 * Call sites whose type is a parameter, with the resources they are called for (found at their callers):
 * the watch caches list and watch every kind they cache, the on-demand reader gets the routers' kinds, and
 * applyDesired creates and patches what steps/workloads.ts applies.
 */
const genericCallSites: Record<string, string[]> = {
  'reconciler/resource-cache.ts list': ['canaries', 'metrictemplates', 'alertproviders', 'deployments', 'daemonsets', 'services', 'horizontalpodautoscalers', 'configmaps', 'secrets', 'ingresses', 'virtualservices', 'destinationrules', 'httproutes', 'scaledobjects'],
  'reconciler/resource-cache.ts watch': ['canaries', 'metrictemplates', 'alertproviders', 'deployments', 'daemonsets', 'services', 'horizontalpodautoscalers', 'configmaps', 'secrets', 'ingresses', 'virtualservices', 'destinationrules', 'httproutes', 'scaledobjects'],
  'reconciler/on-demand-caches.ts get': ['ingresses', 'virtualservices', 'destinationrules', 'httproutes', 'scaledobjects'],
  // The target kinds' entries (reconciler/target-kinds.ts): primaries created and replaced, targets scaled or parked.
  'reconciler/steps/workloads.ts create': ['deployments', 'daemonsets'],
  'reconciler/steps/analysis-effects.ts replace': ['deployments', 'daemonsets'],
  'reconciler/steps/lifecycle.ts patch': ['deployments', 'daemonsets'],
  'reconciler/controller.ts patch': ['deployments', 'daemonsets'],
  'reconciler/steps/apply.ts create': ['services', 'configmaps', 'secrets'],
  'reconciler/steps/apply.ts patch': ['services', 'configmaps', 'secrets'],
  'routers/istio/istio.ts create': ['virtualservices', 'destinationrules'],
  'routers/gatewayapi/gatewayapi.ts create': ['httproutes'],
  'routers/gatewayapi/gatewayapi.ts patch': ['httproutes'],
  // The metric's name is the resource of its path (/apis/external.metrics.k8s.io/v1beta1/namespaces/<ns>/<metric>).
  'metrics/externalmetrics.ts listPage': ['*'],
};

// Not the operator's calls: development-only code (the embedded local cluster installs the CRDs itself; in a
// cluster the chart does), and the kubectl-songbird plugin, which runs with its user's own credentials.
const developmentOnly = (file: string): boolean => file.startsWith('local-cluster/') || file.startsWith('dev/') || file === 'install-crds.ts'
  || file.startsWith('cli/');

// Port wrappers that hand every call, whatever its type, to another port: their callers are counted instead.
const passesCallsThrough = new Set(['kube/kube-decorator.ts', 'reconciler/referenced-objects.ts', 'leader-fence.ts', 'adapters/kill-at-write.ts']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** `resource verb` for every `kube.<method>(Type, …)` call in src/, e.g. `canaries/status patch`. */
function usedByCode(): { used: Set<string>; unknown: string[] } {
  const used = new Set<string>();
  const unknown: string[] = [];
  for (const path of sourceFiles(srcDir)) {
    const file = relative(srcDir, path);
    if (developmentOnly(file) || passesCallsThrough.has(file)) continue;
    const text = readFileSync(path, 'utf8');
    for (const m of text.matchAll(/\bkube\.(get|list|listPage|watch|create|replace|patch|delete)(?:<[^>]*>)?\(\s*([\w.]+)/g)) {
      const [method, typeName] = [m[1] as string, m[2] as string];
      const statement = text.slice(m.index, text.indexOf(';', m.index));
      const status = statement.includes("subresource: 'status'") ? '/status' : '';
      const resources = namedTypes[typeName] !== undefined ? [`${namedTypes[typeName]}${status}`] : genericCallSites[`${file} ${method}`];
      if (resources === undefined) unknown.push(`${file}: kube.${method}(${typeName}`);
      for (const r of resources ?? []) used.add(`${r} ${verbOf[method] as string}`);
    }
  }
  return { used, unknown };
}

const granted = (grants: readonly ResourceGrant[]): Set<string> => new Set(grants.flatMap((g) => g.verbs.map((v) => `${g.resource} ${v}`)));

describe('RBAC table', () => {
  it('knows the resource type of every kube call in src/', () => {
    expect(usedByCode().unknown).toEqual([]);
  });

  it('grants exactly the (resource, verb) pairs the code calls, no more and no fewer', () => {
    const table = new Set([...granted(codeCallGrants), ...granted(leaderElectionGrants)]);
    expect([...table].sort()).toEqual([...usedByCode().used].sort());
  });

  it('grants update on canaries/finalizers exactly because owner references block owner deletion', () => {
    const ownerCode = readFileSync(join(srcDir, 'workloads', 'owner.ts'), 'utf8');
    expect(ownerCode).toContain('blockOwnerDeletion: true');
    expect(ownerReferenceGrants).toEqual([expect.objectContaining({ group: 'flagger.app', resource: 'canaries/finalizers', verbs: ['update'] })]);
    expect(watchedNamespaceGrants).toEqual([...codeCallGrants, ...ownerReferenceGrants]);
  });

  it('names each resource with the group and plural of src/kube/resources.ts', () => {
    const known = new Map([...Object.values(Resources), flaggerType('Canary'), flaggerType('MetricTemplate'), flaggerType('AlertProvider')]
      .map((t) => [t.plural, t.group]));
    known.set('*', 'external.metrics.k8s.io'); // every metric of the external metrics API (metrics/externalmetrics.ts)
    for (const g of [...watchedNamespaceGrants, ...leaderElectionGrants]) expect(known.get(g.resource.split('/')[0] as string)).toBe(g.group);
  });

  it('never grants get on ConfigMaps or Secrets, nor update or delete on them', () => {
    for (const resource of ['configmaps', 'secrets']) {
      expect(watchedNamespaceGrants.find((g) => g.resource === resource)?.verbs).toEqual(['list', 'watch', 'create', 'patch']);
    }
  });

  it('groups the grants into one rule per API group and verb set', () => {
    const rules = policyRules([
      { group: 'apps', resource: 'deployments', verbs: ['get'], usedBy: '' },
      { group: 'apps', resource: 'replicasets', verbs: ['get'], usedBy: '' },
      { group: '', resource: 'services', verbs: ['get', 'patch'], usedBy: '' },
    ]);
    expect(rules).toEqual([
      { apiGroups: ['apps'], resources: ['deployments', 'replicasets'], verbs: ['get'] },
      { apiGroups: [''], resources: ['services'], verbs: ['get', 'patch'] },
    ]);
  });
});
