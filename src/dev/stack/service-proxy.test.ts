import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { route, startServiceProxy, type ServiceProxy } from './service-proxy.js';

const services = new Map([['flagger-loadtester.test', '127.0.0.1:8090']]);

/** GET `target` through the forward proxy at `proxy`: status and body. */
function viaProxy(proxy: string, target: string, body?: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(proxy);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path: target, method: body === undefined ? 'GET' : 'POST' }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A loopback server answering `<name> <method> <url> <body>`. */
async function echo(name: string): Promise<{ server: Server; hostPort: string }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => res.end(`${name} ${req.method ?? ''} ${req.url ?? ''} ${body}`));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, hostPort: `127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('the local service proxy', () => {
  const servers: Server[] = [];
  let proxy: ServiceProxy | undefined;
  afterEach(async () => {
    await proxy?.stop();
    for (const s of servers.splice(0)) s.close();
  });

  it('resolves a Service by name.namespace, with or without .svc.cluster.local, and sends the rest upstream', () => {
    const upstream = new URL('http://127.0.0.1:9000');
    expect(route(new URL('http://flagger-loadtester.test/'), services, upstream)).toEqual({ kind: 'service', hostPort: '127.0.0.1:8090' });
    expect(route(new URL('http://flagger-loadtester.test.svc.cluster.local:80/gate'), services, upstream)).toEqual({ kind: 'service', hostPort: '127.0.0.1:8090' });
    expect(route(new URL('http://podinfo-canary.test:9898/'), services, upstream)).toEqual({ kind: 'upstream', proxy: upstream });
    expect(route(new URL('http://podinfo-canary.test:9898/'), services, undefined)).toEqual({ kind: 'none' });
  });

  it('delivers a webhook POST to the process behind the Service, and other hosts to the upstream proxy in absolute form', async () => {
    const loadTester = await echo('loadtester');
    const dataPlane = await echo('dataplane');
    servers.push(loadTester.server, dataPlane.server);
    proxy = await startServiceProxy({ services: new Map([['flagger-loadtester.test', loadTester.hostPort]]), upstream: `http://${dataPlane.hostPort}` });
    expect(await viaProxy(proxy.url, 'http://flagger-loadtester.test/', '{"name":"podinfo"}')).toEqual({ status: 200, body: 'loadtester POST / {"name":"podinfo"}' });
    expect(await viaProxy(proxy.url, 'http://podinfo-canary.test:9898/healthz')).toEqual({ status: 200, body: 'dataplane GET http://podinfo-canary.test:9898/healthz ' });
  });

  it('answers 502 naming the host when nothing routes it', async () => {
    proxy = await startServiceProxy({ services });
    expect(await viaProxy(proxy.url, 'http://nowhere.test/')).toEqual({ status: 502, body: 'no route to nowhere.test\n' });
  });
});
