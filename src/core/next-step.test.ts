import { describe, expect, it } from 'vitest';
import { isTerminal, nextStep, type StepKind, type TickFacts } from './next-step.js';

const ready = { ready: true } as const;
const base: TickFacts = {
  phase: 'Initialized', deleting: false, hasFinalizer: false, revertOnDeletion: false, suspended: false, stalled: false,
  target: 'ok', primary: ready, targetReplicas: 0, revisionChanged: false, verifiesRoutes: false, routes: 'unverified', scaleDownPending: false,
  postRolloutPending: false, initialized: true, phaseOverdue: false,
};
const verifying: Partial<TickFacts> = { phase: 'Initializing', targetReplicas: 2, verifiesRoutes: true };
const rolledBack: Partial<TickFacts> = { phase: 'Failed', targetReplicas: 2, verifiesRoutes: true, scaleDownPending: true };
const setupDone: StepKind[] = ['reconcile-workloads', 'reconcile-routing'];

describe('nextStep', () => {
  it.each<[string, Partial<TickFacts>, StepKind[], StepKind]>([
    ['finalizes a deleted canary that holds the finalizer', { deleting: true, hasFinalizer: true }, [], 'finalize'],
    ['leaves a deleted canary without finalizer to the garbage collector', { deleting: true }, [], 'ignore-deleted'],
    ['adds the finalizer when revertOnDeletion is set', { revertOnDeletion: true }, [], 'add-finalizer'],
    ['removes the finalizer when revertOnDeletion is cleared', { hasFinalizer: true }, [], 'remove-finalizer'],
    ['does nothing more for a suspended canary', { suspended: true }, [], 'suspended'],
    ['stalls on a spec it cannot act on', { stalled: true }, [], 'stall'],
    ['reports a missing target', { target: 'missing' }, [], 'target-problem'],
    ['reports a target without a selector label', { target: 'invalid' }, [], 'target-problem'],
    ['reconciles the workloads first', { phase: '' }, [], 'reconcile-workloads'],
    ['waits for a primary that is not ready during initialization', { phase: 'Initializing', primary: { ready: false, retriable: true, reason: 'x' } }, ['reconcile-workloads'], 'wait-primary'],
    ['waits for a primary that does not exist yet during initialization', { phase: '', primary: 'missing' }, ['reconcile-workloads'], 'wait-primary'],
    ['reconciles routing once the primary is ready', { phase: 'Initializing' }, ['reconcile-workloads'], 'reconcile-routing'],
    ['scales the target to zero during initialization', { phase: 'Initializing', targetReplicas: 2 }, setupDone, 'scale-target-to-zero'],
    ['marks the canary initialized once the target is at zero', { phase: 'Initializing', targetReplicas: 2 }, [...setupDone, 'scale-target-to-zero'], 'mark-initialized'],
    ['starts a run on a new revision after initialization', { revisionChanged: true }, setupDone, 'start-run'],
    ['starts a run on a new revision after success', { phase: 'Succeeded', revisionChanged: true }, setupDone, 'start-run'],
    ['starts a run on a new revision after failure', { phase: 'Failed', revisionChanged: true }, setupDone, 'start-run'],
    ['idles when nothing changed', {}, setupDone, 'idle'],
    ['asks the provider before scaling the target down during initialization', verifying, setupDone, 'verify-routes'],
    ['keeps the target running during initialization while the provider has not applied all-to-primary',
      { ...verifying, routes: 'pending' }, [...setupDone, 'verify-routes'], 'wait-routes'],
    ['keeps the target running during initialization even past the deadline', { ...verifying, routes: 'overdue' }, [...setupDone, 'verify-routes'], 'wait-routes'],
    ['scales the target down during initialization once the provider applied all-to-primary',
      { ...verifying, routes: 'applied' }, [...setupDone, 'verify-routes'], 'scale-target-to-zero'],
    ['asks the provider after a rollback that left the target running', rolledBack, setupDone, 'verify-routes'],
    ['scales a rolled-back target down once the provider applied all-to-primary', { ...rolledBack, routes: 'applied' }, [...setupDone, 'verify-routes'], 'scale-target-to-zero'],
    ['idles once the deferred scale-down is done', { ...rolledBack, routes: 'applied' }, [...setupDone, 'verify-routes', 'scale-target-to-zero'], 'idle'],
    ['keeps a rolled-back target running while the provider still routes to it', { ...rolledBack, routes: 'pending' }, [...setupDone, 'verify-routes'], 'wait-routes'],
    ['starts a run on a new revision even while a scale-down waits', { ...rolledBack, revisionChanged: true }, setupDone, 'start-run'],
    ['restarts a progressing run on a new revision', { phase: 'Progressing', revisionChanged: true }, setupDone, 'restart-run'],
    ['restarts a run waiting for promotion on a new revision', { phase: 'WaitingPromotion', revisionChanged: true }, setupDone, 'restart-run'],
    ['does not restart a promoting run', { phase: 'Promoting', revisionChanged: true, targetReplicas: 2 }, setupDone, 'analyse'],
    ['continues the analysis of a progressing run', { phase: 'Progressing', targetReplicas: 2 }, setupDone, 'analyse'],
    ['scales a target found at zero replicas back up during a run', { phase: 'Progressing' }, setupDone, 'scale-target-up'],
    ['finishes a finalising run whose target is already at zero', { phase: 'Finalising' }, setupDone, 'analyse'],
    ['calls the post-rollout webhooks a saved outcome left', { phase: 'Succeeded', postRolloutPending: true }, setupDone, 'post-rollout'],
    ['scales the target of a saved success down after its webhooks', { phase: 'Succeeded', postRolloutPending: true, scaleDownPending: true, targetReplicas: 2 },
      [...setupDone, 'post-rollout'], 'scale-target-to-zero'],
    ['calls the post-rollout webhooks before starting the next run', { phase: 'Failed', postRolloutPending: true, revisionChanged: true }, setupDone, 'post-rollout'],
    ['keeps the traffic where it is while a new revision waits for a ready primary (after a failed promotion)',
      { phase: 'Failed', revisionChanged: true, primary: { ready: false, retriable: false, reason: 'stuck' } }, setupDone, 'wait-primary'],
    ['fails an initialization whose primary is not ready past the deadline', { phase: 'Initializing', primary: { ready: false, retriable: true, reason: 'x' }, phaseOverdue: true, initialized: false }, ['reconcile-workloads'], 'fail-initialization'],
    ['keeps waiting for the primary after a failed initialization', { phase: 'Failed', primary: 'missing', initialized: false, phaseOverdue: true }, ['reconcile-workloads'], 'wait-primary'],
    ['initializes once the primary of a failed initialization is ready', { phase: 'Failed', initialized: false }, setupDone, 'mark-initialized'],
    ['asks confirm-rollout again while Waiting within the deadline', { phase: 'Waiting', revisionChanged: true }, setupDone, 'start-run'],
    ['fails a revision held in Waiting past the approval deadline', { phase: 'Waiting', revisionChanged: true, phaseOverdue: true }, setupDone, 'fail-waiting'],
    ['does not wait for the primary outside initialization', { phase: 'Progressing', primary: { ready: false, retriable: true, reason: 'x' } }, ['reconcile-workloads'], 'reconcile-routing'],
    ['takes only a failed canary without a promoted revision for a failed initialization, not a succeeded one',
      { phase: 'Succeeded', initialized: false, primary: { ready: false, retriable: true, reason: 'x' } }, ['reconcile-workloads'], 'reconcile-routing'],
    ['analyses once the target found at zero replicas was scaled up this tick', { phase: 'Progressing' }, [...setupDone, 'scale-target-up'], 'analyse'],
  ])('%s', (_name, facts, done, expected) => {
    expect(nextStep({ ...base, ...facts }, new Set(done))).toBe(expected);
  });

  it('ends the tick on a failed initialization or a failed wait, and goes on after a scale-up', () => {
    expect([isTerminal('fail-initialization'), isTerminal('fail-waiting'), isTerminal('scale-target-up')]).toEqual([true, true, false]);
  });

  it('always reaches a terminal step within a bounded number of steps', () => {
    const phases = ['', 'Initializing', 'Initialized', 'Progressing', 'Succeeded', 'Failed'] as const;
    for (const phase of phases) {
      for (const revertOnDeletion of [true, false]) {
        const done = new Set<StepKind>();
        let step = nextStep({ ...base, phase, revertOnDeletion, targetReplicas: 1 }, done);
        let count = 0;
        while (!isTerminal(step)) {
          done.add(step);
          step = nextStep({ ...base, phase, revertOnDeletion, hasFinalizer: done.has('add-finalizer'), targetReplicas: 1 }, done);
          count += 1;
          expect(count).toBeLessThan(10);
        }
      }
    }
  });
});
