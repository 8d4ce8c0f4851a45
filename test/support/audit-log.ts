import { existsSync, readFileSync } from 'node:fs';
import type { Manifest } from './helm.js';

/** One API request as kube-apiserver's audit log records it (level Metadata). */
export interface AuditedCall {
  verb: string;
  /** `group/resource[/subresource]`, e.g. `flagger.app/canaries/status`, `/services` for the core group. */
  resource: string;
  namespace?: string;
  name?: string;
  code?: number;
  /** The request's path, for calls that name no resource (discovery). */
  uri: string;
}

interface AuditEvent {
  auditID: string;
  stage: string;
  verb: string;
  requestURI: string;
  user?: { username?: string };
  objectRef?: { resource?: string; subresource?: string; apiGroup?: string; namespace?: string; name?: string };
  responseStatus?: { code?: number };
  requestReceivedTimestamp?: string;
}

/**
 * Every request `username` made since `since` (ms since the epoch), one per request: a watch is logged when it
 * starts and again when it ends, and the later record wins. The policy of src/local-cluster/components.ts logs
 * only ServiceAccount users, so `username` is `system:serviceaccount:<namespace>:<name>`.
 */
export function auditedCalls(logFile: string, username: string, since = 0): AuditedCall[] {
  if (!existsSync(logFile)) return [];
  const byId = new Map<string, AuditedCall>();
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    if (!line.includes(username)) continue;
    const event = JSON.parse(line) as AuditEvent;
    if (event.user?.username !== username || Date.parse(event.requestReceivedTimestamp ?? '') < since) continue;
    byId.set(event.auditID, callOf(event));
  }
  return [...byId.values()];
}

// Example: objectRef { apiGroup: 'flagger.app', resource: 'canaries', subresource: 'status' } → 'flagger.app/canaries/status'.
function callOf(event: AuditEvent): AuditedCall {
  const { apiGroup = '', resource, subresource, namespace, name } = event.objectRef ?? {};
  const path = resource === undefined ? '' : [apiGroup, resource, ...(subresource === undefined ? [] : [subresource])].join('/');
  const code = event.responseStatus?.code;
  return {
    verb: event.verb, resource: path, uri: event.requestURI,
    ...(namespace === undefined ? {} : { namespace }), ...(name === undefined ? {} : { name }), ...(code === undefined ? {} : { code }),
  };
}

/** `group/resource verb` of every resource call, sorted and without repeats: e.g. `apps/deployments update`. */
export function usedPermissions(calls: readonly AuditedCall[]): string[] {
  return [...new Set(calls.filter((c) => c.resource !== '').map((c) => `${c.resource} ${c.verb}`))].sort();
}

interface Rule { apiGroups?: string[]; resources?: string[]; verbs?: string[]; resourceNames?: string[] }

/**
 * `group/resource verb` of every rule of the Roles and ClusterRoles among `manifests` (what `helm template` or
 * `helm get manifest` printed), in the spelling of {@link usedPermissions}.
 */
export function grantedPermissions(manifests: readonly Manifest[]): string[] {
  const rules = manifests.filter((m) => m.kind === 'Role' || m.kind === 'ClusterRole').flatMap((m) => (m.rules as Rule[] | undefined) ?? []);
  const granted = rules.flatMap((r) => (r.apiGroups ?? []).flatMap((g) => (r.resources ?? []).flatMap((res) => (r.verbs ?? []).map((v) => `${g}/${res} ${v}`))));
  return [...new Set(granted)].sort();
}

/** What a release's audited calls and the chart's grants disagree on. */
export interface PermissionDiff {
  /** Used but not granted: the API server answered 403 (or would on a cluster enforcing these rules). */
  usedNotGranted: string[];
  /** Granted but never used, and not an explained exception: the chart grants more than the operator needs. */
  grantedNotUsed: string[];
  /** Exceptions the chart does not grant at all: stale entries of the exception list. */
  staleExceptions: string[];
}

/** Compares `used` with `granted`; `exceptions` are grants a release cannot exercise, each with its reason. */
export function comparePermissions(used: readonly string[], granted: readonly string[], exceptions: Readonly<Record<string, string>>): PermissionDiff {
  const usedSet = new Set(used);
  const grantedSet = new Set(granted);
  return {
    usedNotGranted: used.filter((p) => !grantedSet.has(p)),
    grantedNotUsed: granted.filter((p) => !usedSet.has(p) && exceptions[p] === undefined),
    staleExceptions: Object.keys(exceptions).filter((p) => !grantedSet.has(p)),
  };
}
