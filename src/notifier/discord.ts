/** Discord notifier: Discord's Slack-compatible endpoint (`<hook URL>/slack`) with the Slack payload. */
import type { HttpPost } from '../webhooks/http-port.js';
import type { Notifier, NotifierSettings } from './notifier.js';
import { postNotification } from './notifier.js';
import { slackPayload } from './slack.js';

/**
 * The Slack-compatible URL of a Discord webhook: `/slack` appended to the path unless the URL already ends
 * with it; the query string is kept. Example: `https://discord.com/api/webhooks/1/abc` →
 * `https://discord.com/api/webhooks/1/abc/slack`. parity: Flagger pkg/notifier/discord.go NewDiscord.
 */
export function discordUrl(url: string): string {
  if (url.endsWith('/slack')) return url;
  const parsed = new URL(url);
  parsed.pathname = `${parsed.pathname.replace(/\/+$/, '')}/slack`;
  return parsed.toString();
}

/** A notifier posting Slack payloads to a Discord webhook's `/slack` endpoint. */
export function discordNotifier(http: HttpPost, settings: NotifierSettings): Notifier {
  const target = { ...settings, url: discordUrl(settings.url) };
  return { post: (message) => postNotification(http, target, slackPayload(message, settings)) };
}
