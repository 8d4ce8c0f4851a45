import type { V1DaemonSetStatus } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { DaemonSet } from '../kube/resources.js';
import { daemonSetReadiness } from './readiness.js';

const T0 = Date.parse('2026-01-01T10:00:00Z');

function daemonSet(status: Partial<V1DaemonSetStatus>, opts: { generation?: number; parked?: boolean } = {}): DaemonSet {
  return {
    metadata: { name: 'podinfo', generation: opts.generation ?? 2 },
    spec: {
      selector: { matchLabels: { app: 'podinfo' } },
      template: { spec: { containers: [], ...(opts.parked === true ? { nodeSelector: { 'flagger.app/scale-to-zero': 'true' } } : {}) } },
    },
    status: { currentNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0, desiredNumberScheduled: 0, observedGeneration: 2, ...status },
  };
}

const check = (ds: DaemonSet, opts: { threshold?: number; now?: number } = {}): ReturnType<typeof daemonSetReadiness> =>
  daemonSetReadiness({ daemonSet: ds, readyThresholdPercent: opts.threshold ?? 100, progressDeadlineSeconds: 600, since: T0, now: opts.now ?? T0 + 1000 });

describe('daemonSetReadiness', () => {
  it('is ready when every node runs an updated, available pod', () => {
    expect(check(daemonSet({ desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 3, numberReady: 3 }))).toEqual({ ready: true });
  });

  it('waits while the status has not observed the current generation', () => {
    expect(check(daemonSet({ observedGeneration: 1, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 3 }))).toEqual({
      ready: false, retriable: true, reason: 'waiting for rollout to finish: observed daemonset generation less than desired generation',
    });
  });

  it('waits while nodes still run the old template', () => {
    expect(check(daemonSet({ desiredNumberScheduled: 3, updatedNumberScheduled: 1, numberAvailable: 3 }))).toEqual({
      ready: false, retriable: true, reason: 'waiting for rollout to finish: 1 out of 3 new pods have been updated',
    });
  });

  it('needs floor(desired × threshold / 100) available pods: 3 nodes at 50% need 1, at 100% need 3', () => {
    const twoOfThree = daemonSet({ desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 1 });
    expect(check(twoOfThree, { threshold: 50 })).toEqual({ ready: true });
    expect(check(twoOfThree)).toEqual({
      ready: false, retriable: true, reason: 'waiting for rollout to finish: 1 of 3 (readyThreshold 100%) updated pods are available',
    });
  });

  it('is not ready while parked, even though no node should run a pod', () => {
    expect(check(daemonSet({}, { parked: true }))).toEqual({ ready: false, retriable: true, reason: 'daemonset is scaled to zero' });
  });

  it('stops being retriable once the phase began more than progressDeadlineSeconds ago (600s: 10:10:00 retriable, 10:10:00.001 not)', () => {
    const stuck = daemonSet({ desiredNumberScheduled: 3, updatedNumberScheduled: 0, numberAvailable: 0 });
    expect(check(stuck, { now: T0 + 600_000 })).toMatchObject({ ready: false, retriable: true });
    expect(check(stuck, { now: T0 + 600_001 })).toEqual({
      ready: false, retriable: false, reason: 'waiting for rollout to finish: 0 out of 3 new pods have been updated (no progress for more than 600s)',
    });
  });
});
