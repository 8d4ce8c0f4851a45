/**
 * Microsoft Teams notifier: an Office 365 connector MessageCard.
 *
 * Example payload: `{"@type":"MessageCard","@context":"http://schema.org/extensions","themeColor":"0076D7",
 * "summary":"podinfo.test","sections":[{"activityTitle":"…","activitySubtitle":"podinfo.test",
 * "facts":[{"name":"Cluster","value":"prod"}]}]}`.
 */
import type { HttpPost } from '../webhooks/http-port.js';
import { canaryLabel, postNotification, type AlertMessage, type Notifier, type NotifierSettings } from './notifier.js';

/** A Teams MessageCard. */
export interface TeamsPayload {
  '@type': 'MessageCard';
  '@context': 'http://schema.org/extensions';
  themeColor: string;
  summary: string;
  sections: { activityTitle: string; activitySubtitle: string; facts: { name: string; value: string }[] }[];
}

/**
 * The MessageCard of an alert: blue (`0076D7`), red (`FF0000`) for errors, one section with the text as
 * title and the fields as facts. parity: Flagger pkg/notifier/teams.go Post, same fields and key order.
 */
export function teamsPayload(message: AlertMessage): TeamsPayload {
  return {
    '@type': 'MessageCard',
    '@context': 'http://schema.org/extensions',
    themeColor: message.severity === 'error' ? 'FF0000' : '0076D7',
    summary: canaryLabel(message),
    sections: [{
      activityTitle: message.text,
      activitySubtitle: canaryLabel(message),
      facts: message.fields.map((f) => ({ name: f.title, value: f.value })),
    }],
  };
}

/** A notifier posting {@link teamsPayload}s to a Teams incoming webhook. */
export function msteamsNotifier(http: HttpPost, settings: NotifierSettings): Notifier {
  return { post: (message) => postNotification(http, settings, teamsPayload(message)) };
}
