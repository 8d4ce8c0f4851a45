import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NEW_IMAGE, type KillReleaseHarness, type KillRun } from '../support/kill-release.js';
import { startReleaseHarness } from '../support/release-sweep.js';
import { testKube } from '../support/kube.js';

// Issue #12, fault injection on the real API server: the operator is SIGKILLed right after one API write of a
// release and restarted. This is the CI sample (a write during initialization, the first weight step, and
// the copy of the target into the primary, the promotion); `npm run bench:reliability` kills it at every write.
const SAMPLES = ['2', '1:patch VirtualService', '1:replace Deployment'];

describe('a release whose operator is killed at an API write', () => {
  let harness: KillReleaseHarness;

  beforeAll(async () => {
    harness = await startReleaseHarness(testKube(), process.env.KUBECONFIG ?? '');
  });

  afterAll(async () => harness.stop());

  it('ends as the uninterrupted release, promotes once and never weights an unready canary', async () => {
    const runs: KillRun[] = await Promise.all([harness.run(undefined), ...SAMPLES.map((k) => harness.run(k))]);
    const reference = runs[0] as KillRun;
    expect(reference.end).toMatchObject({ phase: 'Succeeded', promoted: true, primaryImage: NEW_IMAGE, targetReplicas: 0, routes: { primary: 100, canary: 0 } });
    for (const run of runs) {
      const seen = { killAt: run.killAt, killedAfter: run.killedAfter, end: run.end, promotions: run.promotions, completedEvents: run.completedEvents, unreadyWeights: run.unreadyWeights };
      expect(seen).toEqual({
        killAt: run.killAt, killedAfter: run.killAt === undefined ? undefined : expect.any(String) as unknown,
        end: reference.end, promotions: 1, completedEvents: run.killAt === undefined ? 1 : expect.any(Number) as unknown, unreadyWeights: [],
      });
      expect(run.completedEvents).toBeLessThanOrEqual(1);
      expect(run.postRolloutCalls).toBeGreaterThanOrEqual(1);
    }
  }, 240_000);
});
