import { afterEach, describe, expect, it } from 'vitest';
import { Resources } from '../../src/kube/resources.js';
import type { KubeObject } from '../../src/ports/kube.js';
import { aCanary, aDeployment } from '../fixtures/objects.js';
import { World } from './world.js';

const INTERVAL = 15_000;
interface VirtualService extends KubeObject { spec?: { http?: { route?: { destination: { host: string }; weight?: number }[]; mirror?: unknown }[] } }

/** An Istio canary with the given analysis, initialized, then given a new image (phase Progressing). */
async function progressing(analysis: Record<string, unknown>, opts: { skipAnalysis?: boolean } = {}): Promise<World> {
  const world = await new World().start();
  await world.create('deployment', aDeployment({ replicas: 2 }));
  const canary = aCanary({ provider: 'istio' });
  const spec = canary.spec as Record<string, unknown>;
  spec.analysis = { interval: '15s', threshold: 2, ...analysis };
  if (opts.skipAnalysis === true) spec.skipAnalysis = true;
  await world.create('canary', canary);
  await world.makeReady('podinfo-primary');
  await world.setImage('podinfo', 'ghcr.io/stefanprodan/podinfo:6.0.1');
  await world.makeReady('podinfo');
  return world;
}

async function routes(world: World): Promise<{ primary?: number; canary?: number; mirrored: boolean }> {
  const vs = await world.kube.get<VirtualService>(Resources.virtualServices, 'test', 'podinfo');
  const route = vs?.spec?.http?.at(-1);
  const weight = (host: string): number | undefined => route?.route?.find((r) => r.destination.host === host)?.weight;
  return { primary: weight('podinfo-primary'), canary: weight('podinfo-canary'), mirrored: route?.mirror !== undefined };
}

/** Ticks `n` intervals (workloads kept ready) and returns [phase, primary weight] after each. */
async function ticks(world: World, n: number): Promise<[string | undefined, number | undefined][]> {
  const seen: [string | undefined, number | undefined][] = [];
  for (let i = 0; i < n; i++) {
    await world.advance(INTERVAL);
    await world.makeReady('podinfo');
    await world.makeReady('podinfo-primary');
    seen.push([(await world.canaryStatus()).phase, (await routes(world)).primary]);
  }
  return seen;
}

describe('canary strategy on Istio', () => {
  let world: World;
  afterEach(async () => world.stop());

  it('steps the weight and never exceeds maxWeight (stepWeight 20, maxWeight 50: 80, 60, 50)', async () => {
    world = await progressing({ stepWeight: 20, maxWeight: 50 });
    expect((await ticks(world, 3)).map(([, primary]) => primary)).toEqual([80, 60, 50]);
    expect((await world.canaryStatus()).canaryWeight).toBe(50);
  });

  it('follows a stepWeights ladder and promotes at its last rung ([1, 2, 10, 80]: 99, 98, 90, 20)', async () => {
    world = await progressing({ stepWeights: [1, 2, 10, 80] });
    const seen = await ticks(world, 5);
    expect(seen.slice(0, 4).map(([, p]) => p)).toEqual([99, 98, 90, 20]);
    expect(seen[4]?.[0]).toBe('Promoting');
  });

  it('goes Progressing → Promoting → Finalising → Succeeded, shifting the primary back in stepWeightPromotion steps', async () => {
    world = await progressing({ stepWeight: 100, stepWeightPromotion: 50 });
    expect(await ticks(world, 5)).toEqual([
      ['Progressing', 0], ['Promoting', 0], ['Promoting', 50], ['Finalising', 100], ['Succeeded', 100],
    ]);
    expect((await world.deployment('podinfo-primary'))?.spec?.template.spec?.containers[0]?.image).toBe('ghcr.io/stefanprodan/podinfo:6.0.1');
    expect((await world.deployment('podinfo'))?.spec?.replicas).toBe(0);
  });

  it('mirrors before the first weight step', async () => {
    world = await progressing({ stepWeight: 10, maxWeight: 20, mirror: true, mirrorWeight: 50 });
    await ticks(world, 1);
    expect(await routes(world)).toEqual({ primary: 100, canary: 0, mirrored: true });
    await ticks(world, 1);
    expect(await routes(world)).toEqual({ primary: 90, canary: 10, mirrored: false });
  });

  it('resets routes to 100/0 and restarts the analysis when a newer revision arrives mid-run', async () => {
    world = await progressing({ stepWeight: 10, maxWeight: 50 });
    await ticks(world, 2);
    expect((await routes(world)).canary).toBe(20);
    await world.setImage('podinfo', 'ghcr.io/stefanprodan/podinfo:6.0.2');
    expect(await routes(world)).toMatchObject({ primary: 100, canary: 0 });
    const status = await world.canaryStatus();
    expect([status.phase, status.canaryWeight, status.failedChecks]).toEqual(['Progressing', 0, 0]);
  });

  it('promotes at once with skipAnalysis', async () => {
    world = await progressing({ stepWeight: 10 }, { skipAnalysis: true });
    await ticks(world, 1);
    expect((await world.canaryStatus()).phase).toBe('Succeeded');
    expect((await world.deployment('podinfo-primary'))?.spec?.template.spec?.containers[0]?.image).toBe('ghcr.io/stefanprodan/podinfo:6.0.1');
  });

  it('keeps all traffic on the healthy canary when the primary fails to roll out during promotion', async () => {
    world = await progressing({ stepWeight: 50, maxWeight: 50 });
    await ticks(world, 2);
    expect((await world.canaryStatus()).phase).toBe('Promoting');
    // The primary's rollout gets stuck past its progress deadline.
    await world.kube.patch(Resources.deployments, { namespace: 'test', name: 'podinfo-primary' }, {
      status: { observedGeneration: 99, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] },
    }, { subresource: 'status' });
    await world.kube.patch(Resources.deployments, { namespace: 'test', name: 'podinfo-primary' }, { metadata: { labels: { stuck: 'yes' } } });
    await world.advance(INTERVAL);
    const status = await world.canaryStatus();
    expect([status.phase, status.canaryWeight]).toEqual(['Failed', 100]);
    expect(await routes(world)).toMatchObject({ primary: 0, canary: 100 });
    expect((await world.deployment('podinfo'))?.spec?.replicas).toBe(2);
  });
});
