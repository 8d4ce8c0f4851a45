import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createDomainBus } from './domain-events.js';
import { subscribeOutcomeMetrics } from './outcome-metrics.js';
import { Recorder } from './recorder.js';

const canary = { name: 'podinfo', namespace: 'test', target: 'podinfo-app' };

async function sample(registry: Registry, name: string): Promise<{ labels: Record<string, string | number>; value: number }[]> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  return (metric?.values ?? []).map((v) => ({ labels: v.labels as Record<string, string | number>, value: v.value }));
}

describe('the outcome metrics', () => {
  function wired(): { registry: Registry; bus: ReturnType<typeof createDomainBus>; stop: () => void } {
    const registry = new Registry();
    const bus = createDomainBus();
    const stop = subscribeOutcomeMetrics(bus, new Recorder(registry, { version: 'test', meshProvider: 'istio' }));
    return { registry, bus, stop };
  }

  it('count releases by result and reason, under the target name as Flagger\'s metrics do', async () => {
    const { registry, bus } = wired();
    bus.emit('releaseEnded', { canary, result: 'failed', reason: 'CheckFailed', seconds: 90 });
    bus.emit('releaseEnded', { canary, result: 'failed', reason: 'CheckFailed', seconds: 30 });
    bus.emit('releaseEnded', { canary, result: 'succeeded', reason: 'Succeeded', seconds: 400 });
    expect(await sample(registry, 'songbird_releases_total')).toEqual([
      { labels: { name: 'podinfo-app', namespace: 'test', result: 'failed', reason: 'CheckFailed' }, value: 2 },
      { labels: { name: 'podinfo-app', namespace: 'test', result: 'succeeded', reason: 'Succeeded' }, value: 1 },
    ]);
  });

  it('observe the release duration in the histogram of its result (90 s and 30 s: two failed runs, sum 120)', async () => {
    const { registry, bus } = wired();
    bus.emit('releaseEnded', { canary, result: 'failed', reason: 'CheckFailed', seconds: 90 });
    bus.emit('releaseEnded', { canary, result: 'failed', reason: 'Aborted', seconds: 30 });
    bus.emit('releaseEnded', { canary, result: 'failed', reason: 'Aborted' });
    const values = await sample(registry, 'songbird_release_duration_seconds');
    const failed = (suffix: string): number | undefined => values.find((v) => v.labels.result === 'failed' && String(v.labels.le) === suffix)?.value;
    expect([failed('60'), failed('120'), failed('+Inf')]).toEqual([1, 2, 2]);
    const sum = (await registry.getSingleMetricAsString('songbird_release_duration_seconds')).match(/_sum\{name="podinfo-app",namespace="test",result="failed"\} (\d+)/)?.[1];
    expect(sum).toBe('120');
  });

  it('observe the time in the phase a canary leaves, not the first phase of a new Canary, and stop on unsubscribe', async () => {
    const { registry, bus, stop } = wired();
    bus.emit('phaseChanged', { canary, from: '', to: 'Initializing', seconds: 0 });
    bus.emit('phaseChanged', { canary, from: 'Progressing', to: 'Promoting', seconds: 45 });
    stop();
    bus.emit('phaseChanged', { canary, from: 'Promoting', to: 'Finalising', seconds: 10 });
    const counts = (await sample(registry, 'songbird_phase_duration_seconds')).filter((v) => v.labels.le === '+Inf');
    expect(counts).toEqual([{ labels: { name: 'podinfo-app', namespace: 'test', phase: 'Progressing', le: '+Inf' }, value: 1 }]);
  });

  it('leave Flagger\'s metrics as they are', async () => {
    const { registry } = wired();
    const names = (await registry.getMetricsAsJSON()).map((m) => m.name).filter((n) => n.startsWith('flagger_'));
    expect(names).toEqual([
      'flagger_info', 'flagger_canary_total', 'flagger_canary_status', 'flagger_canary_weight', 'flagger_canary_duration_seconds',
      'flagger_canary_metric_analysis', 'flagger_canary_successes_total', 'flagger_canary_failures_total',
    ]);
  });
});
