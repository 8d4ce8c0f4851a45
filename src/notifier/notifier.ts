/**
 * Chat notifications (spec §9.2): one {@link AlertMessage} per canary state change, rendered into each
 * provider's payload and POSTed with a 5 s timeout, an optional proxy and an optional bearer token.
 */
import type { Severity } from '../telemetry/domain-events.js';
import { HttpError, type HttpPost } from '../webhooks/http-port.js';

/** One labelled value shown under the alert text, e.g. `{ title: 'Cluster', value: 'prod-eu' }`. */
export interface AlertField {
  title: string;
  value: string;
}

/** What an alert says, independent of the chat service. */
export interface AlertMessage {
  canary: { name: string; namespace: string };
  severity: Severity;
  text: string;
  fields: AlertField[];
}

/** A chat service. `post` rejects with an Error saying why when the message was not accepted. */
export interface Notifier {
  post(message: AlertMessage): Promise<void>;
}

/** Where and as whom a notifier posts. */
export interface NotifierSettings {
  /** Hook URL (from the AlertProvider's Secret `address`, else `spec.address`, or a global flag). */
  url: string;
  /** Sent as `Authorization: Bearer <token>` when set. */
  token?: string;
  /** HTTP(S) proxy URL. */
  proxy?: string;
  /** Bot user name (Slack, Discord, Rocket.Chat). */
  username: string;
  /** Channel (Slack, Discord, Rocket.Chat). */
  channel: string;
}

/** Time allowed for one notification. parity: Flagger pkg/notifier/client.go postMessage, 5s. */
export const notifierTimeoutMs = 5000;

/** `<name>.<namespace>`, how every provider names the canary. */
export function canaryLabel(message: AlertMessage): string {
  return `${message.canary.name}.${message.canary.namespace}`;
}

/**
 * POSTs a provider payload; resolves on any 2xx, rejects with an Error carrying the status and the start of
 * the answer otherwise, or the transport error.
 *
 * parity: Flagger sends the token only for Slack (pkg/notifier/factory.go); here a `token` in the
 * AlertProvider's Secret is sent to every provider, since a user who stored one meant it to be used.
 */
export async function postNotification(http: HttpPost, settings: NotifierSettings, payload: unknown): Promise<void> {
  const headers: Record<string, string> = settings.token === undefined || settings.token === '' ? {} : { Authorization: `Bearer ${settings.token}` };
  let status: number;
  let body: string;
  try {
    ({ status, body } = await http.post(settings.url, payload, {
      headers, timeoutMs: notifierTimeoutMs, ...(settings.proxy === undefined ? {} : { proxy: settings.proxy }),
    }));
  } catch (error) {
    throw new Error(`sending notification failed: ${error instanceof HttpError ? error.message : String(error)}`, { cause: error });
  }
  if (status < 200 || status >= 300) {
    throw new Error(`sending notification bad response ${status}: ${body.trim().slice(0, 200)}`);
  }
}
