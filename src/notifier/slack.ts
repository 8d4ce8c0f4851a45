/**
 * Slack incoming-webhook notifier, and the Slack payload that Discord and Rocket.Chat reuse.
 *
 * Example payload: `{"channel":"general","username":"flagger","icon_url":"","icon_emoji":":rocket:",
 * "attachments":[{"color":"good","author_name":"podinfo.test","text":"…","mrkdwn_in":["text"],
 * "fields":[{"title":"Cluster","value":"prod","short":false}]}]}`.
 */
import type { HttpPost } from '../webhooks/http-port.js';
import { canaryLabel, postNotification, type AlertMessage, type Notifier, type NotifierSettings } from './notifier.js';

/** One field of a Slack attachment. */
export interface SlackField {
  title: string;
  value: string;
  short: boolean;
}

/** A Slack message attachment. */
export interface SlackAttachment {
  color: string;
  author_name: string;
  text: string;
  mrkdwn_in: string[];
  fields: SlackField[];
}

/** A Slack webhook payload. */
export interface SlackPayload {
  channel: string;
  username: string;
  icon_url: string;
  icon_emoji: string;
  attachments: SlackAttachment[];
}

/** Attachment colours for errors and for everything else. */
export interface AttachmentColors {
  normal: string;
  error: string;
}

/** Slack's colours: `good` (green) and, for errors, `danger` (red). */
export const slackColors: AttachmentColors = { normal: 'good', error: 'danger' };

/**
 * The Slack payload of an alert: channel, user name, the `:rocket:` icon and one attachment whose author is
 * `<name>.<namespace>`. parity: Flagger pkg/notifier/slack.go Post, same fields and key order.
 */
export function slackPayload(message: AlertMessage, settings: Pick<NotifierSettings, 'channel' | 'username'>, colors = slackColors): SlackPayload {
  return {
    channel: settings.channel,
    username: settings.username,
    icon_url: '',
    icon_emoji: ':rocket:',
    attachments: [{
      color: message.severity === 'error' ? colors.error : colors.normal,
      author_name: canaryLabel(message),
      text: message.text,
      mrkdwn_in: ['text'],
      fields: message.fields.map((f) => ({ title: f.title, value: f.value, short: false })),
    }],
  };
}

/** A notifier posting {@link slackPayload}s to a Slack incoming webhook. */
export function slackNotifier(http: HttpPost, settings: NotifierSettings): Notifier {
  return { post: (message) => postNotification(http, settings, slackPayload(message, settings)) };
}
