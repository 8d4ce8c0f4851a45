import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { HttpsKube } from '../../src/adapters/kube-https.js';
import { loadKubeConfig } from '../../src/kube/load-kubeconfig.js';
import { useTestNamespace } from '../support/kube.js';
import { listWatchPatch, revokeServiceAccount, scratchDir, serviceAccountWithToken, testCluster, writeKubeconfig } from '../support/kubeconfig-forms.js';

const namespace = useTestNamespace('kc-file');

describe('a kubeconfig user with a token-file that is rotated', () => {
  const dir = scratchDir();
  afterAll(() => dir.remove());

  it('keeps working when the file gets a new token and the old one is revoked', async () => {
    const first = await serviceAccountWithToken(namespace(), 'first');
    const second = await serviceAccountWithToken(namespace(), 'second');
    const tokenFile = join(dir.path, 'token');
    writeFileSync(tokenFile, `${first}\n`);
    const { server, caData } = testCluster();
    // A relative token-file is relative to the kubeconfig's folder, as for kubectl.
    const path = writeKubeconfig(join(dir.path, 'config'), { server, 'certificate-authority-data': caData }, { 'token-file': 'token' });
    const kube = new HttpsKube(loadKubeConfig({ kind: 'kubeconfig', path }));
    await listWatchPatch(kube, namespace(), 'file-a');

    writeFileSync(tokenFile, `${second}\n`);
    await revokeServiceAccount(namespace(), 'first', first);
    await listWatchPatch(kube, namespace(), 'file-b');
  });
});
