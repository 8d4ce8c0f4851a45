/** Chat notifications (spec §9.2): the notifiers of every AlertProvider type and the alert subscription. */
export * from './alerts.js';
export * from './discord.js';
export * from './factory.js';
export * from './gchat.js';
export * from './msteams.js';
export * from './notifier.js';
export * from './rocket.js';
export * from './slack.js';
