/**
 * Forwards every canary notice to the canary's `event` hooks, or to the global `--event-webhook` when it
 * has none (spec §7.3). Delivery is fire and forget, so a slow endpoint never holds up a tick, but bounded:
 * beyond `maxInFlight` deliveries in progress, new ones are dropped with a log line.
 *
 * parity: Flagger pkg/controller/events.go sendEventToWebhook posts synchronously inside the tick, for
 * every event (quirk §12.2).
 */
import type { CanaryWebhook } from '../api/canary-analysis.js';
import type { Canary } from '../api/canary.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { CanaryNotice, DomainBus } from '../telemetry/domain-events.js';
import { deliverWebhook } from './client.js';
import { hooksOfType } from './gates.js';
import type { HttpPost } from './http-port.js';
import type { CanaryLookup, SecretLookup } from './lookups.js';
import { eventPayload, type PayloadSubject } from './payload.js';

/** Default bound on event deliveries in progress at once. */
export const defaultMaxEventsInFlight = 32;

/** What the forwarder needs. */
export interface EventForwarderDeps {
  bus: DomainBus;
  http: HttpPost;
  clock: Clock;
  logger: Logger;
  secrets: SecretLookup;
  /** The current Canary of a notice (for its hooks, phase and checksum); `undefined` once it is gone. */
  canaries: CanaryLookup;
  /** The operator's `--event-webhook` / `EVENT_WEBHOOK_URL`. */
  eventWebhook?: string;
  /** Deliveries in progress at once before new ones are dropped (default 32). */
  maxInFlight?: number;
}

/** A running forwarder. */
export interface EventForwarder {
  /** Stops listening; deliveries in progress finish on their own. */
  stop(): void;
  /** Deliveries in progress. */
  inFlight(): number;
  /** Resolves once no delivery is in progress (for shutdown and tests). */
  idle(): Promise<void>;
}

/**
 * Where a canary's events go: its `event` hooks; without any, the global event webhook as a hook named
 * `events` with default timeout and no retries; nothing when neither exists. A canary that is gone has no
 * hooks any more, so its last events go to the global webhook.
 */
export function eventTargets(canary: Canary | undefined, eventWebhook: string | undefined): CanaryWebhook[] {
  const hooks = canary === undefined ? [] : hooksOfType(canary, 'event');
  if (hooks.length > 0) return hooks;
  return eventWebhook === undefined || eventWebhook === '' ? [] : [{ name: 'events', url: eventWebhook }];
}

/** Subscribes to the bus's `notice` events and forwards each one; see the module comment. */
export function forwardEvents(deps: EventForwarderDeps): EventForwarder {
  const pending = new Set<Promise<void>>();
  const maxInFlight = deps.maxInFlight ?? defaultMaxEventsInFlight;
  const onNotice = (notice: CanaryNotice): void => {
    const log = deps.logger.child({ canary: `${notice.canary.name}.${notice.canary.namespace}` });
    try {
      for (const job of deliveries(deps, notice)) {
        if (pending.size >= maxInFlight) {
          log.warn('event webhook dropped: too many deliveries in progress', { hook: job.hook.name, inFlight: pending.size });
          continue;
        }
        const delivery = send(deps, job, log).finally(() => pending.delete(delivery));
        pending.add(delivery);
      }
    } catch (error) {
      log.error('error sending event to webhook', { error: String(error) });
    }
  };
  deps.bus.on('notice', onNotice);
  return {
    stop: () => { deps.bus.off('notice', onNotice); },
    inFlight: () => pending.size,
    idle: async () => {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}

interface Delivery {
  namespace: string;
  hook: CanaryWebhook;
  payload: unknown;
}

function deliveries(deps: EventForwarderDeps, notice: CanaryNotice): Delivery[] {
  const { name, namespace } = notice.canary;
  const canary = deps.canaries(namespace, name);
  const subject: PayloadSubject = canary ?? { metadata: { name, namespace } };
  const now = deps.clock.now();
  return eventTargets(canary, deps.eventWebhook).map((hook) => ({
    namespace, hook, payload: eventPayload(subject, notice, { now, ...(hook.metadata === undefined ? {} : { metadata: hook.metadata }) }),
  }));
}

async function send(deps: EventForwarderDeps, job: Delivery, log: Logger): Promise<void> {
  try {
    const result = await deliverWebhook(deps, job.namespace, job.hook, job.payload);
    if (!result.ok) log.warn('error sending event to webhook', { hook: job.hook.name, reason: result.reason });
  } catch (error) {
    log.error('error sending event to webhook', { hook: job.hook.name, error: String(error) });
  }
}
