import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installCrds as installOurCrds } from '../../src/install-crds.js';
import {
  aheadOfAnnotation, aheadOfAws, awsSplit, canaryEvents, createAlbCanary, NEW_IMAGE, OLD_IMAGE, releaseObjects, rollOut,
  scaledDownWhileRouted, startAlbWorld, TARGET_REPLICAS, USER_ANNOTATIONS, useAwsCredentials, type AlbWorld,
} from '../support/alb-e2e.js';
import { publishAlbMetrics } from '../support/alb-e2e-metrics.js';
import { installCrds, testKube } from '../support/kube.js';
import { startMoto, type RunningMoto } from '../support/moto.js';

// Every case has its own namespace, emulator and operator (see alb-e2e.ts), so that one case can pause or
// slow "AWS" without holding up the others; they share the API server and one moto. Each canary checks the
// builtin request-success-rate, which the alb provider reads from CloudWatch (moto) for its canary target group.
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const allPrimary = { primary: 100, canary: 0 };

describe('ALB releases on a real API server, with the load balancer controller emulated on moto', () => {
  let moto: RunningMoto;
  let restoreCredentials: (() => void) | undefined;
  const worlds: AlbWorld[] = [];

  beforeAll(async () => {
    await installCrds(join(import.meta.dirname, '..', 'fixtures', 'thirdparty-crds', 'aws-load-balancer-controller.yaml'));
    await installOurCrds(testKube(), join(import.meta.dirname, '..', '..', 'crds'), sleep);
    moto = await startMoto();
    restoreCredentials = useAwsCredentials(moto.credentials);
  });

  afterAll(async () => {
    await Promise.all(worlds.map((w) => w.stop()));
    await moto?.stop();
    restoreCredentials?.();
  });

  async function world(prefix: string, delayMs: number): Promise<AlbWorld> {
    const w = await startAlbWorld({ prefix, moto, delayMs });
    worlds.push(w);
    return w;
  }

  it.concurrent('promotes a good release, with AWS stepping through the canary weights and back to 100/0', async () => {
    const w = await world('good', 3_000);
    await createAlbCanary(w, 'good');
    const dimensions = await publishAlbMetrics(w, 'good', moto);
    const tape = await rollOut(w, 'good');
    // The outcome is saved first; the target goes to zero in a later tick, once AWS shows 100/0.
    const done = await tape.until('Succeeded and scaled down', (s) => s.phase === 'Succeeded' && s.targetReplicas === 0, 150_000);
    await tape.stop();

    const awsCanaryWeights = new Set(tape.samples.map((s) => s.aws?.canary ?? 0).filter((weight) => weight > 0));
    expect(awsCanaryWeights.size).toBeGreaterThanOrEqual(2);
    expect([...awsCanaryWeights].every((weight) => [10, 20, 30].includes(weight))).toBe(true);
    expect(new Set(tape.samples.map((s) => s.phase))).toContain('Promoting');
    expect(done).toMatchObject({ canaryWeight: 0, targetReplicas: 0, annotation: allPrimary, aws: allPrimary });
    expect(aheadOfAws(tape.samples)).toEqual([]);
    expect(aheadOfAnnotation(tape.samples)).toEqual([]);
    expect(scaledDownWhileRouted(tape.samples)).toEqual([]);
    const objects = await releaseObjects(w, 'good');
    expect(objects.primaryImage).toBe(NEW_IMAGE);
    expect(objects.annotations).toMatchObject(USER_ANNOTATIONS);
    // The canary target group's 600 requests without a 5xx, not the primary's 50% errors.
    expect(objects.successRate).toMatchObject({ value: 100, verdict: 'Pass' });
    expect(objects.successRate?.query).toContain(`LoadBalancer=${dimensions.loadBalancer}, TargetGroup=${dimensions.canary}`);
    expect(await awsSplit(w, 'good')).toEqual(allPrimary);
  }, 240_000);

  it.concurrent('holds a step pending while AWS lags the annotation, running no checks, and promotes once the weights arrive', async () => {
    const w = await world('late', 25_000);
    await createAlbCanary(w, 'late');
    await publishAlbMetrics(w, 'late', moto);
    const tape = await rollOut(w, 'late');
    const annotated = await tape.until('annotation 90/10', (s) => s.annotation?.canary === 10, 60_000);
    const pending = await tape.until('a pending step', (s) => s.trafficPending !== undefined && s.aws?.canary === 0, 60_000);
    const applied = await tape.until('AWS at 90/10', (s) => s.aws?.canary === 10, 60_000);
    // The lag is shown; the rest of the release may go faster.
    w.emulator.setDelay(1_000);
    // The outcome is saved first; the target goes to zero in a later tick, once AWS shows 100/0.
    const done = await tape.until('Succeeded and scaled down', (s) => s.phase === 'Succeeded' && s.targetReplicas === 0, 150_000);
    await tape.stop();

    expect(applied.at - annotated.at).toBeGreaterThanOrEqual(20_000);
    expect(pending.trafficPending).toMatchObject({ weights: '90/10', reason: 'waiting for ALB weights 90/10, AWS has 100/0' });
    expect(pending.ready).toMatchObject({ reason: 'TrafficPending' });
    // From the first pending tick until AWS shows 90/10 the run holds at 10 and counts nothing.
    const lagging = tape.samples.filter((s) => s.at >= pending.at && s.at < applied.at);
    expect(lagging.length).toBeGreaterThan(10);
    expect(lagging.map((s) => [s.phase, s.canaryWeight, s.failedChecks ?? 0, s.trafficPending?.weights]))
      .toEqual(lagging.map(() => ['Progressing', 10, 0, '90/10']));
    expect(w.hook.calls.filter((t) => t >= annotated.at && t <= applied.at)).toEqual([]);
    expect(aheadOfAws(tape.samples)).toEqual([]);
    expect(aheadOfAnnotation(tape.samples)).toEqual([]);
    expect(scaledDownWhileRouted(tape.samples)).toEqual([]);
    expect(done).toMatchObject({ targetReplicas: 0, annotation: allPrimary, aws: allPrimary });
    expect(done.trafficPending).toBeUndefined();
    expect(await releaseObjects(w, 'late')).toMatchObject({ primaryImage: NEW_IMAGE, successRate: { value: 100, verdict: 'Pass' } });
  }, 240_000);

  it.concurrent('rolls back at the progress deadline when AWS never applies the weights, and scales the target down as AWS stays at 100/0', async () => {
    const w = await world('stuck', 1_000);
    await createAlbCanary(w, 'stuck', { progressDeadlineSeconds: 40 });
    // AWS has 100/0 from the initialization; from here on no weight change reaches it.
    w.emulator.pause();
    const tape = await rollOut(w, 'stuck');
    const pending = await tape.until('a pending step', (s) => s.trafficPending?.weights === '90/10', 60_000);
    const failed = await tape.until('Failed', (s) => s.phase === 'Failed', 150_000);
    // The tick that scales the target down also clears trafficPending (a sample reads the status first).
    const down = await tape.until('the target at 0 with nothing pending', (s) => s.phase === 'Failed' && s.targetReplicas === 0 && s.trafficPending === undefined, 60_000);
    await tape.stop();

    expect(failed.at - Date.parse(pending.trafficPending?.since ?? '')).toBeGreaterThan(40_000);
    expect(failed).toMatchObject({ canaryWeight: 0, annotation: allPrimary });
    expect(tape.samples.filter((s) => s.at < failed.at && s.phase === 'Progressing').every((s) => s.targetReplicas === TARGET_REPLICAS)).toBe(true);
    expect(await canaryEvents(w, 'stuck')).toContain(
      `Rolling back stuck.${w.namespace} traffic weights not applied within the progress deadline: waiting for ALB weights 90/10, AWS has 100/0`);
    // Paused, AWS never left 100/0: the check after the rollback finds all traffic on the primary at once.
    expect(tape.samples.every((s) => s.aws?.canary === 0)).toBe(true);
    expect(down.aws).toEqual(allPrimary);
    expect((await releaseObjects(w, 'stuck')).primaryImage).toBe(OLD_IMAGE);
    // The 90/10 held back is superseded, not applied late.
    w.emulator.resume();
    await sleep(2_000);
    expect(await awsSplit(w, 'stuck')).toEqual(allPrimary);
  }, 240_000);

  it.concurrent('rolls back a release whose rollout webhook fails despite healthy CloudWatch metrics, keeping the target up until AWS is back at 100/0', async () => {
    const w = await world('bad', 5_000);
    w.hook.status = 500;
    await createAlbCanary(w, 'bad');
    await publishAlbMetrics(w, 'bad', moto);
    const tape = await rollOut(w, 'bad');
    const failed = await tape.until('Failed', (s) => s.phase === 'Failed', 150_000);
    const lagging = await tape.until('AWS still on the canary after the rollback', (s) => s.phase === 'Failed' && (s.aws?.canary ?? 0) > 0, 30_000);
    const down = await tape.until('the target at 0 with nothing pending', (s) => s.phase === 'Failed' && s.targetReplicas === 0 && s.trafficPending === undefined, 60_000);
    await tape.stop();

    expect(failed).toMatchObject({ canaryWeight: 0, failedChecks: 2, annotation: allPrimary });
    expect(lagging).toMatchObject({ annotation: allPrimary, aws: { primary: 90, canary: 10 }, targetReplicas: TARGET_REPLICAS });
    expect(lagging.trafficPending).toMatchObject({ weights: '100/0', scaleDown: true });
    expect(down.aws).toEqual(allPrimary);
    expect(scaledDownWhileRouted(tape.samples)).toEqual([]);
    expect(aheadOfAws(tape.samples)).toEqual([]);
    const events = await canaryEvents(w, 'bad');
    expect(events).toContain(`Rolling back bad.${w.namespace} failed checks threshold reached 2`);
    expect(events.some((e) => e.startsWith('Halt advancement rollout check smoke-test failed'))).toBe(true);
    const objects = await releaseObjects(w, 'bad');
    expect(objects.primaryImage).toBe(OLD_IMAGE);
    expect(objects.annotations).toMatchObject(USER_ANNOTATIONS);
  }, 240_000);
});
