/** Builds the notifier of an AlertProvider type. */
import type { AlertProviderType } from '../api/alert-provider.js';
import type { HttpPost } from '../webhooks/http-port.js';
import { discordNotifier } from './discord.js';
import { gchatNotifier } from './gchat.js';
import { msteamsNotifier } from './msteams.js';
import type { Notifier, NotifierSettings } from './notifier.js';
import { rocketNotifier } from './rocket.js';
import { slackNotifier } from './slack.js';

/** Every AlertProvider type this operator can post to (for `validateAlertProvider`). */
export const implementedAlertProviders: ReadonlySet<AlertProviderType> = new Set(['slack', 'msteams', 'discord', 'rocket', 'gchat']);

/** The notifier for a provider type, posting through `http` with `settings`. */
export function createNotifier(type: AlertProviderType, http: HttpPost, settings: NotifierSettings): Notifier {
  switch (type) {
    case 'slack':
      return slackNotifier(http, settings);
    case 'msteams':
      return msteamsNotifier(http, settings);
    case 'discord':
      return discordNotifier(http, settings);
    case 'rocket':
      return rocketNotifier(http, settings);
    case 'gchat':
      return gchatNotifier(http, settings);
  }
}
