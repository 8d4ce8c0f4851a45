import type { DomainBus } from './domain-events.js';
import type { Recorder } from './recorder.js';

/**
 * Feeds Songbird's outcome metrics from the domain events, which are emitted only once a tick's status is
 * saved: a release that ended counts once, and a phase's time is observed when the Canary leaves it.
 * Returns the unsubscribe function.
 */
export function subscribeOutcomeMetrics(bus: DomainBus, recorder: Recorder): () => void {
  const onPhase: Parameters<typeof bus.on<'phaseChanged'>>[1] = (change) => {
    // The first phase of a Canary (from the empty phase) has no time to report.
    if (change.from !== '' && change.seconds !== undefined) recorder.observePhase(change.canary.target, change.canary.namespace, change.from, change.seconds);
  };
  const onRelease: Parameters<typeof bus.on<'releaseEnded'>>[1] = (end) => {
    recorder.countRelease({ target: end.canary.target, namespace: end.canary.namespace, result: end.result, reason: end.reason, seconds: end.seconds });
  };
  bus.on('phaseChanged', onPhase);
  bus.on('releaseEnded', onRelease);
  return () => {
    bus.off('phaseChanged', onPhase);
    bus.off('releaseEnded', onRelease);
  };
}
