/**
 * The local data plane (development tooling; never imported by the operator's entry point): real HTTP
 * traffic on a cluster whose pods kwok simulates. One app process per pod answers like podinfo; one router
 * (an HTTP forward proxy) splits requests as the VirtualServices and Ingresses on the API server say and
 * exports the metrics the builtin checks query. See README "Local data plane".
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock } from '../../adapters/system-clock.js';
import { Resources, type EndpointSlice, type Ingress, type Service } from '../../kube/resources.js';
import type { Kube, ResourceType } from '../../ports/kube.js';
import type { Logger } from '../../ports/logger.js';
import { ResourceCache } from '../../reconciler/resource-cache.js';
import type { VirtualService } from '../../routers/istio/istio-objects.js';
import { PodProcesses, type AppProcess } from './pod-processes.js';
import { Router } from './router.js';
import { TrafficMetrics, type DataPlaneCounts, type FailureRecord } from './traffic-metrics.js';

export type { AppProcess } from './pod-processes.js';
export type { DataPlaneCounts, FailureRecord, ServiceCounts, TrafficCounts, VersionCounts } from './traffic-metrics.js';

export interface DataPlaneOptions {
  kube: Kube;
  /** Folder for the data plane's files (kept for logs; nothing is written today). */
  runDir: string;
  logger: Logger;
  /** Serve only this namespace's pods, Services and routing objects (all namespaces when undefined). */
  namespace?: string;
}

export interface DataPlane {
  /** host:port targets for Prometheus to scrape (the router's mesh, ingress and app metrics). */
  scrapeTargets(): string[];
  /**
   * http://127.0.0.1:<port> — an HTTP forward proxy: requests in absolute form (http://podinfo.test:9898/ or
   * http://podinfo-canary.test/) and CONNECT tunnels are routed as cluster DNS and the routing objects route them.
   */
  readonly proxyUrl: string;
  /** Counters per Service and per version: requests, errors (5xx answers), failures (no answer, connection error, 503 no endpoints). */
  counts(): DataPlaneCounts;
  /** The latest failed requests (up to 100), oldest first, with the reason: what a non-zero failure count was. */
  recentFailures(): FailureRecord[];
  /** The app processes, one per pod (tests crash one by its pid). */
  processes(): AppProcess[];
  stop(): Promise<void>;
}

/** How often the VirtualService kind is looked for again while its CRD is not installed. */
const CRD_RETRY_MS = 5_000;

/**
 * Starts the data plane: informers on Pods, Services, Ingresses and VirtualServices, one app process per
 * scheduled pod, the router and the metrics endpoint, each on a port the kernel picks. Resolves once the
 * caches are filled; `stop()` ends every process it started.
 */
export async function startDataPlane(options: DataPlaneOptions): Promise<DataPlane> {
  const { kube, logger, namespace } = options;
  const cache = <T extends EndpointSlice | Ingress | Service | VirtualService>(type: ResourceType<T>): ResourceCache<T> =>
    new ResourceCache<T>({ kube, clock: systemClock, logger, type, relistIntervalMs: 60_000, ...(namespace === undefined ? {} : { namespace }) });
  const services = cache(Resources.services);
  const ingresses = cache(Resources.ingresses);
  const slices = cache(Resources.endpointSlices);
  const virtualServices = cache(Resources.virtualServices as ResourceType<VirtualService>);
  const pods = new PodProcesses(kube, logger, namespace);
  const metrics = new TrafficMetrics();
  let stopped = false;
  let retry: ReturnType<typeof setTimeout> | undefined;
  const startVirtualServices = async (): Promise<void> => {
    try {
      await virtualServices.start();
    } catch (error) {
      // The Istio CRDs may be installed after the data plane starts: until then no VirtualService routes.
      logger.debug('VirtualServices not served yet; retrying', { error: String(error) });
      if (!stopped) retry = setTimeout(() => void startVirtualServices(), CRD_RETRY_MS);
    }
  };
  const stopCaches = (): void => {
    stopped = true;
    clearTimeout(retry);
    for (const c of [services, ingresses, slices, virtualServices]) c.stop();
  };
  try {
    await Promise.all([services.start(), ingresses.start(), slices.start(), pods.start(), startVirtualServices()]);
  } catch (error) {
    stopCaches();
    await pods.stop();
    throw error;
  }
  const router = new Router({
    service: (ref) => services.get(ref.namespace, ref.name),
    virtualServices: (namespace) => (virtualServices.isSynced() ? virtualServices.list(namespace) : []),
    ingresses: () => ingresses.list(),
    endpoints: (ref, service) => {
      // EndpointSlices, as kube-proxy reads them, where the endpointslice controller runs (the full local
      // cluster); the Service's selector over pods where it does not (an API server alone).
      const own = slices.list(ref.namespace).filter((s) => s.metadata.labels?.['kubernetes.io/service-name'] === ref.name);
      const selector = service?.spec?.selector;
      return own.length > 0 ? pods.sliceEndpoints(ref.namespace, own, selector) : pods.endpoints(ref.namespace, selector);
    },
  }, metrics);
  const proxyPort = await router.listen();
  const metricsServer = await serveMetrics(metrics);
  const metricsPort = (metricsServer.address() as AddressInfo).port;
  logger.info('data plane started', { proxy: `http://127.0.0.1:${proxyPort}`, metrics: `127.0.0.1:${metricsPort}` });
  return {
    proxyUrl: `http://127.0.0.1:${proxyPort}`,
    scrapeTargets: () => [`127.0.0.1:${metricsPort}`],
    counts: () => metrics.counts(),
    recentFailures: () => metrics.recentFailures(),
    processes: () => pods.list(),
    stop: async () => {
      stopCaches();
      await router.close();
      const closed = new Promise<void>((resolve) => metricsServer.close(() => resolve()));
      metricsServer.closeAllConnections();
      await closed;
      await pods.stop();
    },
  };
}

async function serveMetrics(metrics: TrafficMetrics): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    metrics.registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      (error: unknown) => res.writeHead(500).end(String(error)),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}
