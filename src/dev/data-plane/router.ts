import { Agent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Ingress, Service } from '../../kube/resources.js';
import type { VirtualService } from '../../routers/istio-objects.js';
import { routeByIngress } from './ingress-routing.js';
import { routeByVirtualService, serviceOfHost, virtualServiceServes, type RoutedRequest, type ServiceRef } from './istio-routing.js';
import type { AppProcess } from './pod-processes.js';
import type { Outcome, TrafficMetrics } from './traffic-metrics.js';

/** What the router reads of the cluster, always current (informer caches). */
export interface ClusterView {
  service(ref: ServiceRef): Service | undefined;
  virtualServices(namespace: string): VirtualService[];
  ingresses(): Ingress[];
  /** The processes answering for a Service (see PodProcesses). */
  endpoints(ref: ServiceRef, service: Service | undefined): AppProcess[];
}

/** A routing decision: the Service that answers, a Service that gets a copy, and ingress metric labels. */
interface Decision {
  destination: ServiceRef;
  mirror?: ServiceRef;
  nginx?: Outcome['nginx'];
}

/** One request to send to an endpoint's port. */
interface Upstream {
  port: number;
  req: IncomingMessage;
  routed: RoutedRequest;
  body: Buffer;
}

/** An upstream that does not answer within this long counts as "no answer". */
const UPSTREAM_TIMEOUT_MS = 15_000;

/**
 * The HTTP forward proxy every client sends through, playing cluster DNS, kube-proxy, the Istio sidecars and
 * the ingress controllers at once. It takes requests in absolute form (`GET http://podinfo.test:9898/`) and
 * CONNECT tunnels (undici's ProxyAgent tunnels plain HTTP too); inside a tunnel the Host header names the
 * target. A host that an Ingress rule names is routed by that Ingress (NGINX canary or ALB action); any other
 * host is a Service (`<svc>.<ns>[.svc.cluster.local]`), routed by the VirtualService that serves it if any.
 * The chosen Service's Ready endpoints are balanced round-robin.
 */
export class Router {
  private readonly server: Server;
  private readonly tunnelled: Server;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 256 });
  private readonly next = new Map<string, number>();
  private readonly sockets = new Set<Socket>();

  constructor(private readonly view: ClusterView, private readonly metrics: TrafficMetrics, private readonly random: () => number = Math.random) {
    const handler = (req: IncomingMessage, res: ServerResponse): void => void this.handle(req, res);
    this.tunnelled = createServer(handler);
    this.server = createServer(handler);
    this.server.on('connect', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) socket.unshift(head);
      this.tunnelled.emit('connection', socket);
    });
    for (const s of [this.server, this.tunnelled]) {
      s.on('connection', (socket: Socket) => {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
      });
    }
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    this.agent.destroy();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const routed = routedOf(req);
    const body = await readBody(req);
    const requested = serviceOfHost(routed.host, 'default') ?? { namespace: 'default', name: routed.host };
    const decision = this.decide(routed, requested);
    const base = baseOutcome(routed, requested, decision);
    const endpoint = decision === undefined ? undefined : this.pick(decision.destination);
    if (decision === undefined || endpoint?.port === undefined) {
      const status = decision === undefined ? 502 : 503;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(decision === undefined ? `no route to host ${routed.host}\n` : 'no healthy upstream\n');
      this.metrics.record({ ...base, endpoint: undefined, status, failed: true, seconds: 0, reason: decision === undefined ? 'no route' : 'no endpoints' });
      return;
    }
    if (decision.mirror !== undefined) void this.mirror(decision.mirror, req, routed, body);
    const answer = await this.forward({ port: endpoint.port, req, routed, body }, res);
    this.metrics.record({ ...base, endpoint, ...answer, seconds: (performance.now() - started) / 1000 });
  }

  private decide(req: RoutedRequest, requested: ServiceRef): Decision | undefined {
    const viaIngress = routeByIngress(this.view.ingresses(), req, this.random);
    if (viaIngress !== undefined) {
      return viaIngress.provider === 'nginx'
        ? { destination: viaIngress.destination, nginx: { ingress: viaIngress.ingress, canary: viaIngress.canary } }
        : { destination: viaIngress.destination };
    }
    const vs = this.view.virtualServices(requested.namespace).find((v) => virtualServiceServes(v, requested));
    if (vs !== undefined) return routeByVirtualService(vs, req, this.random);
    return this.view.service(requested) === undefined ? undefined : { destination: requested };
  }

  /** The next Ready endpoint of `ref`, round-robin. */
  private pick(ref: ServiceRef): AppProcess | undefined {
    const svc = this.view.service(ref);
    const endpoints = this.view.endpoints(ref, svc);
    if (endpoints.length === 0) return undefined;
    const key = `${ref.namespace}/${ref.name}`;
    const n = this.next.get(key) ?? 0;
    this.next.set(key, n + 1);
    return endpoints[n % endpoints.length];
  }

  private async mirror(ref: ServiceRef, req: IncomingMessage, routed: RoutedRequest, body: Buffer): Promise<void> {
    const endpoint = this.pick(ref);
    if (endpoint?.port === undefined) return;
    const started = performance.now();
    const answer = await this.forward({ port: endpoint.port, req, routed, body }, undefined);
    this.metrics.record({
      service: ref, destination: ref, endpoint, ...answer, mirrored: true,
      seconds: (performance.now() - started) / 1000, method: routed.method, host: `${routed.host}-shadow`,
    });
  }

  /** Sends the request to the endpoint and copies the answer to `res` (a mirror passes none: its answer is dropped). */
  private forward(call: Upstream, res: ServerResponse | undefined): Promise<{ status: number; failed: boolean; reason?: string }> {
    const { port, req, routed, body } = call;
    return new Promise((resolve) => {
      const headers: Record<string, string | string[] | undefined> = { ...req.headers, host: routed.host };
      delete headers['proxy-connection'];
      delete headers['proxy-authorization'];
      const upstream = request({ host: '127.0.0.1', port, method: routed.method, path: routed.path, headers, agent: this.agent, timeout: UPSTREAM_TIMEOUT_MS }, (answer) => {
        const status = answer.statusCode ?? 502;
        if (res === undefined) {
          answer.resume();
          answer.on('end', () => resolve({ status, failed: false }));
          return;
        }
        res.writeHead(status, answer.headers);
        answer.pipe(res);
        answer.on('end', () => resolve({ status, failed: false }));
        answer.on('error', (error) => resolve({ status, failed: true, reason: `reset after headers: ${errorCode(error)}` }));
      });
      upstream.on('timeout', () => upstream.destroy(new Error('upstream timeout')));
      upstream.on('error', (error) => {
        // Envoy answers 503 (upstream connect failure / reset) when the pod does not answer.
        if (res !== undefined && !res.headersSent) res.writeHead(503, { 'content-type': 'text/plain' }).end('upstream connect error or disconnect/reset before headers\n');
        else res?.destroy();
        resolve({ status: 503, failed: true, reason: `connection error: ${errorCode(error)}` });
      });
      upstream.end(body);
    });
  }
}

/** The target host and path: from an absolute-form URL, else from the Host header (inside a CONNECT tunnel). */
function routedOf(req: IncomingMessage): RoutedRequest {
  const raw = req.url ?? '/';
  const method = req.method ?? 'GET';
  if (/^https?:\/\//i.test(raw)) {
    const url = new URL(raw);
    return { host: url.hostname, path: `${url.pathname}${url.search}`, method, headers: req.headers };
  }
  return { host: (req.headers.host ?? '').replace(/:\d+$/, ''), path: raw, method, headers: req.headers };
}

/**
 * The outcome fields known before the answer. A request is counted under the Service the client asked
 * for, or, through an NGINX Ingress, under that Ingress.
 */
function baseOutcome(routed: RoutedRequest, requested: ServiceRef, decision: Decision | undefined): Omit<Outcome, 'endpoint' | 'status' | 'failed' | 'seconds'> {
  const destination = decision?.destination ?? requested;
  const base = { service: requested, destination, method: routed.method, host: routed.host };
  if (decision?.nginx === undefined) return base;
  return { ...base, service: { namespace: destination.namespace, name: decision.nginx.ingress }, nginx: decision.nginx };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', () => resolve(Buffer.concat(chunks)));
  });
}

function errorCode(error: Error): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : error.message;
}
