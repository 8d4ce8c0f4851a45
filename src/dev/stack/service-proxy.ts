import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A forward proxy that resolves a few cluster Service names to loopback ports. */
export interface ServiceProxy {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Where an absolute-form request goes: a Service of `services` (`flagger-loadtester.test`, also spelt
 * `flagger-loadtester.test.svc` or `flagger-loadtester.test.svc.cluster.local`, any port) maps to its loopback
 * `host:port`; anything else goes to `upstream` (another forward proxy), or nowhere.
 */
export function route(target: URL, services: ReadonlyMap<string, string>, upstream: URL | undefined): { kind: 'service'; hostPort: string } | { kind: 'upstream'; proxy: URL } | { kind: 'none' } {
  const name = target.hostname.replace(/\.svc(\.cluster\.local)?\.?$/, '');
  const hostPort = services.get(name);
  if (hostPort !== undefined) return { kind: 'service', hostPort };
  return upstream === undefined ? { kind: 'none' } : { kind: 'upstream', proxy: upstream };
}

/**
 * On the local cluster no DNS resolves Service names, so the development entry gives the operator (through
 * `HTTP_PROXY`) this proxy: requests to the load tester's Service reach the load tester process, and every
 * other request goes on to the data plane's proxy, which routes it as the cluster's network would.
 */
export async function startServiceProxy(opts: { services: ReadonlyMap<string, string>; upstream?: string }): Promise<ServiceProxy> {
  const upstream = opts.upstream === undefined ? undefined : new URL(opts.upstream);
  const server = createServer((req, res) => forward(req, res, opts.services, upstream));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function forward(req: IncomingMessage, res: ServerResponse, services: ReadonlyMap<string, string>, upstream: URL | undefined): void {
  let target: URL;
  try {
    target = new URL(req.url ?? '');
  } catch {
    res.writeHead(400).end('absolute-form request URL expected\n');
    return;
  }
  const where = route(target, services, upstream);
  if (where.kind === 'none') {
    res.writeHead(502).end(`no route to ${target.host}\n`);
    return;
  }
  const [host, port] = where.kind === 'service' ? where.hostPort.split(':') : [where.proxy.hostname, where.proxy.port];
  const path = where.kind === 'service' ? target.pathname + target.search : target.href;
  const out = request({ host, port, method: req.method, path, headers: req.headers }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  out.on('error', (error) => {
    if (!res.headersSent) res.writeHead(502);
    res.end(`${error.message}\n`);
  });
  req.pipe(out);
}
