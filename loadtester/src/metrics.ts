/**
 * The load tester's Prometheus metrics, registered on an injected prom-client Registry (never the global
 * one). Load-test samples go through per-run recorders that cache their label children, so recording a
 * request costs a couple of array lookups rather than a label-hash per metric.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Records the samples of one load test (one canary). */
export interface SampleRecorder {
  /** One finished request: HTTP status (0 = no response) and latency in milliseconds. */
  record(status: number, latencyMs: number): void;
}

/** Typed access to the load tester's metrics. */
export interface LoadTesterMetrics {
  /**
   * A recorder for the requests a load test sends on behalf of `canary` (`name.namespace`); `codeLabel`
   * names a status in the `code` label (default: the HTTP code as a number; gRPC tasks pass `OK`, `UNAVAILABLE`, …).
   */
  samplesFor(canary: string, codeLabel?: (status: number) => string): SampleRecorder;
  taskStarted(type: string): void;
  taskFinished(type: string, result: 'succeeded' | 'failed'): void;
  gateChecked(gate: 'gate' | 'rollback', approved: boolean): void;
}

/** Latency buckets in seconds, from 1 ms to 10 s. */
const latencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Registers the metrics on `registry` and returns their typed facade. */
export function createMetrics(registry: Registry): LoadTesterMetrics {
  const { requests, duration, tasks, running, gateChecks } = defineMetrics(registry);
  return {
    samplesFor: (canary, codeLabel = String) => sampleRecorder(requests, duration.labels({ canary }), canary, codeLabel),
    taskStarted: (type) => running.inc({ type }),
    taskFinished: (type, result) => {
      running.dec({ type });
      tasks.inc({ type, result });
    },
    gateChecked: (gate, approved) => gateChecks.inc({ gate, approved: String(approved) }),
  };
}

// eslint-disable-next-line @typescript-eslint/explicit-function-return-type -- the inferred label types are the point
function defineMetrics(registry: Registry) {
  const requests = new Counter({
    name: 'songbird_loadtester_requests_total',
    help: 'Requests sent by load tests, by canary and status: the HTTP code ("0" = no response) or the gRPC status name.',
    labelNames: ['canary', 'code'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'songbird_loadtester_request_duration_seconds',
    help: 'Latency of the requests sent by load tests, by canary.',
    labelNames: ['canary'] as const,
    buckets: latencyBuckets,
    registers: [registry],
  });
  const tasks = new Counter({
    name: 'songbird_loadtester_tasks_total',
    help: 'Tasks finished, by type and result.',
    labelNames: ['type', 'result'] as const,
    registers: [registry],
  });
  const running = new Gauge({
    name: 'songbird_loadtester_tasks_running',
    help: 'Tasks running now, by type.',
    labelNames: ['type'] as const,
    registers: [registry],
  });
  const gateChecks = new Counter({
    name: 'songbird_loadtester_gate_checks_total',
    help: 'Gate and rollback checks, by gate kind and answer.',
    labelNames: ['gate', 'approved'] as const,
    registers: [registry],
  });
  return { requests, duration, tasks, running, gateChecks };
}

function sampleRecorder(
  requests: Counter<'canary' | 'code'>,
  latency: { observe(value: number): void },
  canary: string,
  codeLabel: (status: number) => string,
): SampleRecorder {
  const byCode: ({ inc(): void } | undefined)[] = [];
  return {
    record: (status, latencyMs) => {
      let counter = byCode[status];
      if (counter === undefined) {
        counter = requests.labels({ canary, code: codeLabel(status) });
        byCode[status] = counter;
      }
      counter.inc();
      latency.observe(latencyMs / 1000);
    },
  };
}
