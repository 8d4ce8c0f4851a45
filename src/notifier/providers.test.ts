import { describe, expect, it } from 'vitest';
import type { AlertProviderType } from '../api/alert-provider.js';
import { useServerAndClient } from '../../test/support/recording-server.js';
import { discordUrl } from './discord.js';
import { createNotifier, implementedAlertProviders } from './factory.js';
import type { AlertMessage } from './notifier.js';

const message = (severity: AlertMessage['severity']): AlertMessage => ({
  canary: { name: 'podinfo', namespace: 'test' },
  severity,
  text: 'New revision detected, progressing canary analysis.',
  fields: [{ title: 'Cluster', value: 'prod-eu' }, { title: 'Target', value: 'Deployment/podinfo.test' }],
});

const slackShape = (color: string): unknown => ({
  channel: 'releases', username: 'songbird', icon_url: '', icon_emoji: ':rocket:',
  attachments: [{
    color, author_name: 'podinfo.test', text: 'New revision detected, progressing canary analysis.', mrkdwn_in: ['text'],
    fields: [{ title: 'Cluster', value: 'prod-eu', short: false }, { title: 'Target', value: 'Deployment/podinfo.test', short: false }],
  }],
});

const teamsShape = (themeColor: string): unknown => ({
  '@type': 'MessageCard', '@context': 'http://schema.org/extensions', themeColor, summary: 'podinfo.test',
  sections: [{
    activityTitle: 'New revision detected, progressing canary analysis.', activitySubtitle: 'podinfo.test',
    facts: [{ name: 'Cluster', value: 'prod-eu' }, { name: 'Target', value: 'Deployment/podinfo.test' }],
  }],
});

const gchatShape: unknown = {
  cards: [{
    header: { title: 'Flagger', subtitle: 'podinfo.test', imageUrl: 'https://flagger.app/favicon.png' },
    sections: [
      { widgets: [{ textParagraph: { text: '<font color=#848484><strong>New revision detected, progressing canary analysis.</strong></font>' } }] },
      { widgets: [{ textParagraph: { text: 'Cluster<br><font color=#848484><strong>prod-eu</strong></font>' } }] },
      { widgets: [{ textParagraph: { text: 'Target<br><font color=#848484><strong>Deployment/podinfo.test</strong></font>' } }] },
    ],
  }],
};

describe('provider payloads', () => {
  const env = useServerAndClient();

  const post = async (type: AlertProviderType, severity: AlertMessage['severity'], token?: string): Promise<void> => {
    const settings = { url: `${env.server.url}/hook`, username: 'songbird', channel: 'releases', ...(token === undefined ? {} : { token }) };
    await createNotifier(type, env.http, settings).post(message(severity));
  };

  it.each([
    ['slack', 'info', '/hook', slackShape('good')],
    ['slack', 'warn', '/hook', slackShape('good')],
    ['slack', 'error', '/hook', slackShape('danger')],
    ['discord', 'info', '/hook/slack', slackShape('good')],
    ['discord', 'error', '/hook/slack', slackShape('danger')],
    ['rocket', 'info', '/hook', slackShape('#0076D7')],
    ['rocket', 'error', '/hook', slackShape('#FF0000')],
    ['msteams', 'info', '/hook', teamsShape('0076D7')],
    ['msteams', 'error', '/hook', teamsShape('FF0000')],
    ['gchat', 'warn', '/hook', gchatShape],
    ['gchat', 'error', '/hook', gchatShape],
  ] as const)('%s posts a %s alert to %s with Flagger\'s payload', async (type, severity, path, payload) => {
    await post(type, severity);

    expect(env.server.requests).toHaveLength(1);
    expect(env.server.requests[0]?.method).toBe('POST');
    expect(env.server.requests[0]?.url).toBe(path);
    expect(env.server.requests[0]?.headers['content-type']).toBe('application/json');
    expect(env.server.requests[0]?.json).toEqual(payload);
  });

  it('keeps Slack\'s key order, so the body is byte-for-byte Flagger\'s', async () => {
    await post('slack', 'info');

    expect(env.server.requests[0]?.raw).toBe(JSON.stringify(slackShape('good')));
  });

  it.each([...implementedAlertProviders])('%s sends the token as a bearer token when there is one', async (type) => {
    await post(type, 'info', 't0ken');
    await post(type, 'info');

    expect(env.server.requests.map((r) => r.headers.authorization)).toEqual(['Bearer t0ken', undefined]);
  });

  it('escapes markup in Google Chat text and fields', async () => {
    await createNotifier('gchat', env.http, { url: env.server.url, username: 'u', channel: 'c' })
      .post({ ...message('info'), text: 'a <b> & c', fields: [{ title: 'x<y', value: '1 > 0' }] });

    expect(JSON.stringify(env.server.requests[0]?.json)).toContain('a &lt;b&gt; &amp; c');
    expect(JSON.stringify(env.server.requests[0]?.json)).toContain('x&lt;y<br><font color=#848484><strong>1 &gt; 0</strong></font>');
  });

  it('covers every AlertProvider type', () => {
    expect([...implementedAlertProviders].sort()).toEqual(['discord', 'gchat', 'msteams', 'rocket', 'slack']);
  });
});

describe('discordUrl', () => {
  it.each([
    ['https://discord.com/api/webhooks/1/abc', 'https://discord.com/api/webhooks/1/abc/slack'],
    ['https://discord.com/api/webhooks/1/abc/', 'https://discord.com/api/webhooks/1/abc/slack'],
    ['https://discord.com/api/webhooks/1/abc/slack', 'https://discord.com/api/webhooks/1/abc/slack'],
    ['https://discord.com/api/webhooks/1/abc?wait=true', 'https://discord.com/api/webhooks/1/abc/slack?wait=true'],
  ])('turns %s into %s', (url, expected) => {
    expect(discordUrl(url)).toBe(expected);
  });
});
