import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadKubeConfig } from './load-kubeconfig.js';

const dir = mkdtempSync(join(tmpdir(), 'load-kubeconfig-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function kubeconfigWith(user: Record<string, unknown>, server = 'https://10.0.0.1:6443'): string {
  const path = join(dir, `config-${Math.random().toString(36).slice(2)}`);
  writeFileSync(path, stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'c',
    clusters: [{ name: 'c', cluster: { server } }], users: [{ name: 'u', user }], contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
  }));
  return path;
}

describe('loadKubeConfig', () => {
  it('records a token-file relative to the kubeconfig folder without reading it, so that it is read as it rotates', () => {
    const kc = loadKubeConfig({ kind: 'kubeconfig', path: kubeconfigWith({ 'token-file': 'tokens/not-yet-written' }) });
    const user = kc.getCurrentUser();
    expect(user?.token).toBeUndefined();
    expect(user?.authProvider).toEqual({ name: 'tokenFile', config: { tokenFile: join(dir, 'tokens/not-yet-written') } });
  });

  it('prefers token over token-file, as kubectl does', () => {
    const kc = loadKubeConfig({ kind: 'kubeconfig', path: kubeconfigWith({ token: 'inline', 'token-file': '/elsewhere' }) });
    expect(kc.getCurrentUser()?.token).toBe('inline');
    expect(kc.getCurrentUser()?.authProvider).toBeUndefined();
  });

  it('resolves an exec command with a slash against the kubeconfig folder and leaves a bare name to PATH', () => {
    const exec = (command: string): unknown => ({ apiVersion: 'client.authentication.k8s.io/v1', command, args: ['token'] });
    const relative = loadKubeConfig({ kind: 'kubeconfig', path: kubeconfigWith({ exec: exec('./bin/get-token') }) });
    expect((relative.getCurrentUser()?.exec as { command: string }).command).toBe(join(dir, 'bin/get-token'));
    const bare = loadKubeConfig({ kind: 'kubeconfig', path: kubeconfigWith({ exec: exec('aws') }) });
    expect((bare.getCurrentUser()?.exec as { command: string }).command).toBe('aws');
  });

  it('keeps an http:// server as it is', () => {
    const kc = loadKubeConfig({ kind: 'kubeconfig', path: kubeconfigWith({}, 'http://127.0.0.1:8001') });
    expect(kc.getCurrentCluster()?.server).toBe('http://127.0.0.1:8001');
  });

  it('in-cluster: https to the service host and port with the pod\'s CA and token file, whatever the port', () => {
    const env = { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '8080' };
    const kc = loadKubeConfig({ kind: 'in-cluster' }, { env, serviceAccountDir: '/sa' });
    expect(kc.getCurrentCluster()).toMatchObject({ server: 'https://[fd00::1]:8080', caFile: '/sa/ca.crt', skipTLSVerify: false });
    expect(kc.getCurrentUser()?.authProvider).toEqual({ name: 'tokenFile', config: { tokenFile: '/sa/token' } });
  });

  it('in-cluster without the service host or port says which variables it needs', () => {
    expect(() => loadKubeConfig({ kind: 'in-cluster' }, { env: {}, serviceAccountDir: '/sa' }))
      .toThrow('in-cluster credentials need KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT');
  });
});

describe('loadKubeConfig with a KUBECONFIG list', () => {
  it('merges the files as kubectl does: missing files skipped, the first name and current-context win', () => {
    const write = (name: string, body: object): string => {
      const path = join(dir, name);
      writeFileSync(path, stringify({ apiVersion: 'v1', kind: 'Config', ...body }));
      return path;
    };
    const first = write('first', {
      clusters: [{ name: 'shared', cluster: { server: 'https://first:6443' } }], users: [{ name: 'me', user: { token: 'first' } }], contexts: [],
    });
    const second = write('second', {
      'current-context': 'work',
      clusters: [{ name: 'shared', cluster: { server: 'https://second:6443' } }], users: [{ name: 'me', user: { token: 'second' } }],
      contexts: [{ name: 'work', context: { cluster: 'shared', user: 'me' } }],
    });
    const kc = loadKubeConfig({ kind: 'kubeconfig', path: [first, join(dir, 'missing'), second].join(':') });
    expect(kc.getCurrentCluster()?.server).toBe('https://first:6443');
    expect(kc.getCurrentUser()?.token).toBe('first');
  });
});
