/**
 * Support for the ALB release e2e test. A case runs in its own "ALB world": a namespace with its own AWS Load
 * Balancer Controller emulator (all worlds share one moto), its own operator watching only that namespace
 * and a rollout webhook whose answer the case sets. The emulator's delay and pause act on every Ingress of
 * its namespace, so separate worlds are what lets the cases run concurrently, each with its own AWS lag.
 *
 * A release is watched through a tape: every half second it reads the Canary status, the Ingress action
 * annotation, the target Deployment and (last, through DescribeRules) the weights AWS has. Reading AWS
 * after the rest is what makes the invariants below sound: AWS only moves towards the annotation, so a
 * later AWS reading never shows an older split than the one the operator acted on.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { CanaryStatus } from '../../src/api/canary-status.js';
import { pinoLogger } from '../../src/adapters/pino-logger.js';
import { parseConfig } from '../../src/config.js';
import { Resources } from '../../src/kube/resources.js';
import { startOperator, type RunningOperator } from '../../src/operator.js';
import type { Kube } from '../../src/ports/kube.js';
import { CanaryResource } from '../../src/reconciler/cluster-caches.js';
import { aCanary, aDeployment } from '../fixtures/objects.js';
import { startAlbControllerEmulator, type AlbControllerEmulator } from './alb-controller-emulator.js';
import { testKube, waitFor } from './kube.js';
import { awsClientConfig, type AwsCredentials, type RunningMoto } from './moto.js';

export const OLD_IMAGE = 'ghcr.io/stefanprodan/podinfo:6.0.0';
export const NEW_IMAGE = 'ghcr.io/stefanprodan/podinfo:6.0.1';
export const STEP_WEIGHT = 10;
export const TARGET_REPLICAS = 2;
const ALB = 'alb.ingress.kubernetes.io';
/** Annotations of the user's Ingress that are not Songbird's; they must survive every release. */
export const USER_ANNOTATIONS = { [`${ALB}/scheme`]: 'internet-facing', [`${ALB}/target-type`]: 'ip', 'example.com/owner': 'checkout-team' };
const sampleEveryMs = 500;

/** A rollout webhook the test controls: it answers `status` and records when it was called. */
export interface RolloutHook {
  url: string;
  status: number;
  calls: number[];
}

export interface AlbWorld {
  namespace: string;
  emulator: AlbControllerEmulator;
  hook: RolloutHook;
  /** Tapes still running; `stop()` stops them first (a failed case leaves its tape running). */
  tapes: Set<Tape>;
  stop(): Promise<void>;
}

/** A primary/canary split, e.g. `{ primary: 90, canary: 10 }`. */
export interface Split {
  primary: number;
  canary: number;
}

/** One reading of a release, in the order taken: status, annotation, target, AWS. */
export interface Sample {
  at: number;
  phase?: string;
  canaryWeight?: number;
  failedChecks?: number;
  trafficPending?: CanaryStatus['trafficPending'];
  ready?: { reason?: string; message?: string };
  annotation?: Split;
  targetReplicas?: number;
  /** undefined while AWS has no rule for the action. */
  aws?: Split;
}

/** Sets moto's dummy credentials for the SDK default chain the operator uses; returns what restores the previous ones. */
export function useAwsCredentials(credentials: AwsCredentials): () => void {
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
  process.env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
  return () => {
    restoreEnv('AWS_ACCESS_KEY_ID', saved.id);
    restoreEnv('AWS_SECRET_ACCESS_KEY', saved.secret);
  };
}

function restoreEnv(key: string, value: string | undefined): void {
  if (value === undefined) delete process.env[key];
  else process.env[key] = value;
}

/** A namespace with its emulator (weight changes reach moto after `delayMs`), operator and rollout webhook. */
export async function startAlbWorld(options: { prefix: string; moto: RunningMoto; delayMs: number }): Promise<AlbWorld> {
  const kube = testKube();
  const namespace = `alb-${options.prefix}-${randomBytes(3).toString('hex')}`;
  await kube.create(Resources.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  const { server, hook } = await startHook();
  const emulator = startAlbControllerEmulator({ kube, namespace, aws: awsClientConfig(options.moto), delayMs: options.delayMs, pollMs: 200 });
  const config = parseConfig(['--port=0', '--mesh-provider=alb', `--namespace=${namespace}`,
    `--aws-endpoint-url=${options.moto.endpoint}`, `--aws-region=${options.moto.region}`], {});
  const operator: RunningOperator = await startOperator({
    config, kube, logger: pinoLogger({ level: 'error', format: 'console' }), onFatal: (reason) => { throw new Error(reason); },
  });
  const tapes = new Set<Tape>();
  const stop = async (): Promise<void> => {
    await Promise.all([...tapes].map((t) => t.stop()));
    await operator.stop();
    await emulator.stop();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await kube.delete(Resources.namespaces, { name: namespace }).catch(() => undefined);
  };
  return { namespace, emulator, hook, tapes, stop };
}

async function startHook(): Promise<{ server: Server; hook: RolloutHook }> {
  const hook: RolloutHook = { url: '', status: 200, calls: [] };
  const server = createServer((req, res) => {
    hook.calls.push(Date.now());
    req.resume();
    res.writeHead(hook.status).end(hook.status < 300 ? 'ok' : 'release is broken');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  hook.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/rollout`;
  return { server, hook };
}

/** The action the user's Ingress names with `port.name: use-annotation`. */
export const actionOf = (name: string): string => `${name}-weighted`;

/**
 * The user's objects for `name`: a Deployment (2 replicas), an `alb` Ingress whose only path goes to the
 * action, and a Canary (interval 10 s, steps of 10 up to 30, the builtin request-success-rate over 1 min
 * and the world's rollout webhook); resolves once the Canary is Initialized.
 */
export async function createAlbCanary(world: AlbWorld, name: string, spec: { progressDeadlineSeconds?: number; threshold?: number } = {}): Promise<void> {
  const kube = testKube();
  const namespace = world.namespace;
  await kube.create(Resources.deployments, aDeployment({ name, namespace, replicas: TARGET_REPLICAS, image: OLD_IMAGE }));
  await kube.create(Resources.ingresses, {
    apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name, namespace, annotations: USER_ANNOTATIONS },
    spec: {
      ingressClassName: 'alb',
      rules: [{ host: `${name}.example.com`, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: actionOf(name), port: { name: 'use-annotation' } } } }] } }],
    },
  });
  const canary = aCanary({ name, namespace, target: name, provider: 'alb' });
  Object.assign(canary.spec as Record<string, unknown>, {
    ingressRef: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name },
    progressDeadlineSeconds: spec.progressDeadlineSeconds ?? 120,
    analysis: {
      interval: '10s', threshold: spec.threshold ?? 2, stepWeight: STEP_WEIGHT, maxWeight: 30,
      metrics: [{ name: 'request-success-rate', thresholdRange: { min: 99 }, interval: '1m' }],
      webhooks: [{ name: 'smoke-test', type: 'rollout', url: world.hook.url, timeout: '5s' }],
    },
  });
  await kube.create(CanaryResource, canary);
  await waitFor(`${name} Initialized (emulator error: ${world.emulator.lastError()?.message ?? 'none'})`,
    async () => (await canaryStatus(kube, namespace, name))?.phase === 'Initialized', 90_000);
}

/** Starts a tape of the release, then gives the target the new image. */
export async function rollOut(world: AlbWorld, name: string): Promise<Tape> {
  const tape = new Tape(world, name);
  await testKube().patch(Resources.deployments, { namespace: world.namespace, name },
    { spec: { template: { spec: { containers: [{ name: 'podinfod', image: NEW_IMAGE }] } } } }, { kind: 'strategic' });
  return tape;
}

async function canaryStatus(kube: Kube, namespace: string, name: string): Promise<CanaryStatus | undefined> {
  return (await kube.get(CanaryResource, namespace, name))?.status;
}

/** Readings of one release, taken every half second until `stop()`. */
export class Tape {
  readonly samples: Sample[] = [];
  private running = true;
  private readonly loop: Promise<void>;
  private readonly kube = testKube();

  constructor(private readonly world: AlbWorld, private readonly name: string) {
    world.tapes.add(this);
    this.loop = this.run();
  }

  /** The first sample (taken so far or later) that matches, waiting up to `timeoutMs`. */
  async until(description: string, match: (s: Sample) => boolean, timeoutMs: number): Promise<Sample> {
    const last = (): string => JSON.stringify(this.samples.at(-1) ?? {});
    await waitFor(`${this.name}: ${description}`, () => Promise.resolve(this.samples.some(match)), timeoutMs)
      .catch((error: unknown) => { throw new Error(`${(error as Error).message}; last sample ${last()}`); });
    return this.samples.find(match) as Sample;
  }

  async stop(): Promise<void> {
    this.running = false;
    this.world.tapes.delete(this);
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      const sample = await this.read().catch(() => undefined);
      if (sample !== undefined) this.samples.push(sample);
      await new Promise((r) => setTimeout(r, sampleEveryMs));
    }
  }

  private async read(): Promise<Sample> {
    const { namespace, emulator } = this.world;
    const at = Date.now();
    const status = statusFields(await canaryStatus(this.kube, namespace, this.name));
    const ingress = await this.kube.get(Resources.ingresses, namespace, this.name);
    const target = await this.kube.get(Resources.deployments, namespace, this.name);
    const aws = await emulator.appliedWeights(this.name, actionOf(this.name));
    return {
      at, ...status,
      annotation: annotationSplit(this.name, ingress?.metadata.annotations?.[`${ALB}/actions.${actionOf(this.name)}`]),
      targetReplicas: target?.spec?.replicas, aws: split(this.name, aws),
    };
  }
}

function statusFields(status: CanaryStatus | undefined): Pick<Sample, 'phase' | 'canaryWeight' | 'failedChecks' | 'trafficPending' | 'ready'> {
  if (status === undefined) return {};
  const ready = status.conditions?.find((c) => c.type === 'Ready');
  return {
    phase: status.phase, canaryWeight: status.canaryWeight, failedChecks: status.failedChecks, trafficPending: status.trafficPending,
    ready: ready === undefined ? undefined : { reason: ready.reason, message: ready.message },
  };
}

function annotationSplit(name: string, value: string | undefined): Split | undefined {
  if (value === undefined) return undefined;
  const groups = (JSON.parse(value) as { forwardConfig?: { targetGroups?: { serviceName: string; weight: number }[] } }).forwardConfig?.targetGroups ?? [];
  return split(name, Object.fromEntries(groups.map((g) => [g.serviceName, g.weight])));
}

function split(name: string, weights: Record<string, number>): Split | undefined {
  const primary = weights[`${name}-primary`];
  const canary = weights[`${name}-canary`];
  return primary === undefined || canary === undefined ? undefined : { primary, canary };
}

/** What AWS has now for the release's action. */
export async function awsSplit(world: AlbWorld, name: string): Promise<Split | undefined> {
  return split(name, await world.emulator.appliedWeights(name, actionOf(name)));
}

/** Samples where the target had no replicas while AWS still sent it traffic (there must be none). */
export function scaledDownWhileRouted(samples: readonly Sample[]): Sample[] {
  return samples.filter((s) => s.targetReplicas === 0 && (s.aws?.canary ?? 0) > 0);
}

/**
 * Progressing samples whose canary weight is more than one step ahead of AWS (there must be none): the
 * operator only steps from a weight AWS has applied.
 */
export function aheadOfAws(samples: readonly Sample[]): Sample[] {
  return samples.filter((s) => s.phase === 'Progressing' && (s.canaryWeight ?? 0) - STEP_WEIGHT > (s.aws?.canary ?? 0));
}

/**
 * Progressing samples whose canary weight is past the annotation's (there must be none). Only for a release
 * that is not rolled back: a rollback writes 100/0 before the status says Failed, so a sample may read the
 * last Progressing status and then the rolled-back annotation.
 */
export function aheadOfAnnotation(samples: readonly Sample[]): Sample[] {
  return samples.filter((s) => s.phase === 'Progressing' && (s.canaryWeight ?? 0) > (s.annotation?.canary ?? 0));
}

/** Messages of the Events about the Canary. */
export async function canaryEvents(world: AlbWorld, name: string): Promise<string[]> {
  const events = await testKube().list(Resources.events, world.namespace);
  return events.items.filter((e) => e.involvedObject.kind === 'Canary' && e.involvedObject.name === name).map((e) => e.message ?? '');
}

/** What a release leaves: the primary's image, the Ingress annotations and the last success rate check. */
export interface ReleaseObjects {
  primaryImage?: string;
  annotations: Record<string, string>;
  successRate?: NonNullable<CanaryStatus['lastMetricValues']>[string];
}

export async function releaseObjects(world: AlbWorld, name: string): Promise<ReleaseObjects> {
  const kube = testKube();
  const primary = await kube.get(Resources.deployments, world.namespace, `${name}-primary`);
  const ingress = await kube.get(Resources.ingresses, world.namespace, name);
  const status = await canaryStatus(kube, world.namespace, name);
  return {
    primaryImage: primary?.spec?.template.spec?.containers[0]?.image, annotations: ingress?.metadata.annotations ?? {},
    successRate: status?.lastMetricValues?.['request-success-rate'],
  };
}
