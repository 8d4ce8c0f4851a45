import type { CanaryStatus } from '../../src/api/canary-status.js';
import { Resources } from '../../src/kube/resources.js';
import { KubeApiError, type KubeObject } from '../../src/ports/kube.js';
import { CanaryResource } from '../../src/reconciler/cluster-caches.js';
import type { WriteCall } from '../fakes/fake-kube.js';
import { aCanary, aDeployment } from '../fixtures/objects.js';
import { World } from './world.js';

/** The analysis interval of the releases below. */
export const INTERVAL = 15_000;
/** The release's new image. */
export const NEW_IMAGE = 'ghcr.io/stefanprodan/podinfo:6.0.1';
/** Where the post-rollout webhook of the releases below points. */
export const POST_ROLLOUT_URL = 'http://hooks.test/post-rollout';

interface VirtualService extends KubeObject { spec?: { http?: { route?: { destination: { host: string }; weight?: number }[]; mirror?: unknown }[] } }

/** The split the VirtualService `podinfo` routes now. */
export async function routes(world: World): Promise<{ primary?: number; canary?: number }> {
  const vs = await world.kube.get<VirtualService>(Resources.virtualServices, 'test', 'podinfo');
  const route = vs?.spec?.http?.at(-1);
  const weight = (host: string): number | undefined => route?.route?.find((r) => r.destination.host === host)?.weight;
  return { primary: weight('podinfo-primary'), canary: weight('podinfo-canary') };
}

/**
 * An Istio canary with `analysis` (interval 15s, threshold 2, one builtin check and a post-rollout webhook),
 * initialized, then given a new image: phase Progressing.
 */
export async function progressing(analysis: Record<string, unknown>, opts: { skipAnalysis?: boolean; world?: World } = {}): Promise<World> {
  const world = opts.world ?? await new World().start();
  await world.create('deployment', aDeployment({ replicas: 2 }));
  const canary = aCanary({ provider: 'istio' });
  const spec = canary.spec as Record<string, unknown>;
  spec.analysis = {
    interval: '15s', threshold: 2,
    metrics: [{ name: 'request-success-rate', thresholdRange: { min: 99 }, interval: '1m' }],
    webhooks: [{ name: 'notify', type: 'post-rollout', url: POST_ROLLOUT_URL }],
    ...analysis,
  };
  if (opts.skipAnalysis === true) spec.skipAnalysis = true;
  await world.create('canary', canary);
  await world.makeReady('podinfo-primary');
  await world.setImage('podinfo', NEW_IMAGE);
  await world.makeReady('podinfo');
  return world;
}

/** Ticks `n` intervals, keeping both Deployments rolled out (as the deployment controller and kubelet would). */
export async function ticks(world: World, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await world.advance(INTERVAL);
    await world.makeReady('podinfo');
    await world.makeReady('podinfo-primary');
  }
}

/** The Canary status patches (of `podinfo`), as the fault injector sees them. */
export function isStatusPatch(call: WriteCall): boolean {
  return call.verb === 'patch' && call.subresource === 'status' && call.type.kind === CanaryResource.kind && call.name === 'podinfo';
}

/** The status a status patch sets (its merge-patch body). */
export function patchedStatus(call: WriteCall): Partial<CanaryStatus> {
  return ((call.body as { status?: Partial<CanaryStatus> } | undefined)?.status) ?? {};
}

/** A 500 from the API server, as a failed status patch answers. */
export const serverError = (): KubeApiError => new KubeApiError(500, 'InternalError', 'etcdserver: request timed out');

/**
 * Makes the first Canary status patch that `matches` fail: with a 500 before anything is written, or (with
 * `applied`) as a timeout of a request the server did carry out.
 */
export function failStatusPatchOnce(world: World, matches: (status: Partial<CanaryStatus>) => boolean, applied = false): { fired: () => boolean } {
  let fired = false;
  world.kube.writeFault = (call) => {
    if (fired || !isStatusPatch(call) || !matches(patchedStatus(call))) return undefined;
    fired = true;
    return { error: applied ? new Error('PATCH canaries/podinfo/status timed out after 30 s') : serverError(), applied };
  };
  return { fired: () => fired };
}

/** How many times the primary's template was replaced (each copy of the target into it is a promotion). */
export function primaryCopies(world: World): number {
  return world.kube.writes.filter((w) => w.verb === 'update' && w.kind === 'Deployment' && w.name === 'podinfo-primary').length;
}

/** The primary's image. */
export async function primaryImage(world: World): Promise<string | undefined> {
  return (await world.deployment('podinfo-primary'))?.spec?.template.spec?.containers[0]?.image;
}

/** The post-rollout webhook calls so far, by the phase they carried. */
export function postRolloutCalls(world: World): string[] {
  return world.hookCalls.filter((c) => c.url === POST_ROLLOUT_URL).map((c) => String((c.body as { phase?: string }).phase));
}
