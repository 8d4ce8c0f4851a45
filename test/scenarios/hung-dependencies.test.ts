import { afterEach, describe, expect, it } from 'vitest';
import type { CanaryStatus } from '../../src/api/canary-status.js';
import { aCanary, aDeployment } from '../fixtures/objects.js';
import { World } from './world.js';

const INTERVAL = 15_000;

/** A Blue/Green canary of its own Deployment, with extra analysis settings. */
async function addCanary(world: World, name: string, analysis: Record<string, unknown> = {}, spec: Record<string, unknown> = {}): Promise<void> {
  await world.create('deployment', aDeployment({ name }));
  const canary = aCanary({ name, target: name });
  Object.assign(canary.spec as Record<string, unknown>, spec);
  (canary.spec as { analysis: Record<string, unknown> }).analysis = { interval: '15s', threshold: 2, iterations: 5, ...analysis };
  await world.create('canary', canary);
  await world.makeReady(`${name}-primary`);
}

async function startRuns(world: World, names: readonly string[]): Promise<void> {
  for (const name of names) {
    await world.setImage(name, 'ghcr.io/stefanprodan/podinfo:6.0.1');
    await world.makeReady(name);
  }
}

/** Observes `healthy` in the middle of each of the next `intervals` intervals (a late tick cannot land on an edge). */
async function timeline(world: World, intervals: number): Promise<string[]> {
  const seen: string[] = [];
  await world.advance(INTERVAL / 2);
  for (let i = 0; i < intervals; i++) {
    for (const key of world.controller.scheduler.keys()) {
      const name = key.split('/')[1] ?? '';
      await world.makeReady(name);
      await world.makeReady(`${name}-primary`);
    }
    const status = await world.canaryStatus('healthy');
    seen.push(`${status.phase ?? ''}/${status.iterations ?? 0}`);
    await world.advance(INTERVAL);
  }
  return seen;
}

function lastCheck(status: CanaryStatus, metric: string): string {
  const value = status.lastMetricValues?.[metric];
  return `${value?.verdict ?? 'none'}: ${value?.message ?? ''}`;
}

describe('a Prometheus or a webhook that hangs', () => {
  let world: World;
  // Hung requests end only when the fake clock passes their timeouts: move it on while stopping.
  afterEach(async () => {
    const stopped = world.stop();
    await world.advance(300_000);
    await stopped;
  });

  it('fails the check with the timeout as reason, never passes, and does not delay the other canaries', async () => {
    // One tick slot, so that a hung canary holding it would stop every other canary.
    const baseline = await new World(['--max-concurrent-analyses', '1']).start();
    await addCanary(baseline, 'healthy');
    await startRuns(baseline, ['healthy']);
    const alone = await timeline(baseline, 8);
    await baseline.stop();

    world = await new World(['--max-concurrent-analyses', '1']).start();
    world.hungHosts.add('hung-prometheus:9090');
    world.hungHosts.add('hung-hook.test');
    const successRate = { name: 'request-success-rate', thresholdRange: { min: 99 }, interval: '1m' };
    await addCanary(world, 'slow-prometheus', { metrics: [successRate] }, { metricsServer: 'http://hung-prometheus:9090' });
    await addCanary(world, 'slow-hook', { webhooks: [{ name: 'load-test', url: 'http://hung-hook.test/', timeout: '20s', retries: 1 }] });
    await addCanary(world, 'healthy');
    await startRuns(world, ['slow-prometheus', 'slow-hook', 'healthy']);

    expect(await timeline(world, 8)).toEqual(alone);
    expect(alone.at(-1)).toMatch(/^(Promoting|Finalising|Succeeded)/);
    await world.advance(120_000);

    const prometheus = await world.canaryStatus('slow-prometheus');
    expect(prometheus.phase).toBe('Failed');
    expect(lastCheck(prometheus, 'request-success-rate'))
      .toMatch(/^Fail: metric request-success-rate: GET http:\/\/hung-prometheus:9090\/api\/v1\/query timed out after 5000 ms$/);
    const hook = await world.canaryStatus('slow-hook');
    expect(hook.phase).toBe('Failed');
    expect(world.messages()).toEqual(expect.arrayContaining([
      expect.stringMatching(/^Halt advancement rollout check load-test failed timed out: timeout of 20000ms exceeded \(after 2 attempts\)$/),
      expect.stringMatching(/^Halt slow-prometheus\.test advancement metric request-success-rate: GET http:\/\/hung-prometheus:9090\/api\/v1\/query timed out after 5000 ms/),
    ]));
  });
});
