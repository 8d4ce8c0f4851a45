/**
 * Who receives an alert (spec §9.2): the canary's `analysis.alerts` filtered by severity, each resolved to
 * its AlertProvider and Secret; or, for a canary without alerts, the operator's global Slack or Teams hook.
 */
import type { AlertProviderSpec, AlertProviderType } from '../api/alert-provider.js';
import type { CanaryAlert, AlertSeverity } from '../api/canary-analysis.js';
import type { Canary } from '../api/canary.js';
import { alertProviderChannel, alertProviderUsername, alertSeverity, refNamespace } from '../api/defaults.js';
import type { OperatorConfig } from '../config.js';
import type { Severity } from '../telemetry/domain-events.js';
import { secretValue, type AlertProviderLookup, type SecretLookup } from '../webhooks/lookups.js';
import type { NotifierSettings } from './notifier.js';

/** One resolved receiver: a name for logs (the alert's, or `global`), the provider type and its settings. */
export interface AlertTarget {
  name: string;
  type: AlertProviderType;
  settings: NotifierSettings;
}

/** Where {@link alertTargets} finds providers, their Secrets, and the global notifier. */
export interface AlertLookups {
  alertProviders: AlertProviderLookup;
  secrets: SecretLookup;
  /** The operator's global notifier (see {@link globalAlertTarget}), used by canaries without alerts. */
  global?: AlertTarget;
}

/** The receivers of one alert, and the alerts that could not be resolved (to be logged). */
export interface AlertTargets {
  targets: AlertTarget[];
  problems: string[];
}

/**
 * Whether an alert subscribed at `subscribed` receives a message of `severity`: `info` receives everything,
 * `warn` receives warn and error, `error` only error.
 */
export function receivesSeverity(subscribed: Exclude<AlertSeverity, ''>, severity: Severity): boolean {
  switch (subscribed) {
    case 'info':
      return true;
    case 'warn':
      return severity === 'warn' || severity === 'error';
    case 'error':
      return severity === 'error';
  }
}

/**
 * The receivers of a message of `severity` about `canary`. With `analysis.alerts`, only those (the global
 * notifier is not used), filtered by {@link receivesSeverity}, an omitted severity being `info`; without,
 * the global notifier for every severity, when there is one.
 *
 * parity: Flagger pkg/controller/events.go alert; an alert without severity receives nothing there
 * (quirk §12.10).
 */
export async function alertTargets(canary: Canary, severity: Severity, lookups: AlertLookups): Promise<AlertTargets> {
  const alerts = canary.spec.analysis.alerts ?? [];
  if (alerts.length === 0) return { targets: lookups.global === undefined ? [] : [lookups.global], problems: [] };
  const result: AlertTargets = { targets: [], problems: [] };
  for (const alert of alerts.filter((a) => receivesSeverity(alertSeverity(a), severity))) {
    const resolved = await providerTarget(canary, alert, lookups);
    if (typeof resolved === 'string') result.problems.push(`alert ${alert.name}: ${resolved}`);
    else result.targets.push(resolved);
  }
  return result;
}

async function providerTarget(canary: Canary, alert: CanaryAlert, lookups: AlertLookups): Promise<AlertTarget | string> {
  const namespace = refNamespace(canary, alert.providerRef);
  const provider = lookups.alertProviders(namespace, alert.providerRef.name);
  if (provider === undefined) return `AlertProvider ${namespace}/${alert.providerRef.name} not found`;
  const { spec } = provider;
  const address = await providerAddress(namespace, spec, lookups.secrets);
  if (typeof address === 'string') return `AlertProvider ${namespace}/${alert.providerRef.name}: ${address}`;
  const proxy = spec.proxy !== undefined && spec.proxy !== '' ? spec.proxy : undefined;
  const problem = urlProblem(address.url, 'address') ?? (proxy === undefined ? undefined : urlProblem(proxy, 'proxy'));
  if (problem !== undefined) return `AlertProvider ${namespace}/${alert.providerRef.name}: ${problem}`;
  return {
    name: alert.name,
    type: spec.type,
    settings: {
      url: address.url, username: alertProviderUsername(spec), channel: alertProviderChannel(spec),
      ...(address.token === undefined ? {} : { token: address.token }), ...(proxy === undefined ? {} : { proxy }),
    },
  };
}

/**
 * The hook URL and token of a provider: the Secret's `address` (which wins over `spec.address`) and `token`
 * keys, trimmed (a trailing newline from `echo … | base64` is common); a problem when the Secret or its
 * `address` key is missing. parity: Flagger pkg/controller/events.go alert, same precedence.
 */
async function providerAddress(namespace: string, spec: AlertProviderSpec, secrets: SecretLookup): Promise<{ url: string; token?: string } | string> {
  if (spec.secretRef === undefined) return { url: spec.address ?? '' };
  const secret = await secrets(namespace, spec.secretRef.name);
  if (secret === undefined) return `Secret ${namespace}/${spec.secretRef.name} not found`;
  const url = secretValue(secret, 'address')?.trim();
  if (url === undefined) return `Secret ${namespace}/${spec.secretRef.name} has no address key`;
  const token = secretValue(secret, 'token')?.trim();
  return token === undefined || token === '' ? { url } : { url, token };
}

/** Why `url` cannot be posted to, without repeating it (hook URLs carry credentials); `undefined` if fine. */
function urlProblem(url: string, what: string): string | undefined {
  if (url === '') return `no ${what}`;
  try {
    const protocol = new URL(url).protocol;
    return protocol === 'http:' || protocol === 'https:' ? undefined : `${what} is not an http(s) URL`;
  } catch {
    return `${what} is not a valid URL`;
  }
}

/**
 * The operator's global notifier from its flags: MS Teams when `--msteams-url` is set (it wins over Slack),
 * else Slack when `--slack-url` is set, else none. Slack needs `--slack-channel`; without it there is no
 * global notifier and `problem` says so, for a log line at startup.
 *
 * parity: cmd/flagger/main.go initNotifier; Flagger silently falls back to no notifications there.
 */
export function globalAlertTarget(config: Pick<OperatorConfig, 'slack' | 'msteams'>): { target?: AlertTarget; problem?: string } {
  const { slack, msteams } = config;
  const base = { username: slack.user, channel: slack.channel ?? '' };
  if (msteams.url !== undefined && msteams.url !== '') {
    return checked({ name: 'global', type: 'msteams', settings: { ...base, url: msteams.url, ...(msteams.proxyUrl ? { proxy: msteams.proxyUrl } : {}) } });
  }
  if (slack.url === undefined || slack.url === '') return {};
  if (base.channel === '') return { problem: 'the global Slack notifier needs --slack-channel; no global alerts will be sent' };
  return checked({
    name: 'global', type: 'slack',
    settings: { ...base, url: slack.url, ...(slack.token ? { token: slack.token } : {}), ...(slack.proxyUrl ? { proxy: slack.proxyUrl } : {}) },
  });
}

function checked(target: AlertTarget): { target?: AlertTarget; problem?: string } {
  const flag = target.type === 'msteams' ? '--msteams' : '--slack';
  const problem = urlProblem(target.settings.url, `${flag}-url`)
    ?? (target.settings.proxy === undefined ? undefined : urlProblem(target.settings.proxy, `${flag}-proxy-url`));
  return problem === undefined ? { target } : { problem: `global notifier disabled: ${problem}` };
}
