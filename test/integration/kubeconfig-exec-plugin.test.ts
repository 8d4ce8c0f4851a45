import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HttpsKube } from '../../src/adapters/kube-https.js';
import { execCredential } from '../../src/kube/exec-credential.js';
import { loadKubeConfig } from '../../src/kube/load-kubeconfig.js';
import { Resources } from '../../src/kube/resources.js';
import { FakeClock } from '../fakes/fake-clock.js';
import { testKubeConfig, useTestNamespace } from '../support/kube.js';
import {
  listWatchPatch, revokeServiceAccount, scratchDir, serviceAccountWithToken, testCluster, writeExecPlugin, writeKubeconfig,
} from '../support/kubeconfig-forms.js';

const namespace = useTestNamespace('kc-exec');
const V1 = 'client.authentication.k8s.io/v1';
const cluster = { server: 'https://127.0.0.1:6443' };

describe.each(['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1'])('an exec credential plugin (%s)', (apiVersion) => {
  const suffix = apiVersion.endsWith('v1') ? 'v1' : 'v1beta1';
  let dir: ReturnType<typeof scratchDir>;
  let plugin: ReturnType<typeof writeExecPlugin>;
  let kube: HttpsKube;
  beforeEach(() => {
    dir = scratchDir();
    plugin = writeExecPlugin(dir.path, apiVersion);
    const { server, caData } = testCluster();
    const path = writeKubeconfig(join(dir.path, 'config'), { server, 'certificate-authority-data': caData }, { exec: plugin.exec });
    kube = new HttpsKube(loadKubeConfig({ kind: 'kubeconfig', path }));
  });
  afterEach(() => dir.remove());

  it('runs the plugin once and reuses its token until the token is refused, then runs it again and retries', async () => {
    const first = await serviceAccountWithToken(namespace(), `first-${suffix}`);
    const second = await serviceAccountWithToken(namespace(), `second-${suffix}`);
    plugin.handOut(first, new Date(Date.now() + 600_000));
    await listWatchPatch(kube, namespace(), `exec-a-${suffix}`);
    expect(plugin.runs()).toBe(1);

    plugin.handOut(second, new Date(Date.now() + 600_000));
    await revokeServiceAccount(namespace(), `first-${suffix}`, first);
    // The cached token is refused (401): the request is retried once with the plugin's new token and succeeds.
    await listWatchPatch(kube, namespace(), `exec-b-${suffix}`);
    expect(plugin.runs()).toBe(2);
  });

  it('runs the plugin again once the credential it gave has expired, without waiting for a refusal', async () => {
    const token = await serviceAccountWithToken(namespace(), `expiring-${suffix}`);
    plugin.handOut(token, new Date(Date.now() + 2_000));
    await kube.list(Resources.configMaps, namespace());
    await kube.list(Resources.configMaps, namespace());
    expect(plugin.runs()).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    await kube.list(Resources.configMaps, namespace());
    expect(plugin.runs()).toBe(2);
  });
});

describe('running an exec plugin', () => {
  const clock = new FakeClock();
  const script = (body: string): { command: string; args: string[] } => ({ command: process.execPath, args: ['-e', body] });

  it('passes the kubeconfig env and KUBERNETES_EXEC_INFO (with the cluster when provideClusterInfo is set) to the plugin', async () => {
    const echo = script(`const info = JSON.parse(process.env.KUBERNETES_EXEC_INFO);
      console.log(JSON.stringify({ apiVersion: info.apiVersion, kind: 'ExecCredential', status: { token: process.env.GREETING + ' ' + info.spec.cluster.server + ' ' + info.spec.interactive } }));`);
    const source = execCredential({ apiVersion: V1, ...echo, env: [{ name: 'GREETING', value: 'hi' }], provideClusterInfo: true }, cluster, clock);
    expect((await source.obtain()).authorization).toBe('Bearer hi https://127.0.0.1:6443 false');
  });

  it('reports a failing plugin with its exit code and stderr, and a missing one with the install hint', async () => {
    const failing = execCredential({ apiVersion: V1, ...script('console.error("token expired, run aws sso login"); process.exit(3)') }, cluster, clock);
    await expect(failing.obtain()).rejects.toThrow(/failed \(exit 3\): token expired, run aws sso login/);
    const missing = execCredential({ apiVersion: V1, command: 'songbird-no-such-plugin', installHint: 'install it with brew' }, cluster, clock);
    await expect(missing.obtain()).rejects.toThrow(/could not run the exec plugin songbird-no-such-plugin .*: install it with brew/);
  });

  it('refuses a plugin that needs a terminal, an unknown apiVersion and a missing command when the kubeconfig is loaded', () => {
    expect(() => execCredential({ apiVersion: V1, command: 'login', interactiveMode: 'Always' }, cluster, clock)).toThrow('needs a terminal');
    expect(() => execCredential({ apiVersion: 'client.authentication.k8s.io/v1alpha1', command: 'x' }, cluster, clock))
      .toThrow('users[].user.exec.apiVersion must be one of');
    expect(() => execCredential({ apiVersion: V1 }, cluster, clock)).toThrow('users[].user.exec.command is missing');
  });
});

describe('an exec credential plugin that returns a client certificate', () => {
  it('presents the certificate over TLS', async () => {
    const admin = testKubeConfig().getCurrentUser();
    const pem = (data: string | undefined): string => Buffer.from(data ?? '', 'base64').toString('utf8');
    const dir = scratchDir();
    try {
      const { server, caData } = testCluster();
      const exec = {
        apiVersion: V1, command: process.execPath,
        args: ['-e', `console.log(JSON.stringify({ apiVersion: '${V1}', kind: 'ExecCredential',
          status: { clientCertificateData: process.env.CERT, clientKeyData: process.env.KEY } }))`],
        env: [{ name: 'CERT', value: pem(admin?.certData) }, { name: 'KEY', value: pem(admin?.keyData) }],
      };
      const path = writeKubeconfig(join(dir.path, 'config'), { server, 'certificate-authority-data': caData }, { exec });
      await listWatchPatch(new HttpsKube(loadKubeConfig({ kind: 'kubeconfig', path })), namespace(), 'exec-cert');
    } finally {
      dir.remove();
    }
  });
});
