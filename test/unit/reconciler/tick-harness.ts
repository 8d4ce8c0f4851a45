import { Registry } from 'prom-client';
import { parseConfig } from '../../../src/config.js';
import { parseCanary } from '../../../src/api/validate.js';
import { Resources } from '../../../src/kube/resources.js';
import { ProviderCache } from '../../../src/metrics/provider-cache.js';
import type { KubeObject, ResourceType } from '../../../src/ports/kube.js';
import { silentLogger } from '../../../src/ports/logger.js';
import { CanaryResource, createClusterCaches, startClusterCaches, stopClusterCaches, type ClusterCaches } from '../../../src/reconciler/cluster-caches.js';
import { gatherFacts, type Gathered } from '../../../src/reconciler/facts.js';
import { OnDemandCaches } from '../../../src/reconciler/on-demand-caches.js';
import { TickContext, type TickDeps } from '../../../src/reconciler/tick-context.js';
import { createDomainBus, type CanaryNotice } from '../../../src/telemetry/domain-events.js';
import { Recorder } from '../../../src/telemetry/recorder.js';
import { FakeClock, settle } from '../../fakes/fake-clock.js';
import { FakeElbV2 } from '../../fakes/fake-elbv2.js';
import { FakeKube } from '../../fakes/fake-kube.js';
import { aCanary } from '../../fixtures/objects.js';

/** A Canary fixture with `spec` fields merged over {@link aCanary}'s (kubernetes provider, Blue/Green). */
export function canaryWith(spec: Record<string, unknown>, opts: Parameters<typeof aCanary>[0] = {}): KubeObject & { spec: unknown } {
  const canary = aCanary(opts);
  return { ...canary, spec: { ...(canary.spec as Record<string, unknown>), ...spec } };
}

/**
 * The in-memory cluster of the scenario tests without the controller and scheduler: the real watch caches
 * over FakeKube on a fake clock, and the TickDeps a tick gets. Unit tests build a TickContext for one
 * Canary and call tick.ts, facts.ts or one step directly, then look at the cluster and the draft status.
 * Webhooks answer 200 (unless `hookAnswers` says otherwise) and every PromQL query returns `metricValue`.
 */
export class TickHarness {
  readonly kube = new FakeKube();
  readonly clock = new FakeClock();
  readonly elbv2 = new FakeElbV2();
  readonly bus = createDomainBus();
  readonly notices: CanaryNotice[] = [];
  readonly caches: ClusterCaches;
  readonly providerCaches: OnDemandCaches;
  readonly deps: TickDeps;
  readonly hookCalls: string[] = [];
  metricValue = 100;
  /** Answers of webhooks by URL; the others answer 200 OK. */
  readonly hookAnswers = new Map<string, { status: number; body: string }>();

  constructor(flags: string[] = [], opts: { elbv2?: boolean } = {}) {
    this.caches = createClusterCaches({ kube: this.kube, clock: this.clock, logger: silentLogger });
    this.providerCaches = new OnDemandCaches({ kube: this.kube, clock: this.clock, logger: silentLogger });
    const config = parseConfig(flags, {});
    let ids = 0;
    this.deps = {
      kube: this.kube, caches: this.caches, clock: this.clock, logger: silentLogger, bus: this.bus,
      recorder: new Recorder(new Registry(), { version: 'test', meshProvider: config.meshProvider }), config,
      newId: () => `id-${++ids}`,
      providerObjects: this.providerCaches.reader(),
      ...(opts.elbv2 === false ? {} : { elbv2: this.elbv2 }),
      analysis: {
        webhooks: {
          http: { post: (url) => this.answerHook(url) },
          clock: this.clock, secrets: (ns, name) => this.caches.secrets.read(ns, name),
        },
        metrics: {
          http: { get: () => this.answerQuery(), post: (url) => Promise.reject(new Error(`no metric provider of a tick test POSTs (${url})`)) },
          providers: new ProviderCache(), metricsServer: 'http://prometheus.test:9090',
        },
      },
    };
    this.bus.on('notice', (n) => this.notices.push(n));
  }

  async start(): Promise<this> {
    await startClusterCaches(this.caches);
    await settle();
    return this;
  }

  stop(): void {
    stopClusterCaches(this.caches);
    this.providerCaches.stop();
  }

  /** Creates an object and lets the watch caches see it. */
  async create<T extends KubeObject>(type: ResourceType<T>, object: T): Promise<void> {
    await this.kube.create(type, object);
    await settle();
  }

  async createCanary(canary: KubeObject & { spec: unknown }): Promise<void> {
    await this.create(CanaryResource, canary);
  }

  /** Plays the deployment controller and kubelet: every replica ready and available. */
  async makeReady(name: string): Promise<void> {
    const d = await this.kube.get(Resources.deployments, 'test', name);
    const replicas = d?.spec?.replicas ?? 1;
    await this.kube.patch(Resources.deployments, { namespace: 'test', name }, {
      status: { observedGeneration: d?.metadata.generation, replicas, updatedReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas },
    }, { subresource: 'status' });
    await settle();
  }

  /** A tick's context for the Canary as the cache holds it now. */
  context(name = 'podinfo'): TickContext {
    const raw = this.caches.canaries.get('test', name);
    if (raw === undefined) throw new Error(`no canary ${name} in the cache`);
    const parsed = parseCanary(raw);
    if (!parsed.ok) throw new Error(`invalid canary: ${JSON.stringify(parsed.problems)}`);
    return new TickContext(this.deps, raw, parsed.value);
  }

  /** A context whose target, selector and revision are loaded, as the tick does before each step. */
  async loadedContext(name = 'podinfo'): Promise<{ ctx: TickContext; gathered: Gathered }> {
    const ctx = this.context(name);
    const gathered = await gatherFacts(ctx, false);
    ctx.load(gathered.loaded);
    return { ctx, gathered };
  }

  private answerHook(url: string): Promise<{ status: number; body: string; headers: Record<string, string> }> {
    this.hookCalls.push(url);
    const answer = this.hookAnswers.get(url) ?? { status: 200, body: 'OK' };
    return Promise.resolve({ ...answer, headers: {} });
  }

  private answerQuery(): Promise<{ status: number; body: string }> {
    const result = [{ metric: {}, value: [this.clock.now() / 1000, String(this.metricValue)] }];
    return Promise.resolve({ status: 200, body: JSON.stringify({ status: 'success', data: { resultType: 'vector', result } }) });
  }
}
