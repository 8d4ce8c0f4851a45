import type { V1DeploymentCondition, V1DeploymentStatus } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { Deployment } from '../kube/resources.js';
import { deploymentReadiness, type Readiness } from './readiness.js';

const now = Date.parse('2024-05-01T10:10:00Z');

function deployment(status: V1DeploymentStatus, opts: { replicas?: number; generation?: number } = {}): Deployment {
  return {
    metadata: { name: 'podinfo', namespace: 'default', generation: opts.generation },
    spec: { replicas: opts.replicas, selector: {}, template: {} },
    status,
  };
}

// The apiserver sends timestamps as strings although client-node types them as Date.
const condition = (c: Omit<V1DeploymentCondition, 'lastUpdateTime'> & { lastUpdateTime?: string }): V1DeploymentCondition =>
  c as V1DeploymentCondition;
const progressing = condition({ type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated' });
const unavailableSince = (at: string | undefined): V1DeploymentCondition =>
  condition({ type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', lastUpdateTime: at });

const notReady = (retriable: boolean, reason: string): Readiness => ({ ready: false, retriable, reason });

describe('deploymentReadiness', () => {
  // Flagger pkg/canary/deployment_ready_test.go TestDeploymentController_isDeploymentReady(_readyThreshold)
  it.each<[string, Deployment, number, Readiness]>([
    ['waits while the observed generation is behind', deployment({ observedGeneration: 1 }, { generation: 2 }), 100,
      notReady(true, 'waiting for rollout to finish: observed deployment generation less than desired generation')],
    ['is ready when every replica is updated and available', deployment({ replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1 }), 100,
      { ready: true }],
    ['waits for new replicas to be updated', deployment({ updatedReplicas: 1 }, { replicas: 2 }), 100,
      notReady(true, 'waiting for rollout to finish: 1 out of 2 new replicas have been updated')],
    ['waits for old replicas to terminate', deployment({ updatedReplicas: 1, replicas: 2 }), 100,
      notReady(true, 'waiting for rollout to finish: 1 old replicas are pending termination')],
    ['waits for updated replicas to be available', deployment({ updatedReplicas: 2, availableReplicas: 1 }), 100,
      notReady(true, 'waiting for rollout to finish: 1 of 2 (readyThreshold 100%) updated replicas are available')],
    ['is ready at 50% with 2 of 4 available', deployment({ updatedReplicas: 4, availableReplicas: 2 }), 50, { ready: true }],
    ['waits at 50% with 1 of 4 available', deployment({ updatedReplicas: 4, availableReplicas: 1 }), 50,
      notReady(true, 'waiting for rollout to finish: 1 of 2 (readyThreshold 50%) updated replicas are available')],
    ['rounds the threshold down: 3 updated at 50% needs 1', deployment({ updatedReplicas: 3, availableReplicas: 1 }), 50, { ready: true }],
    ['counts exactly: 10 updated at 70% needs 7', deployment({ updatedReplicas: 10, availableReplicas: 6 }), 70,
      notReady(true, 'waiting for rollout to finish: 6 of 7 (readyThreshold 70%) updated replicas are available')],
    ['fails for good when the progress deadline is exceeded', deployment({
      conditions: [condition({ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' })],
    }), 100, notReady(false, 'deployment "podinfo" exceeded its progress deadline')],
    ['waits for a deployment scaled to zero', deployment({ replicas: 0, updatedReplicas: 0 }, { replicas: 0 }), 100,
      notReady(true, 'deployment is scaled to zero')],
    ['is ready without spec.replicas when the status is consistent', deployment({}), 100, { ready: true }],
    ['is ready without a spec when the status is consistent', { metadata: { name: 'podinfo' }, status: { replicas: 1, updatedReplicas: 1, availableReplicas: 1 } }, 100,
      { ready: true }],
    ['waits for a deployment the controller has not reported on yet',
      { metadata: { name: 'podinfo' }, spec: { replicas: 1, selector: {}, template: {} } }, 100,
      notReady(true, 'waiting for rollout to finish: 0 out of 1 new replicas have been updated')],
  ])('%s', (_name, dep, threshold, expected) => {
    expect(deploymentReadiness({ deployment: dep, readyThresholdPercent: threshold, progressDeadlineSeconds: 600, now })).toEqual(expected);
  });

  const waitingForAvailable = 'waiting for rollout to finish: 1 of 2 (readyThreshold 100%) updated replicas are available';
  it.each<[string, V1DeploymentCondition[], number, Readiness]>([
    ['is stuck when replicas have been unavailable for longer than the deadline',
      [progressing, unavailableSince('2024-05-01T10:09:54Z')], 5,
      notReady(false, `${waitingForAvailable} (no progress for more than 5s)`)],
    ['is not stuck within the deadline', [progressing, unavailableSince('2024-05-01T10:09:56Z')], 5, notReady(true, waitingForAvailable)],
    ['is not stuck exactly at the deadline', [progressing, unavailableSince('2024-05-01T10:00:00Z')], 600, notReady(true, waitingForAvailable)],
    ['uses the Canary deadline, not the Deployment one', [progressing, unavailableSince('2024-05-01T09:59:59Z')], 600,
      notReady(false, `${waitingForAvailable} (no progress for more than 600s)`)],
    ['is not stuck without a Progressing condition', [unavailableSince('2024-05-01T09:00:00Z')], 5, notReady(true, waitingForAvailable)],
    ['is not stuck when Available is False for another reason',
      [progressing, condition({ type: 'Available', status: 'False', reason: 'Other', lastUpdateTime: '2024-05-01T09:00:00Z' })], 5,
      notReady(true, waitingForAvailable)],
    ['is not stuck without an Available condition', [progressing], 5, notReady(true, waitingForAvailable)],
    ['is not stuck when Available is True',
      [progressing, condition({ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', lastUpdateTime: '2024-05-01T09:00:00Z' })], 5,
      notReady(true, waitingForAvailable)],
    ['dates the condition by its transition time when it has no update time',
      [progressing, { ...unavailableSince(undefined), lastTransitionTime: '2024-05-01T09:00:00Z' } as unknown as V1DeploymentCondition], 5,
      notReady(false, `${waitingForAvailable} (no progress for more than 5s)`)],
    ['is not stuck when the condition has no time', [progressing, unavailableSince(undefined)], 5, notReady(true, waitingForAvailable)],
    ['is not stuck when the condition time is not a date', [progressing, unavailableSince('yesterday')], 5, notReady(true, waitingForAvailable)],
  ])('%s', (_name, conditions, deadline, expected) => {
    const dep = deployment({ conditions, updatedReplicas: 2, availableReplicas: 1 });
    expect(deploymentReadiness({ deployment: dep, readyThresholdPercent: 100, progressDeadlineSeconds: deadline, now })).toEqual(expected);
  });

  it('accepts Date timestamps as client-node types them', () => {
    const available: V1DeploymentCondition = { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', lastUpdateTime: new Date('2024-05-01T09:00:00Z') };
    const dep = deployment({ conditions: [progressing, available], updatedReplicas: 2, availableReplicas: 1 });
    expect(deploymentReadiness({ deployment: dep, readyThresholdPercent: 100, progressDeadlineSeconds: 5, now })).toMatchObject({ retriable: false });
  });

  it('reports readiness of a finished rollout even when it was stuck earlier', () => {
    const dep = deployment({ conditions: [progressing, unavailableSince('2024-05-01T09:00:00Z')], replicas: 2, updatedReplicas: 2, availableReplicas: 2 }, { replicas: 2 });
    expect(deploymentReadiness({ deployment: dep, readyThresholdPercent: 100, progressDeadlineSeconds: 5, now })).toEqual({ ready: true });
  });
});
