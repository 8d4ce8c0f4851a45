/**
 * Alerts (spec §9.2, user-pain Top-15 item 5): every notice the reconciler marks `alert: true` becomes one
 * chat message to each receiver of the canary. The reconciler sets `alert` on state changes only, so a
 * canary waiting at a gate for an hour alerts once, not once per interval.
 */
import type { OperatorConfig } from '../config.js';
import type { Logger } from '../ports/logger.js';
import type { CanaryNotice, DomainBus } from '../telemetry/domain-events.js';
import type { HttpPost } from '../webhooks/http-port.js';
import type { AlertProviderLookup, CanaryLookup, SecretLookup } from '../webhooks/lookups.js';
import { alertFields, clusterFields } from './alert-fields.js';
import { alertTargets, type AlertTarget, type AlertTargets } from './alert-targets.js';
import { createNotifier } from './factory.js';
import type { AlertMessage } from './notifier.js';

export { alertFields, clusterFields, trafficRouting, type AlertFieldOptions } from './alert-fields.js';
export { alertTargets, globalAlertTarget, receivesSeverity, type AlertLookups, type AlertTarget, type AlertTargets } from './alert-targets.js';

/** What {@link subscribeAlerts} needs. */
export interface AlertDeps {
  http: HttpPost;
  logger: Logger;
  /** The current Canary of a notice (for its alerts and fields); `undefined` once it is gone. */
  canaries: CanaryLookup;
  alertProviders: AlertProviderLookup;
  secrets: SecretLookup;
  /** The operator's `--cluster-name`, shown as the `Cluster` field. */
  clusterName?: OperatorConfig['clusterName'];
  /** The global notifier (see `globalAlertTarget`), for canaries without `analysis.alerts`. */
  global?: AlertTarget;
  /** Which notices carry the run details (Target, thresholds, routing); default {@link announcesRun}. */
  withDetails?: (notice: CanaryNotice) => boolean;
}

/** A live subscription. */
export interface AlertSubscription {
  /** Stops listening; alerts being posted finish on their own. */
  stop(): void;
  /** Resolves once no alert is being posted (for shutdown and tests). */
  idle(): Promise<void>;
}

/**
 * True for the notices that announce a run, the two alerts Flagger sends with run details: "Initialization
 * done! …" and "New revision detected! Scaling up …".
 */
export function announcesRun(notice: CanaryNotice): boolean {
  return /^(Initialization done!|New revision detected! Scaling up)/.test(notice.message);
}

/**
 * Posts one alert per `notice` with `alert: true` to each receiver from `alertTargets`, the text being the
 * notice's message. Unresolvable receivers and failed posts are logged, never thrown; a slow chat service
 * never holds up the tick (posting is not awaited by the bus).
 */
export function subscribeAlerts(bus: DomainBus, deps: AlertDeps): AlertSubscription {
  const pending = new Set<Promise<void>>();
  const onNotice = (notice: CanaryNotice): void => {
    if (notice.alert !== true) return;
    const log = deps.logger.child({ canary: `${notice.canary.name}.${notice.canary.namespace}` });
    const sending = send(deps, notice, log).finally(() => pending.delete(sending));
    pending.add(sending);
  };
  bus.on('notice', onNotice);
  return {
    stop: () => { bus.off('notice', onNotice); },
    idle: async () => {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}

// Resolves the receivers (reading provider Secrets may take a request) and posts to each; never throws.
async function send(deps: AlertDeps, notice: CanaryNotice, log: Logger): Promise<void> {
  try {
    const { message, targets } = await prepare(deps, notice, log);
    await Promise.all(targets.map((target) => post(deps.http, target, message, log)));
  } catch (error) {
    log.error('alert can\'t be sent', { error: String(error) });
  }
}

async function prepare(deps: AlertDeps, notice: CanaryNotice, log: Logger): Promise<{ message: AlertMessage; targets: AlertTarget[] }> {
  const { name, namespace } = notice.canary;
  const canary = deps.canaries(namespace, name);
  const details = (deps.withDetails ?? announcesRun)(notice);
  const fields = canary === undefined ? clusterFields(deps.clusterName) : alertFields(canary, { clusterName: deps.clusterName, details });
  const resolved: AlertTargets = canary === undefined
    ? { targets: deps.global === undefined ? [] : [deps.global], problems: [] }
    : await alertTargets(canary, notice.severity, { alertProviders: deps.alertProviders, secrets: deps.secrets, global: deps.global });
  for (const problem of resolved.problems) log.warn('alert can\'t be sent', { problem });
  return { message: { canary: { name, namespace }, severity: notice.severity, text: notice.message, fields }, targets: resolved.targets };
}

async function post(http: HttpPost, target: AlertTarget, message: AlertMessage, log: Logger): Promise<void> {
  try {
    await createNotifier(target.type, http, target.settings).post(message);
  } catch (error) {
    log.warn('alert can\'t be sent', { alert: target.name, provider: target.type, error: error instanceof Error ? error.message : String(error) });
  }
}
