import type { OperatorConfig } from './config.js';
import { parseAlertProvider, parseCanary } from './api/validate.js';
import type { Clock } from './ports/clock.js';
import type { Logger } from './ports/logger.js';
import type { ClusterCaches } from './reconciler/cluster-caches.js';
import type { DomainBus } from './telemetry/domain-events.js';
import { globalAlertTarget } from './notifier/alert-targets.js';
import { subscribeAlerts } from './notifier/alerts.js';
import { forwardEvents } from './webhooks/event-forwarder.js';
import type { HttpPost } from './webhooks/http-port.js';
import type { AlertProviderLookup, CanaryLookup, SecretLookup } from './webhooks/lookups.js';

/** Lookups over the caches, parsing our kinds (never written back). */
export function cacheLookups(caches: ClusterCaches): { canaries: CanaryLookup; alertProviders: AlertProviderLookup; secrets: SecretLookup } {
  return {
    canaries: (ns, name) => {
      const parsed = parseCanary(caches.canaries.get(ns, name));
      return parsed.ok ? parsed.value : undefined;
    },
    alertProviders: (ns, name) => {
      const raw = caches.alertProviders.get(ns, name);
      const parsed = raw === undefined ? undefined : parseAlertProvider(raw);
      return parsed?.ok === true ? parsed.value : undefined;
    },
    secrets: (ns, name) => caches.secrets.read(ns, name),
  };
}

/**
 * Subscribes the notification sinks to the domain bus: event webhooks (per canary, or the global
 * `--event-webhook`) and alerts (per canary `analysis.alerts`, or the global Slack / MS Teams flags).
 * Returns a function that unsubscribes both.
 */
export function wireNotifications(deps: { bus: DomainBus; http: HttpPost; clock: Clock; logger: Logger; caches: ClusterCaches; config: OperatorConfig }): () => void {
  const lookups = cacheLookups(deps.caches);
  const events = forwardEvents({ bus: deps.bus, http: deps.http, clock: deps.clock, logger: deps.logger, secrets: lookups.secrets, canaries: lookups.canaries, eventWebhook: deps.config.eventWebhook });
  const global = globalAlertTarget(deps.config);
  if (global.problem !== undefined) deps.logger.warn('global notifier disabled', { reason: global.problem });
  const alerts = subscribeAlerts(deps.bus, {
    http: deps.http, logger: deps.logger, canaries: lookups.canaries, alertProviders: lookups.alertProviders, secrets: lookups.secrets,
    clusterName: deps.config.clusterName, ...(global.target === undefined ? {} : { global: global.target }),
  });
  return () => {
    events.stop();
    alerts.stop();
  };
}
