import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpsKube } from '../../src/adapters/kube-https.js';
import { loadKubeConfig } from '../../src/kube/load-kubeconfig.js';
import { testKubeConfig, useTestNamespace } from '../support/kube.js';
import { listWatchPatch, scratchDir, testCluster, writeKubeconfig } from '../support/kubeconfig-forms.js';

const namespace = useTestNamespace('kc-proxy');

/** An HTTP CONNECT proxy (as corporate proxies are) that records the targets it tunnels to. */
function connectProxy(): { server: Server; tunnels: string[] } {
  const tunnels: string[] = [];
  const server = createServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req, client) => {
    tunnels.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  return { server, tunnels };
}

describe('a kubeconfig with proxy-url', () => {
  const dir = scratchDir();
  const proxy = connectProxy();
  beforeAll(() => new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve)));
  afterAll(() => { proxy.server.closeAllConnections(); proxy.server.close(); dir.remove(); });

  it('tunnels to the API server through the proxy, with the cluster\'s TLS and the user\'s client certificate', async () => {
    const address = proxy.server.address();
    if (address === null || typeof address === 'string') throw new Error('the proxy has no port');
    const { server, caData } = testCluster();
    const admin = testKubeConfig().getCurrentUser();
    const path = writeKubeconfig(join(dir.path, 'config'),
      { server, 'certificate-authority-data': caData, 'proxy-url': `http://127.0.0.1:${address.port}` },
      { 'client-certificate-data': admin?.certData, 'client-key-data': admin?.keyData });
    await listWatchPatch(new HttpsKube(loadKubeConfig({ kind: 'kubeconfig', path })), namespace(), 'through-connect');
    expect(proxy.tunnels).toContain(new URL(server).host);
  });
});
