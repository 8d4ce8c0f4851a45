import { randomBytes } from 'node:crypto';
import { maxEventMessageBytes, truncateUtf8 } from '../api/limits.js';
import type { Clock } from '../ports/clock.js';
import type { Kube } from '../ports/kube.js';
import type { Logger } from '../ports/logger.js';
import { Resources, type KubeEvent } from '../kube/resources.js';
import type { CanaryNotice, DomainBus } from './domain-events.js';

/**
 * Records every notice as a Kubernetes Event on the Canary, with Flagger's reason `Synced` and source
 * component `flagger` (spec §9.1), and logs it. Failures to record are logged, never thrown. The Event
 * keeps at most 1 KiB of the message (a check's event quotes its rendered query); the log keeps it all.
 */
export function recordNoticesAsEvents(deps: { bus: DomainBus; kube: Kube; clock: Clock; logger: Logger }): void {
  deps.bus.on('notice', (notice) => {
    const log = deps.logger.child({ canary: `${notice.canary.name}.${notice.canary.namespace}` });
    log[notice.severity === 'info' ? 'info' : notice.severity === 'warn' ? 'warn' : 'error'](notice.message);
    deps.kube.create(Resources.events, kubeEvent(notice, deps.clock.now())).catch((error: unknown) => {
      log.warn('could not record event', { error: String(error) });
    });
  });
}

function kubeEvent(notice: CanaryNotice, now: number): KubeEvent {
  const time = new Date(now).toISOString();
  const { name, namespace, uid } = notice.canary;
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${name}.${randomBytes(8).toString('hex')}`, namespace },
    involvedObject: { apiVersion: 'flagger.app/v1beta1', kind: 'Canary', name, namespace, ...(uid === undefined ? {} : { uid }) },
    reason: notice.reason ?? 'Synced',
    message: truncateUtf8(notice.message, maxEventMessageBytes),
    type: notice.severity === 'info' ? 'Normal' : 'Warning',
    source: { component: 'flagger' },
    firstTimestamp: time as unknown as Date,
    lastTimestamp: time as unknown as Date,
    count: 1,
    reportingComponent: 'flagger',
    reportingInstance: 'songbird',
  };
}
