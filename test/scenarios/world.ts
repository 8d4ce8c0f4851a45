import type { GetMetricDataCommandInput, GetMetricDataCommandOutput } from '@aws-sdk/client-cloudwatch';
import { Registry } from 'prom-client';
import { parseConfig } from '../../src/config.js';
import { CanaryResource, createClusterCaches, startClusterCaches, stopClusterCaches, type ClusterCaches } from '../../src/reconciler/cluster-caches.js';
import { Controller } from '../../src/reconciler/controller.js';
import { OnDemandCaches } from '../../src/reconciler/on-demand-caches.js';
import { Resources, type Deployment } from '../../src/kube/resources.js';
import { silentLogger, type Logger } from '../../src/ports/logger.js';
import type { KubeObject, ResourceType } from '../../src/ports/kube.js';
import type { CanaryStatus } from '../../src/api/canary-status.js';
import { createDomainBus, type CanaryNotice } from '../../src/telemetry/domain-events.js';
import { Recorder } from '../../src/telemetry/recorder.js';
import { ProviderCache } from '../../src/metrics/provider-cache.js';
import { FakeClock, settle } from '../fakes/fake-clock.js';
import { FakeElbV2 } from '../fakes/fake-elbv2.js';
import { FakeKube } from '../fakes/fake-kube.js';
import { HttpError } from '../../src/webhooks/http-port.js';

/**
 * A cluster in memory with the real controller, caches and scheduler on a fake clock. Helpers play the parts
 * of kube-controller-manager and the kubelet (`makeReady`), so scenarios read tick by tick.
 */
export class World {
  readonly kube = new FakeKube();
  readonly clock = new FakeClock();
  /** ELBv2 in memory, for ALB canaries (scenarios play the load balancer controller on it). */
  readonly elbv2 = new FakeElbV2();
  readonly bus = createDomainBus();
  readonly notices: CanaryNotice[] = [];
  readonly caches: ClusterCaches;
  readonly controller: Controller;
  readonly providerCaches: OnDemandCaches;
  private ids = 0;
  /** Webhook answers by URL (default 200), and every payload (with its headers) received. */
  readonly hookStatus = new Map<string, number>();
  readonly hookCalls: { url: string; body: unknown; headers?: Record<string, string> }[] = [];
  /** Hosts (a Prometheus, a webhook) that never answer: each request fails when its own timeout has passed. */
  readonly hungHosts = new Set<string>();
  /** The value every PromQL query returns (a number; `NaN` or `null` for no data). */
  metricValue: number | null = 100;
  /** What CloudWatch reports for every ALB target group (`null`: no datapoints), and every request it got. */
  albTraffic: { requests: number; errors: number } | null = { requests: 1000, errors: 0 };
  readonly cloudWatchRequests: GetMetricDataCommandInput[] = [];

  constructor(flags: string[] = [], logger: Logger = silentLogger) {
    this.caches = createClusterCaches({ kube: this.kube, clock: this.clock, logger });
    this.providerCaches = new OnDemandCaches({ kube: this.kube, clock: this.clock, logger });
    const config = parseConfig(flags, {});
    this.controller = new Controller({
      kube: this.kube, caches: this.caches, clock: this.clock, logger, bus: this.bus,
      recorder: new Recorder(new Registry(), { version: 'test', meshProvider: config.meshProvider }), config,
      newId: () => `id-${++this.ids}`,
      providerObjects: this.providerCaches.reader(),
      elbv2: this.elbv2,
      analysis: {
        webhooks: {
          http: {
            post: (url, body, options) => this.hang(url, options.timeoutMs, () => new HttpError('timeout', `timeout of ${options.timeoutMs}ms exceeded`))
              ?? this.answerHook(url, body, options.headers),
          },
          clock: this.clock, secrets: (ns, name) => this.caches.secrets.read(ns, name),
        },
        metrics: {
          http: {
            get: (url, options) => this.hang(url, options.timeoutMs, () => new Error(`GET ${url.split('?')[0] ?? url} timed out after ${options.timeoutMs} ms`)) ?? this.answerQuery(),
            post: (url) => Promise.reject(new Error(`no metric provider of a scenario POSTs (${url})`)),
          },
          providers: new ProviderCache(), metricsServer: 'http://prometheus.test:9090',
          awsRegion: 'us-east-1', cloudWatch: () => ({ getMetricData: (input) => this.answerCloudWatch(input) }),
        },
      },
    }, { maxConcurrentTicks: config.maxConcurrentAnalyses });
    this.bus.on('notice', (n) => this.notices.push(n));
  }

  async start(): Promise<this> {
    this.controller.attach();
    await startClusterCaches(this.caches);
    this.controller.start();
    await settle();
    return this;
  }

  async stop(): Promise<void> {
    await this.controller.stop();
    stopClusterCaches(this.caches);
    this.providerCaches.stop();
  }

  async create(type: 'deployment' | 'configmap' | 'canary', object: KubeObject): Promise<void> {
    const resource: ResourceType = type === 'deployment' ? Resources.deployments : type === 'configmap' ? Resources.configMaps : CanaryResource;
    await this.kube.create(resource, object);
    await settle();
  }

  deployment(name: string, namespace = 'test'): Promise<Deployment | undefined> {
    return this.kube.get(Resources.deployments, namespace, name);
  }

  async canaryStatus(name = 'podinfo', namespace = 'test'): Promise<CanaryStatus> {
    return ((await this.kube.get(CanaryResource, namespace, name))?.status ?? {});
  }

  /** Plays the deployment controller and kubelet: every replica updated, ready and available. */
  async makeReady(name: string, namespace = 'test'): Promise<void> {
    const d = await this.deployment(name, namespace);
    if (d === undefined) throw new Error(`no deployment ${name}`);
    const replicas = d.spec?.replicas ?? 1;
    await this.kube.patch(Resources.deployments, { namespace, name }, {
      status: { observedGeneration: d.metadata.generation, replicas, updatedReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas },
    }, { subresource: 'status' });
    await settle();
  }

  async patchDeployment(name: string, patch: unknown, namespace = 'test'): Promise<void> {
    await this.kube.patch(Resources.deployments, { namespace, name }, patch);
    await settle();
  }

  async setImage(name: string, image: string, namespace = 'test'): Promise<void> {
    const d = await this.deployment(name, namespace);
    const containers = (d?.spec?.template.spec?.containers ?? []).map((c) => ({ ...c, image }));
    await this.patchDeployment(name, { spec: { template: { spec: { containers } } } }, namespace);
  }

  /** Moves the fake clock (timers fire: scheduled ticks run). */
  async advance(ms: number): Promise<void> {
    await this.clock.advance(ms);
  }

  // A request to a hung host rejects once its timeout has passed on the fake clock, as the HTTP client does.
  private hang(url: string, timeoutMs: number, error: () => Error): Promise<never> | undefined {
    if (!this.hungHosts.has(new URL(url).host)) return undefined;
    return this.clock.sleep(timeoutMs).then(() => { throw error(); });
  }

  private answerHook(url: string, body: unknown, headers?: Record<string, string>): Promise<{ status: number; body: string; headers: Record<string, string> }> {
    this.hookCalls.push({ url, body, ...(headers === undefined ? {} : { headers }) });
    const status = this.hookStatus.get(url) ?? 200;
    return Promise.resolve({ status, body: status < 300 ? 'OK' : 'Forbidden', headers: {} });
  }

  // A Prometheus instant-query answer: one sample, or no series at all.
  private answerQuery(): Promise<{ status: number; body: string }> {
    const result = this.metricValue === null ? [] : [{ metric: {}, value: [this.clock.now() / 1000, String(this.metricValue)] }];
    return Promise.resolve({ status: 200, body: JSON.stringify({ status: 'success', data: { resultType: 'vector', result } }) });
  }

  // One datapoint per query: RequestCount and HTTPCode_Target_5XX_Count sums from `albTraffic`.
  private answerCloudWatch(input: GetMetricDataCommandInput): Promise<GetMetricDataCommandOutput> {
    this.cloudWatchRequests.push(input);
    const traffic = this.albTraffic;
    const results = (input.MetricDataQueries ?? []).map((q) => {
      const name = q.MetricStat?.Metric?.MetricName;
      const value = name === 'RequestCount' ? traffic?.requests : name === 'HTTPCode_Target_5XX_Count' ? traffic?.errors : undefined;
      return { Id: q.Id, StatusCode: 'Complete' as const, Timestamps: value === undefined ? [] : [input.StartTime ?? new Date()], Values: value === undefined ? [] : [value] };
    });
    return Promise.resolve({ MetricDataResults: results, $metadata: {} });
  }

  messages(): string[] {
    return this.notices.map((n) => n.message);
  }
}
