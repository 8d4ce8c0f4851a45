import { describe, expect, it } from 'vitest';
import { deploymentReadiness } from '../../src/core/readiness.js';
import { Resources } from '../../src/kube/resources.js';
import type { KubeObject } from '../../src/ports/kube.js';
import { aCanary, aDeployment } from '../fixtures/objects.js';
import type { WriteFault } from '../fakes/fake-kube.js';
import { isStatusPatch, NEW_IMAGE, POST_ROLLOUT_URL, postRolloutCalls, primaryCopies, primaryImage, routes, serverError, ticks } from './release.js';
import { World } from './world.js';

// Issue #12, fault injection: every Canary status patch of a release fails in turn, once with a 500 (nothing
// written) and once as a timeout of a patch the server did write. The ticks that follow must reach the end
// state of an uninterrupted release, promote at most once, and never route weight to a canary that is not ready.

type Release = 'promotion' | 'rollback';
type Fault = { k: number; mode: '500' | 'timeout' };

interface Outcome {
  end: Record<string, unknown>;
  statusPatches: number;
  promotions: number;
  /** Weights given to the canary while it was not ready, as `<weight>: <why not ready>`. */
  unreadyRoutes: string[];
  postRollout: string[];
}

interface VirtualService extends KubeObject { spec?: { http?: { route?: { destination: { host: string }; weight?: number }[] }[] } }

const faultOf = (mode: Fault['mode']): WriteFault => (mode === '500'
  ? { error: serverError(), applied: false }
  : { error: new Error('PATCH canaries/podinfo/status timed out after 30 s'), applied: true });

// Every VirtualService write that gives the canary weight is checked against the canary's readiness then.
function watchRoutes(world: World, unready: string[]): void {
  world.kube.watch<VirtualService>(Resources.virtualServices, { namespace: 'test', resourceVersion: '0' }, (event) => {
    const weight = event.object.spec?.http?.at(-1)?.route?.find((r) => r.destination.host === 'podinfo-canary')?.weight ?? 0;
    const canary = world.caches.deployments.get('test', 'podinfo');
    if (weight === 0) return;
    const readiness = canary === undefined
      ? { ready: false, reason: 'no canary' }
      : deploymentReadiness({ deployment: canary, readyThresholdPercent: 100, progressDeadlineSeconds: 60, now: world.clock.now() });
    if (!readiness.ready) unready.push(`${weight}: ${'reason' in readiness ? readiness.reason : ''}`);
  });
}

async function release(kind: Release, fault?: Fault): Promise<Outcome> {
  const world = await new World().start();
  let statusPatches = 0;
  world.kube.writeFault = (call) => {
    if (!isStatusPatch(call)) return undefined;
    statusPatches += 1;
    return statusPatches === fault?.k ? faultOf(fault.mode) : undefined;
  };
  const unreadyRoutes: string[] = [];
  watchRoutes(world, unreadyRoutes);
  try {
    await world.create('deployment', aDeployment({ replicas: 2 }));
    const canary = aCanary({ provider: 'istio' });
    (canary.spec as Record<string, unknown>).analysis = {
      interval: '15s', threshold: 2, stepWeight: 25, maxWeight: 50,
      metrics: [{ name: 'request-success-rate', thresholdRange: { min: 99 }, interval: '1m' }],
      webhooks: [{ name: 'notify', type: 'post-rollout', url: POST_ROLLOUT_URL }],
    };
    await world.create('canary', canary);
    await world.makeReady('podinfo-primary');
    // As a user would, the new version comes once the canary is Initialized.
    for (let i = 0; i < 5 && (await world.canaryStatus()).phase !== 'Initialized'; i++) await ticks(world, 1);
    if (kind === 'rollback') world.metricValue = 50;
    await world.setImage('podinfo', NEW_IMAGE);
    await world.makeReady('podinfo');
    await ticks(world, 14);
    const status = await world.canaryStatus();
    const end = {
      phase: status.phase, canaryWeight: status.canaryWeight, iterations: status.iterations, afterRun: status.afterRun,
      promoted: status.lastPromotedSpec === status.lastAppliedSpec, primaryImage: await primaryImage(world),
      targetReplicas: (await world.deployment('podinfo'))?.spec?.replicas, routes: await routes(world),
      outcomeNotices: world.messages().filter((m) => m.startsWith('Promotion completed!') || m.startsWith('Canary failed!')).length,
    };
    return { end, statusPatches, promotions: primaryCopies(world), unreadyRoutes, postRollout: postRolloutCalls(world) };
  } finally {
    await world.stop();
  }
}

describe.each<Release>(['promotion', 'rollback'])('a %s release whose status patches fail one at a time', (kind) => {
  it('reaches the uninterrupted end state for every failing patch, 500 or timeout', async () => {
    const reference = await release(kind);
    expect(reference.end.phase).toBe(kind === 'promotion' ? 'Succeeded' : 'Failed');
    expect(reference.unreadyRoutes).toEqual([]);
    expect(reference.statusPatches).toBeGreaterThan(5);
    const failures: string[] = [];
    for (let k = 1; k <= reference.statusPatches; k++) {
      for (const mode of ['500', 'timeout'] as const) {
        const run = await release(kind, { k, mode });
        const problems = [
          JSON.stringify(run.end) !== JSON.stringify(reference.end) ? `end ${JSON.stringify(run.end)}` : '',
          run.promotions !== reference.promotions ? `${run.promotions} promotions` : '',
          run.unreadyRoutes.length > 0 ? `weight on an unready canary: ${run.unreadyRoutes.join(', ')}` : '',
          // At least once per outcome; again only when the patch that records them failed (a 500, not a saved timeout).
          run.postRollout.length === 0 || run.postRollout.some((p) => p !== reference.postRollout[0]) ? `post-rollout ${run.postRollout.join(',')}` : '',
          mode === 'timeout' && run.postRollout.length !== 1 ? `post-rollout called ${run.postRollout.length} times` : '',
        ].filter((p) => p !== '');
        if (problems.length > 0) failures.push(`patch ${k} (${mode}): ${problems.join('; ')}`);
      }
    }
    expect(failures).toEqual([]);
  }, 60_000);
});
