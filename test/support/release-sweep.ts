import type { KillRun } from './kill-release.js';

/**
 * What is wrong with one faulted release compared with the uninterrupted one; empty when nothing is: another end
 * state, other than one promotion, a doubled "Promotion completed" event, weight on an unready canary, or no
 * post-rollout call. `exactlyOneCompletedEvent`: whether the run must announce its promotion (a fault that loses
 * a tick's answer may lose that tick's events, which follow only a patch the operator saw succeed).
 */
export function releaseProblems(run: KillRun, reference: KillRun, exactlyOneCompletedEvent = false): string[] {
  const events = exactlyOneCompletedEvent ? run.completedEvents === 1 : run.completedEvents <= 1;
  return [
    JSON.stringify(run.end) === JSON.stringify(reference.end) ? '' : `end state ${JSON.stringify(run.end)}`,
    run.promotions === 1 ? '' : `${run.promotions} promotions`,
    events ? '' : `${run.completedEvents} "Promotion completed" events`,
    run.unreadyWeights.length === 0 ? '' : `weight on an unready canary: ${run.unreadyWeights.join('; ')}`,
    run.postRolloutCalls >= 1 ? '' : 'post-rollout webhook never called',
  ].filter((p) => p !== '');
}

/** Maps `items` through `fn` with at most `size` calls in flight, keeping the order of the results. */
export async function inPool<T, R>(items: readonly T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
  return results;
}
