import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { CanaryStatus } from '../../src/api/canary-status.js';
import { Resources, type Deployment } from '../../src/kube/resources.js';
import type { Kube, KubeObject, OpenWatch, ResourceType } from '../../src/ports/kube.js';
import { CanaryResource } from '../../src/reconciler/cluster-caches.js';
import { aCanary, aDeployment } from '../fixtures/objects.js';
import { SupervisedOperator } from './supervised-operator.js';
import { retrying } from './retrying.js';

/** The release's new image. */
export const NEW_IMAGE = 'ghcr.io/stefanprodan/podinfo:6.0.1';
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** What a release ends with; two runs of the same release compare equal when nothing went wrong. */
export interface EndState {
  phase?: string; canaryWeight?: number; lastPromotedSpec?: string; promoted: boolean; afterRun?: unknown;
  primaryImage?: string; targetReplicas?: number; routes: { primary?: number; canary?: number };
}

/** One release, killed (or not) at one write. */
export interface KillRun {
  killAt?: string;
  /** The write the operator was killed after, as its test hook described it; undefined when it never got there. */
  killedAfter?: string;
  /** Writes the first operator process reported (with a hook set; all of the release when it was not killed). */
  writes: string[];
  /** The Canary status patch that failed once (`k:500` or `k:lost-answer`, see src/adapters/kill-at-write.ts). */
  failStatusPatch?: string;
  /** Canary status patches the operator made (with failStatusPatch set). */
  statusPatches: number;
  end: EndState;
  /** New flagger-ids the primary's template got during the release: each is one promotion. */
  promotions: number;
  /** "Promotion completed!" events. */
  completedEvents: number;
  /** Weights the VirtualService gave the canary while its Deployment was not ready then. */
  unreadyWeights: string[];
  postRolloutCalls: number;
  seconds: number;
}

interface VirtualService extends KubeObject { spec?: { http?: { route?: { destination: { host: string }; weight?: number }[] }[] } }
type Seen<T> = { rv: bigint; object: T }[];
/** The watches of one run; once stopped, none is opened again. */
interface Recording { open: OpenWatch[]; stopped: boolean }

/**
 * A short Istio release on the real API server with the operator as a child process: a Canary (interval
 * 10s, weights 25 then 50, a post-rollout webhook), Initialized, then a new image, until the run ends and its
 * after-run work is done. With `killAt` the operator is SIGKILLed at that write (see
 * src/adapters/kill-at-write.ts) and restarted without the hook. The VirtualService and the Deployments are
 * watched throughout, so every weight can be checked against the canary's readiness at that moment.
 */
export class KillReleaseHarness {
  private server: Server | undefined;
  private hookUrl = '';
  private readonly hookCalls = new Map<string, number>();

  constructor(private readonly kube: Kube, private readonly kubeconfig: string) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const namespace = (JSON.parse(body || '{}') as { namespace?: string }).namespace ?? '';
        this.hookCalls.set(namespace, (this.hookCalls.get(namespace) ?? 0) + 1);
        res.writeHead(200).end('OK');
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.hookUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/post-rollout`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server === undefined ? resolve() : this.server.close(() => resolve())));
  }

  /** One release; `fault` is a write to kill the operator at, or a Canary status patch to fail once. */
  async run(fault: string | { failStatusPatch: string } | undefined, timeoutMs = 240_000): Promise<KillRun> {
    const hooks = typeof fault === 'string' ? { killAt: fault } : fault ?? {};
    const { killAt, failStatusPatch } = hooks as { killAt?: string; failStatusPatch?: string };
    const started = Date.now();
    const namespace = `kill-${randomBytes(4).toString('hex')}`;
    await this.kube.create(Resources.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    const watches: Recording = { open: [], stopped: false };
    try {
      await this.kube.create(Resources.deployments, aDeployment({ namespace, replicas: 1 }));
      const services = await this.record<VirtualService>(Resources.virtualServices, namespace, watches);
      const deployments = await this.record<Deployment>(Resources.deployments, namespace, watches);
      const operator = new SupervisedOperator({ kubeconfig: this.kubeconfig, namespace, ...hooks });
      try {
        await this.kube.create(CanaryResource, this.canary(namespace));
        await this.until(operator, 'Initialized', () => this.phaseIs(namespace, 'Initialized'), started + timeoutMs);
        await this.kube.patch(Resources.deployments, { namespace, name: 'podinfo' },
          { spec: { template: { spec: { containers: [{ name: 'podinfod', image: NEW_IMAGE }] } } } }, { kind: 'strategic' });
        await this.until(operator, 'the release to end', () => this.ended(namespace), started + timeoutMs);
      } finally {
        await operator.stop();
      }
      const first = operator.killed;
      return {
        ...(killAt === undefined ? {} : { killAt }), ...(first === undefined ? {} : { killedAfter: first.writes.at(-1) ?? '' }),
        ...(failStatusPatch === undefined ? {} : { failStatusPatch }), statusPatches: operator.first.statusPatches.length,
        writes: operator.first.writes, end: await this.endState(namespace),
        promotions: promotionsSeen(deployments), completedEvents: await this.completedEvents(namespace),
        unreadyWeights: unreadyWeights(services, deployments), postRolloutCalls: this.hookCalls.get(namespace) ?? 0,
        seconds: (Date.now() - started) / 1000,
      };
    } finally {
      watches.stopped = true;
      for (const w of watches.open) w.stop();
      await this.kube.delete(Resources.namespaces, { name: namespace }).catch(() => undefined);
    }
  }

  private canary(namespace: string): KubeObject {
    const canary = aCanary({ namespace, provider: 'istio' });
    (canary.spec as Record<string, unknown>).analysis = {
      interval: '10s', threshold: 2, stepWeight: 25, maxWeight: 50,
      webhooks: [{ name: 'notify', type: 'post-rollout', url: this.hookUrl }],
    };
    return canary;
  }

  // Lists, then watches `type` in `namespace`, keeping every version seen with its resourceVersion. A watch that
  // ends (a 410 "too old resource version" from a watch cache that just started for a new CRD, a timeout) is
  // listed and watched again, until `watches` are stopped.
  private async record<T extends KubeObject>(type: ResourceType<T>, namespace: string, watches: Recording, seen: Seen<T> = []): Promise<Seen<T>> {
    const list = await retrying(() => this.kube.list(type, namespace));
    for (const object of list.items) seen.push({ rv: BigInt(object.metadata.resourceVersion ?? '0'), object });
    if (watches.stopped) return seen;
    const watch = this.kube.watch(type, { namespace, resourceVersion: list.resourceVersion }, (event) => {
      if (event.type !== 'BOOKMARK') seen.push({ rv: BigInt(event.object.metadata.resourceVersion ?? '0'), object: event.object });
    });
    watches.open.push(watch);
    const again = (): void => void (watches.stopped ? undefined : this.record(type, namespace, watches, seen).catch(() => undefined));
    watch.done.then(again, again);
    return seen;
  }

  private async until(operator: SupervisedOperator, what: string, check: () => Promise<boolean>, deadline: number): Promise<void> {
    while (Date.now() < deadline) {
      if (operator.unexpectedExit !== undefined) throw new Error(operator.unexpectedExit);
      if (await check().catch(() => false)) return;
      await sleep(250);
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  private async status(namespace: string): Promise<CanaryStatus> {
    return (await this.kube.get(CanaryResource, namespace, 'podinfo'))?.status ?? {};
  }

  private async phaseIs(namespace: string, phase: string): Promise<boolean> {
    return (await this.status(namespace)).phase === phase;
  }

  private async ended(namespace: string): Promise<boolean> {
    const status = await this.status(namespace);
    const target = await this.kube.get(Resources.deployments, namespace, 'podinfo');
    return (status.phase === 'Succeeded' || status.phase === 'Failed') && status.afterRun === undefined && target?.spec?.replicas === 0;
  }

  private async endState(namespace: string): Promise<EndState> {
    const status = await this.status(namespace);
    const vs = await this.kube.get<VirtualService>(Resources.virtualServices, namespace, 'podinfo');
    const primary = await this.kube.get(Resources.deployments, namespace, 'podinfo-primary');
    const target = await this.kube.get(Resources.deployments, namespace, 'podinfo');
    return {
      phase: status.phase, canaryWeight: status.canaryWeight, lastPromotedSpec: status.lastPromotedSpec, afterRun: status.afterRun,
      promoted: status.lastPromotedSpec === status.lastAppliedSpec, primaryImage: primary?.spec?.template.spec?.containers[0]?.image,
      targetReplicas: target?.spec?.replicas, routes: { primary: weightOf(vs, 'podinfo-primary'), canary: weightOf(vs, 'podinfo-canary') },
    };
  }

  private async completedEvents(namespace: string): Promise<number> {
    const events = await this.kube.list(Resources.events, namespace);
    return events.items.filter((e) => (e.message ?? '').startsWith('Promotion completed!')).reduce((n, e) => n + (e.count ?? 1), 0);
  }
}

function weightOf(vs: VirtualService | undefined, host: string): number | undefined {
  return vs?.spec?.http?.at(-1)?.route?.find((r) => r.destination.host === host)?.weight;
}

// The primary's flagger-ids after the first one (its creation): one per template copy.
function promotionsSeen(deployments: Seen<Deployment>): number {
  const ids = deployments.filter((d) => d.object.metadata.name === 'podinfo-primary')
    .map((d) => d.object.spec?.template.metadata?.annotations?.['flagger-id'])
    .filter((id): id is string => id !== undefined);
  return Math.max(0, new Set(ids).size - 1);
}

/**
 * Every VirtualService version that gives the canary weight, checked against the canary Deployment as it was
 * at that resourceVersion (etcd revisions order the two watches): rolled out, every replica updated and
 * available, none old.
 */
function unreadyWeights(services: Seen<VirtualService>, deployments: Seen<Deployment>): string[] {
  const canary = deployments.filter((d) => d.object.metadata.name === 'podinfo').sort((a, b) => (a.rv < b.rv ? -1 : 1));
  const problems: string[] = [];
  for (const { rv, object } of services) {
    const weight = weightOf(object, 'podinfo-canary') ?? 0;
    if (weight === 0) continue;
    const then = canary.filter((d) => d.rv < rv).at(-1)?.object;
    const why = then === undefined ? 'no canary Deployment' : notReadyReason(then);
    if (why !== undefined) problems.push(`weight ${weight} at rv ${rv}: ${why}`);
  }
  return problems;
}

function notReadyReason(d: Deployment): string | undefined {
  const desired = d.spec?.replicas ?? 0;
  const s = { observedGeneration: 0, updatedReplicas: 0, availableReplicas: 0, replicas: 0, ...d.status };
  const checks: [boolean, string][] = [
    [desired === 0, 'scaled to zero'],
    [s.observedGeneration < (d.metadata.generation ?? 0), 'rollout not observed'],
    [Math.min(s.updatedReplicas, s.availableReplicas) < desired, `${s.availableReplicas}/${desired} available`],
    [s.replicas > desired, 'old replicas remain'],
  ];
  return checks.find(([failed]) => failed)?.[1];
}
