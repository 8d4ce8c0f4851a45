/**
 * The request metrics a mesh, an ingress controller and an instrumented app would export, under the names
 * and labels the builtin queries read (src/metrics/builtin-queries.ts), and the plain counts the data plane
 * keeps for status lines and tests.
 */
import { Counter, Histogram, Registry } from 'prom-client';
import type { AppProcess } from './pod-processes.js';

/** Requests, 5xx answers, and failures (no answer, a connection error, or 503 for no endpoints). */
export interface TrafficCounts {
  requests: number;
  errors: number;
  failures: number;
}

/** Counts of one Service as clients addressed it (the host of the request). */
export interface ServiceCounts extends TrafficCounts {
  namespace: string;
  service: string;
}

/** Counts of one version of one workload (the Deployment whose pod answered, and its image tag). */
export interface VersionCounts extends TrafficCounts {
  namespace: string;
  workload: string;
  version: string;
  /** Copies received through Istio mirroring (not in `requests`: the client never sees their answers). */
  mirrored: number;
}

/** Everything the data plane counted since it started. */
export interface DataPlaneCounts {
  total: TrafficCounts;
  services: ServiceCounts[];
  versions: VersionCounts[];
}

/** One finished request as the router saw it. */
export interface Outcome {
  service: { namespace: string; name: string };
  /** The pod's process that was asked; undefined when there was no endpoint. */
  endpoint: AppProcess | undefined;
  /** The destination Service a route picked (e.g. `podinfo-canary`). */
  destination: { namespace: string; name: string };
  status: number;
  failed: boolean;
  seconds: number;
  method: string;
  host: string;
  nginx?: { ingress: string; canary: string };
  mirrored?: boolean;
  /** Why a failed request failed: `no route`, `no endpoints`, `connection error: ECONNREFUSED`, … */
  reason?: string;
}

/** One failed request, for logs and for tests that explain a non-zero failure count. */
export interface FailureRecord {
  at: string;
  namespace: string;
  service: string;
  destination: string;
  pod: string | undefined;
  reason: string;
}

/** How many failures {@link TrafficMetrics.recentFailures} keeps. */
const KEPT_FAILURES = 100;

// Istio's default histogram buckets, in milliseconds.
const ISTIO_BUCKETS = [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000];
const SECOND_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The Prometheus registry and the counts, fed one {@link Outcome} at a time. */
export class TrafficMetrics {
  readonly registry = new Registry();
  private readonly totals: TrafficCounts = { requests: 0, errors: 0, failures: 0 };
  private readonly services = new Map<string, ServiceCounts>();
  private readonly versions = new Map<string, VersionCounts>();
  private readonly failures: FailureRecord[] = [];
  private readonly istioRequests: Counter;
  private readonly istioDuration: Histogram;
  private readonly nginxRequests: Counter;
  private readonly nginxRequestDuration: Histogram;
  private readonly nginxResponseDuration: Histogram;
  private readonly appDuration: Histogram;

  constructor() {
    const registers = [this.registry];
    const istioLabels = ['reporter', 'source_workload', 'source_workload_namespace', 'destination_workload', 'destination_workload_namespace',
      'destination_service', 'destination_service_name', 'destination_service_namespace', 'destination_app', 'destination_version', 'response_code', 'request_protocol'];
    this.istioRequests = new Counter({ name: 'istio_requests_total', help: 'Requests seen by the destination sidecar', labelNames: istioLabels, registers });
    this.istioDuration = new Histogram({ name: 'istio_request_duration_milliseconds', help: 'Request duration (ms) seen by the destination sidecar',
      labelNames: istioLabels, buckets: ISTIO_BUCKETS, registers });
    const nginxLabels = ['controller_class', 'controller_namespace', 'controller_pod', 'host', 'ingress', 'method', 'namespace', 'path', 'service', 'status', 'canary'];
    this.nginxRequests = new Counter({ name: 'nginx_ingress_controller_requests', help: 'Requests served by the ingress controller', labelNames: nginxLabels, registers });
    this.nginxRequestDuration = new Histogram({ name: 'nginx_ingress_controller_request_duration_seconds', help: 'Request processing time (s)',
      labelNames: nginxLabels, buckets: SECOND_BUCKETS, registers });
    this.nginxResponseDuration = new Histogram({ name: 'nginx_ingress_controller_response_duration_seconds', help: 'Upstream response time (s)',
      labelNames: nginxLabels, buckets: SECOND_BUCKETS, registers });
    this.appDuration = new Histogram({ name: 'http_request_duration_seconds', help: 'Request duration (s) as the app measures it',
      labelNames: ['kubernetes_namespace', 'kubernetes_pod_name', 'method', 'status'], buckets: SECOND_BUCKETS, registers });
  }

  record(o: Outcome): void {
    const error = !o.failed && o.status >= 500;
    if (!o.mirrored) this.countService(o, error);
    if (o.failed) this.keepFailure(o);
    const p = o.endpoint;
    if (p === undefined) return;
    const vkey = `${p.namespace}/${p.workload}/${p.version}`;
    const v = this.versions.get(vkey) ?? { namespace: p.namespace, workload: p.workload, version: p.version, requests: 0, errors: 0, failures: 0, mirrored: 0 };
    this.versions.set(vkey, v);
    if (o.mirrored) v.mirrored += 1;
    else add(v, o.failed, error);
    // A destination sidecar sees only requests its pod answered; a refused connection is reported by the source.
    if (!o.failed) this.observe(o, p);
  }

  /** The latest failed requests, oldest first. */
  recentFailures(): FailureRecord[] {
    return this.failures.map((f) => ({ ...f }));
  }

  private keepFailure(o: Outcome): void {
    this.failures.push({
      at: new Date().toISOString(), namespace: o.service.namespace, service: o.service.name, destination: o.destination.name,
      pod: o.endpoint?.pod, reason: o.reason ?? 'failed',
    });
    if (this.failures.length > KEPT_FAILURES) this.failures.shift();
  }

  private countService(o: Outcome, error: boolean): void {
    add(this.totals, o.failed, error);
    const key = `${o.service.namespace}/${o.service.name}`;
    const s = this.services.get(key) ?? { namespace: o.service.namespace, service: o.service.name, requests: 0, errors: 0, failures: 0 };
    this.services.set(key, s);
    add(s, o.failed, error);
  }

  private observe(o: Outcome, p: AppProcess): void {
    const code = String(o.status);
    const istio = {
      reporter: 'destination', source_workload: 'unknown', source_workload_namespace: 'unknown',
      destination_workload: p.workload, destination_workload_namespace: p.namespace,
      destination_service: `${o.destination.name}.${o.destination.namespace}.svc.cluster.local`,
      destination_service_name: o.destination.name, destination_service_namespace: o.destination.namespace,
      destination_app: p.labels.app ?? p.workload, destination_version: p.version, response_code: code, request_protocol: 'http',
    };
    this.istioRequests.inc(istio);
    this.istioDuration.observe(istio, o.seconds * 1000);
    this.appDuration.observe({ kubernetes_namespace: p.namespace, kubernetes_pod_name: p.pod, method: o.method, status: code }, o.seconds);
    if (o.nginx === undefined || o.mirrored === true) return;
    const labels = {
      controller_class: 'k8s.io/ingress-nginx', controller_namespace: 'ingress-nginx', controller_pod: 'data-plane', host: o.host,
      ingress: o.nginx.ingress, method: o.method, namespace: o.destination.namespace, path: '/', service: o.destination.name, status: code, canary: o.nginx.canary,
    };
    this.nginxRequests.inc(labels);
    this.nginxRequestDuration.observe(labels, o.seconds);
    this.nginxResponseDuration.observe(labels, o.seconds);
  }

  counts(): DataPlaneCounts {
    return {
      total: { ...this.totals },
      services: [...this.services.values()].map((s) => ({ ...s })),
      versions: [...this.versions.values()].map((v) => ({ ...v })),
    };
  }
}

function add(c: TrafficCounts, failed: boolean, error: boolean): void {
  c.requests += 1;
  if (failed) c.failures += 1;
  if (error) c.errors += 1;
}
