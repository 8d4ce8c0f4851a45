/** Rocket.Chat notifier: the Slack payload with Rocket.Chat's colours. */
import type { HttpPost } from '../webhooks/http-port.js';
import type { Notifier, NotifierSettings } from './notifier.js';
import { postNotification } from './notifier.js';
import { slackPayload, type AttachmentColors } from './slack.js';

/** Rocket.Chat attachment colours. parity: Flagger pkg/notifier/rocket.go, `#0076D7` and `#FF0000`. */
export const rocketColors: AttachmentColors = { normal: '#0076D7', error: '#FF0000' };

/** A notifier posting Slack-shaped payloads to a Rocket.Chat incoming webhook. */
export function rocketNotifier(http: HttpPost, settings: NotifierSettings): Notifier {
  return { post: (message) => postNotification(http, settings, slackPayload(message, settings, rocketColors)) };
}
