import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { resolveCliContext } from '../../../src/cli/manual-cli-context.js';

const dir = mkdtempSync(join(tmpdir(), 'songbird-cli-'));
const kubeconfig = join(dir, 'config');
writeFileSync(kubeconfig, stringify({
  apiVersion: 'v1', kind: 'Config', 'current-context': 'dev',
  clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:6443' } }],
  users: [{ name: 'u', user: { token: 't' } }],
  contexts: [{ name: 'dev', context: { cluster: 'c', user: 'u', namespace: 'team-a' } }, { name: 'prod', context: { cluster: 'c', user: 'u' } }],
}));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('resolveCliContext: the cluster and namespace of a plugin command, as kubectl picks them', () => {
  it('uses the current context and its namespace', () => {
    expect(resolveCliContext({ kubeconfig }, {}, dir)).toMatchObject({ context: 'dev', namespace: 'team-a' });
  });
  it('uses --context, and "default" when that context names no namespace', () => {
    expect(resolveCliContext({ kubeconfig, context: 'prod' }, {}, dir)).toMatchObject({ context: 'prod', namespace: 'default' });
  });
  it('lets -n win over the context namespace', () => {
    expect(resolveCliContext({ kubeconfig, namespace: 'other' }, {}, dir).namespace).toBe('other');
  });
  it('reads KUBECONFIG when no --kubeconfig is given', () => {
    expect(resolveCliContext({}, { KUBECONFIG: kubeconfig }, dir).context).toBe('dev');
  });
  it('names the contexts there are when --context names none of them', () => {
    expect(() => resolveCliContext({ kubeconfig, context: 'staging' }, {}, dir)).toThrow('context "staging" not found in the kubeconfig (contexts: dev, prod)');
  });
  it('says how to configure a cluster when there is none', () => {
    expect(() => resolveCliContext({}, {}, join(dir, 'no-home'))).toThrow('no cluster configured: pass --kubeconfig, set KUBECONFIG or create ~/.kube/config');
  });
});
