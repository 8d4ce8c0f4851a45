/**
 * Series shaped like ingress-nginx's request metrics, for e2e tests of the builtin `nginx` queries.
 *
 * ingress-nginx merges a canary Ingress into the location of the Ingress it shadows, so a request is counted
 * under the SOURCE Ingress's name (`ingress`), with the name of the alternative upstream that served it in
 * `canary` (`<namespace>-<service>-canary-<port>`) or an empty `canary` when the primary served it.
 */

/** Requests per second by outcome, and the mean response time, of one upstream. */
export interface NginxTraffic { ok: number; errors: number; latencyMs: number }

/** What the controller reports for one source Ingress: the canary upstream, and the stable one behind it. */
export interface NginxIngressTraffic {
  namespace: string;
  /** The source (`ingressRef`) Ingress. */
  ingress: string;
  /** The apex Service its backend names. */
  service: string;
  canary: NginxTraffic;
  primary: NginxTraffic;
}

const HOST = 'app.example.com';

function upstreamSeries(labels: string, t: NginxTraffic, elapsedSeconds: number): string[] {
  const total = (t.ok + t.errors) * elapsedSeconds;
  return [
    `nginx_ingress_controller_requests{${labels},status="200"} ${t.ok * elapsedSeconds}`,
    `nginx_ingress_controller_requests{${labels},status="503"} ${t.errors * elapsedSeconds}`,
    `nginx_ingress_controller_response_duration_seconds_sum{${labels}} ${(t.latencyMs / 1000) * total}`,
    `nginx_ingress_controller_response_duration_seconds_count{${labels}} ${total}`,
  ];
}

/**
 * The exposition text at `elapsedSeconds` after the start. Counters grow linearly from 0, so `rate()` over
 * them is exactly the configured rate (and the duration ratio exactly the configured latency).
 */
export function nginxSeries(ingresses: Iterable<NginxIngressTraffic>, elapsedSeconds: number): string {
  const lines = [
    '# TYPE nginx_ingress_controller_requests counter',
    '# TYPE nginx_ingress_controller_response_duration_seconds_sum counter',
    '# TYPE nginx_ingress_controller_response_duration_seconds_count counter',
  ];
  for (const i of ingresses) {
    const common = `namespace="${i.namespace}",ingress="${i.ingress}",service="${i.service}",host="${HOST}",method="GET",path="/"`;
    lines.push(...upstreamSeries(`${common},canary="${i.namespace}-${i.service}-canary-80"`, i.canary, elapsedSeconds));
    // An empty label is no label to Prometheus: this is the stable traffic that `canary!=""` must leave out.
    lines.push(...upstreamSeries(`${common},canary=""`, i.primary, elapsedSeconds));
  }
  return `${lines.join('\n')}\n`;
}
