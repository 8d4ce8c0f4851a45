import { Agent as HttpsAgent } from 'node:https';
import { describe, expect, it } from 'vitest';
import { KubeConfig } from '@kubernetes/client-node';
import { FakeClock } from '../../test/fakes/fake-clock.js';
import { ClusterAccess } from './cluster-access.js';

function access(server: string, user: Record<string, unknown>): ClusterAccess {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server, skipTLSVerify: false }],
    users: [{ name: 'u', ...user }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return new ClusterAccess(kc, new FakeClock());
}

const base64url = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('ClusterAccess request options', () => {
  it('addresses an http:// server below its path, with no TLS settings', async () => {
    const options = await access('http://127.0.0.1:8001/proxy', {}).requestOptions('GET', '/api/v1/namespaces');
    expect(options).toMatchObject({ host: '127.0.0.1', port: '8001', path: '/proxy/api/v1/namespaces', headers: {} });
    expect(options.agent).not.toBeInstanceOf(HttpsAgent);
    expect('ca' in options || 'cert' in options).toBe(false);
  });

  it('sends basic auth and impersonation headers from the kubeconfig', async () => {
    const options = await access('https://k:6443', { username: 'ann', password: 'secret', impersonateUser: 'bob' }).requestOptions('GET', '/api');
    expect(options.headers).toEqual({ Authorization: `Basic ${Buffer.from('ann:secret').toString('base64')}`, 'Impersonate-User': 'bob' });
  });

  it('takes an auth-provider\'s token (here oidc with an unexpired id-token) from client-node', async () => {
    const idToken = `${base64url({ alg: 'none' })}.${base64url({ exp: Date.parse('2100-01-01T00:00:00Z') / 1000 })}.sig`;
    const oidc = { name: 'oidc', config: { 'id-token': idToken, 'idp-issuer-url': 'https://issuer.example', 'client-id': 'songbird' } };
    const options = await access('https://k:6443', { authProvider: oidc }).requestOptions('GET', '/api');
    expect(options.headers.Authorization).toBe(`Bearer ${idToken}`);
  });

  it('refuses a server URL that is neither https:// nor http://', () => {
    expect(() => access('ftp://k:21', {})).toThrow("the kubeconfig's server ftp://k:21 is neither https:// nor http://");
  });
});
