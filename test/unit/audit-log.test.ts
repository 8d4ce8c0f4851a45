import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { auditedCalls, comparePermissions, grantedPermissions, usedPermissions } from '../support/audit-log.js';
import type { Manifest } from '../support/helm.js';

const USER = 'system:serviceaccount:songbird-system:songbird';
const dir = mkdtempSync(join(tmpdir(), 'songbird-audit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Audit events as kube-apiserver writes them at level Metadata (fields the reader does not use left out).
const event = (auditID: string, verb: string, objectRef: Record<string, string> | undefined,
  opts: { stage?: string; code?: number; user?: string; at?: string } = {}): string => JSON.stringify({
  kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Metadata', auditID, stage: opts.stage ?? 'ResponseComplete', verb, requestURI: '/apis/x',
  user: { username: opts.user ?? USER }, ...(objectRef === undefined ? {} : { objectRef }), responseStatus: { code: opts.code ?? 200 },
  requestReceivedTimestamp: opts.at ?? '2026-12-05T10:00:00.000000Z',
});

function logOf(...lines: string[]): string {
  const path = join(dir, `audit-${Math.random().toString(16).slice(2)}.log`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

describe('audit log reader', () => {
  it('counts a watch once, with the code of its last record, and spells subresources and the core group', () => {
    const log = logOf(
      event('w1', 'watch', { apiGroup: 'apps', resource: 'deployments', namespace: 'a' }, { stage: 'ResponseStarted' }),
      event('w1', 'watch', { apiGroup: 'apps', resource: 'deployments', namespace: 'a' }),
      event('p1', 'patch', { apiGroup: 'flagger.app', resource: 'canaries', subresource: 'status', namespace: 'a', name: 'podinfo' }),
      event('c1', 'create', { resource: 'services', namespace: 'a' }, { code: 403 }),
    );
    const calls = auditedCalls(log, USER);
    expect(calls).toHaveLength(3);
    expect(usedPermissions(calls)).toEqual(['/services create', 'apps/deployments watch', 'flagger.app/canaries/status patch']);
    expect(calls.filter((c) => c.code === 403).map((c) => c.resource)).toEqual(['/services']);
  });

  it('keeps only the given user, from the given time on, and leaves discovery calls out of the permissions', () => {
    const log = logOf(
      event('o1', 'list', { resource: 'secrets' }, { user: 'system:serviceaccount:other:songbird' }),
      event('e1', 'list', { resource: 'configmaps' }, { at: '2026-12-05T09:00:00.000000Z' }),
      event('d1', 'get', undefined),
      event('l1', 'list', { resource: 'configmaps' }),
    );
    const calls = auditedCalls(log, USER, Date.parse('2026-12-05T09:30:00Z'));
    expect(calls.map((c) => c.verb)).toEqual(['get', 'list']);
    expect(usedPermissions(calls)).toEqual(['/configmaps list']);
  });
});

describe('permission comparison', () => {
  const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'songbird' },
    rules: [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['list', 'watch'] }, { apiGroups: [''], resources: ['services', 'events'], verbs: ['create'] }] } as Manifest;
  const notARole = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'songbird' } } as Manifest;

  it('reads every (group, resource, verb) of the rendered Roles and ClusterRoles', () => {
    expect(grantedPermissions([role, notARole])).toEqual(['/events create', '/services create', 'apps/deployments list', 'apps/deployments watch']);
  });

  it('reports calls the chart does not grant, grants nothing called, and exceptions the chart no longer grants', () => {
    const diff = comparePermissions(['apps/deployments list', 'apps/deployments update', '/services create'], grantedPermissions([role]),
      { '/events create': 'no event in this release', '/secrets get': 'gone from the chart' });
    expect(diff).toEqual({ usedNotGranted: ['apps/deployments update'], grantedNotUsed: ['apps/deployments watch'], staleExceptions: ['/secrets get'] });
  });
});
