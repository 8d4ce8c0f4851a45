import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { HttpsKube } from '../../src/adapters/kube-https.js';
import { loadKubeConfig } from '../../src/kube/load-kubeconfig.js';
import { useTestNamespace } from '../support/kube.js';
import { listWatchPatch, scratchDir, startKubectlProxy, writeKubeconfig } from '../support/kubeconfig-forms.js';

const namespace = useTestNamespace('kc-http');

describe('a kubeconfig whose server is plain http:// (kubectl proxy)', () => {
  const dir = scratchDir();
  let proxy: Awaited<ReturnType<typeof startKubectlProxy>>;
  beforeAll(async () => { proxy = await startKubectlProxy(); });
  afterAll(() => { proxy.stop(); dir.remove(); });

  it('lists, watches and patches through the proxy without any TLS setting', async () => {
    const path = writeKubeconfig(join(dir.path, 'config'), { server: `http://127.0.0.1:${proxy.port}` }, {});
    const kube = new HttpsKube(loadKubeConfig({ kind: 'kubeconfig', path }));
    await listWatchPatch(kube, namespace(), 'through-proxy');
  });
});
