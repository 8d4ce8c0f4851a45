import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { HttpsKube } from '../../src/adapters/kube-https.js';
import { loadKubeConfig } from '../../src/kube/load-kubeconfig.js';
import { useTestNamespace } from '../support/kube.js';
import {
  listWatchPatch, revokeServiceAccount, scratchDir, serviceAccountWithToken, testCluster, watchSees,
} from '../support/kubeconfig-forms.js';

const namespace = useTestNamespace('kc-pod');

describe('in-cluster credentials (a pod\'s projected ServiceAccount token)', () => {
  const dir = scratchDir();
  afterAll(() => dir.remove());

  it('re-reads the token the kubelet rotates: calls and new watches keep working after the old token is revoked', async () => {
    const first = await serviceAccountWithToken(namespace(), 'first');
    const second = await serviceAccountWithToken(namespace(), 'second');
    const serviceAccountDir = join(dir.path, 'serviceaccount');
    mkdirSync(serviceAccountDir);
    const { server, caData } = testCluster();
    writeFileSync(join(serviceAccountDir, 'ca.crt'), Buffer.from(caData, 'base64'));
    writeFileSync(join(serviceAccountDir, 'token'), first);
    const url = new URL(server);
    const env = { KUBERNETES_SERVICE_HOST: url.hostname, KUBERNETES_SERVICE_PORT: url.port };
    const kube = new HttpsKube(loadKubeConfig({ kind: 'in-cluster' }, { env, serviceAccountDir }));
    await listWatchPatch(kube, namespace(), 'pod-a');

    // The kubelet swaps the file atomically; then the old token stops working.
    writeFileSync(join(serviceAccountDir, 'token.new'), second);
    renameSync(join(serviceAccountDir, 'token.new'), join(serviceAccountDir, 'token'));
    await revokeServiceAccount(namespace(), 'first', first);
    // A watch is the first request after the revocation: its 401 re-reads the token and the watch opens.
    await watchSees(kube, namespace(), 'pod-a');
    await listWatchPatch(kube, namespace(), 'pod-b');
  });
});
