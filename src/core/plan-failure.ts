/**
 * What a run does when it fails, for the release preview (`plan.ts`): what ends it, what it then does with
 * traffic and workloads, and what deleting the Canary does. Pure.
 */
import type { Canary, CanaryProvider } from '../api/canary.js';
import { approvalDeadlineSeconds, progressDeadlineSeconds, webhookType } from '../api/defaults.js';
import type { DeploymentStrategy } from '../api/defaults.js';

/** One way a run fails, with the Ready condition reason it leaves. */
export interface FailureTrigger {
  reason: string;
  when: string;
}

/** What a failed run does. */
export interface FailurePlan {
  /** What ends a run in Failed, in the order the analysis looks at them. */
  triggers: FailureTrigger[];
  /** A rollback during the analysis: what happens, in order. */
  rollback: string[];
  /** A promotion whose primary does not roll out. */
  failedPromotion: string;
  /** The earliest a run can roll back on failed checks: the threshold's failures, then one more tick. */
  earliestRollbackSeconds: number;
  revertOnDeletion: boolean;
  /** What deleting the Canary does. */
  onDeletion: string;
}

interface FailureContext {
  provider: CanaryProvider;
  strategy: DeploymentStrategy | 'skip';
  threshold: number;
  intervalSeconds: number;
}

/**
 * The failure plan of `canary`.
 *
 * Arithmetic: checks fail from the first tick (pre-rollout counts too); the threshold is compared at the
 * start of a tick, so threshold 2 at interval 30 s rolls back at tick 3: 90 s after the start.
 */
export function describeFailure(canary: Canary, c: FailureContext): FailurePlan {
  const hookTypes = new Set((canary.spec.analysis.webhooks ?? []).map(webhookType));
  const revertOnDeletion = canary.spec.revertOnDeletion === true;
  return {
    triggers: triggers(canary, c, hookTypes),
    rollback: [
      'route all traffic to the primary (100/0)',
      ...(c.provider === 'alb' && canary.spec.verifyTrafficWeights !== false ? ['wait until the load balancer applies 100/0'] : []),
      'scale the canary to zero',
      'phase Failed; the Ready condition names the reason',
      ...(hookTypes.has('post-rollout') ? ['call the post-rollout webhooks with phase Failed'] : []),
      'the primary keeps serving the last promoted revision; the next revision (or a retry) starts a new run',
    ],
    failedPromotion: `primary not rolled out within progressDeadlineSeconds (${progressDeadlineSeconds(canary)}s): all traffic to the canary `
      + '(0/100), which keeps running; phase Failed',
    earliestRollbackSeconds: c.strategy === 'skip' ? 0 : (c.threshold + 1) * c.intervalSeconds,
    revertOnDeletion,
    onDeletion: revertOnDeletion
      ? 'the target is scaled back up and made ready, then the apex Service and the routes point at it again; then the primary goes'
      : 'the primary, its Services and routes are deleted with the Canary; the target keeps its current replicas (zero after a run)',
  };
}

function triggers(canary: Canary, c: FailureContext, hookTypes: ReadonlySet<string>): FailureTrigger[] {
  const progress = progressDeadlineSeconds(canary);
  const approval = approvalDeadlineSeconds(canary);
  const list: FailureTrigger[] = [
    { reason: 'ProgressDeadlineExceeded', when: `the canary is not ready within progressDeadlineSeconds (${progress}s)` },
  ];
  if (c.strategy !== 'skip') {
    // The Ready reason names the kind of the last failed check (see failure-cause.ts).
    list.push({ reason: 'CheckFailed', when: `${c.threshold} failed checks, the last a metric` });
    if (hookTypes.has('pre-rollout') || hookTypes.has('rollout')) {
      list.push({ reason: 'WebhookRefused', when: `${c.threshold} failed checks, the last a pre-rollout or rollout webhook` });
    }
  }
  if (hookTypes.has('rollback')) list.push({ reason: 'RollbackRequested', when: 'a rollback webhook answers 2xx' });
  for (const gate of ['confirm-traffic-increase', 'confirm-promotion'] as const) {
    if (hookTypes.has(gate) && c.strategy !== 'skip') {
      list.push({ reason: 'ApprovalDeadlineExceeded', when: `${gate} not approved within approvalDeadlineSeconds (${approval}s)` });
    }
  }
  if (c.provider === 'alb' && canary.spec.verifyTrafficWeights !== false) {
    list.push({ reason: 'TrafficNotApplied', when: `the load balancer does not apply the weights within progressDeadlineSeconds (${progress}s)` });
  }
  return list;
}
