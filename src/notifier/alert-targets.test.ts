import { describe, expect, it } from 'vitest';
import type { AlertProvider } from '../api/alert-provider.js';
import type { CanaryAlert } from '../api/canary-analysis.js';
import type { Secret } from '../kube/resources.js';
import type { Severity } from '../telemetry/domain-events.js';
import { aCanary, anAlertProvider, aSecret, lookupOf } from '../../test/fixtures/webhooks.js';
import { alertTargets, globalAlertTarget, receivesSeverity, type AlertTarget } from './alert-targets.js';

const global: AlertTarget = { name: 'global', type: 'slack', settings: { url: 'https://hooks.slack.test/g', username: 'flagger', channel: 'ops' } };

describe('receivesSeverity', () => {
  it.each([
    ['info', 'info', true], ['info', 'warn', true], ['info', 'error', true],
    ['warn', 'info', false], ['warn', 'warn', true], ['warn', 'error', true],
    ['error', 'info', false], ['error', 'warn', false], ['error', 'error', true],
  ] as const)('an alert at %s receives %s: %s', (subscribed, severity, receives) => {
    expect(receivesSeverity(subscribed, severity)).toBe(receives);
  });
});

describe('alertTargets severity filtering', () => {
  const providers = [anAlertProvider('chat', { type: 'slack', address: 'https://hooks.slack.test/c' })];
  const alert = (name: string, severity?: CanaryAlert['severity']): CanaryAlert =>
    ({ name, providerRef: { name: 'chat' }, ...(severity === undefined ? {} : { severity }) });
  const canary = aCanary({ analysis: { alerts: [alert('all'), alert('empty', ''), alert('info', 'info'), alert('warn', 'warn'), alert('error', 'error')] } });
  const lookups = { alertProviders: lookupOf(providers), secrets: lookupOf<Secret>([]), global };

  it.each([
    ['info', ['all', 'empty', 'info']],
    ['warn', ['all', 'empty', 'info', 'warn']],
    ['error', ['all', 'empty', 'info', 'warn', 'error']],
  ] as const)('sends a %s message to %j (an omitted severity is info, fixing Flagger §12.10)', async (severity, names) => {
    const result = await alertTargets(canary, severity, lookups);

    expect(result.targets.map((t) => t.name)).toEqual(names);
    expect(result.problems).toEqual([]);
  });

  it.each(['info', 'warn', 'error'] as const)('sends a %s message to the global notifier when the canary has no alerts', async (severity) => {
    expect(await alertTargets(aCanary(), severity, lookups)).toEqual({ targets: [global], problems: [] });
  });

  it('sends nothing without alerts or a global notifier', async () => {
    expect(await alertTargets(aCanary(), 'error', { ...lookups, global: undefined })).toEqual({ targets: [], problems: [] });
  });

  it('never falls back to the global notifier when the canary\'s alerts filter a message out', async () => {
    const errorsOnly = aCanary({ analysis: { alerts: [alert('error', 'error')] } });

    expect(await alertTargets(errorsOnly, 'info', lookups)).toEqual({ targets: [], problems: [] });
  });
});

describe('alertTargets provider resolution', () => {
  const resolve = (providers: AlertProvider[], secrets: Secret[], severity: Severity = 'info') => {
    const canary = aCanary({ analysis: { alerts: [{ name: 'on-call', providerRef: { name: 'chat', ...(providers[0]?.metadata.namespace === 'ops' ? { namespace: 'ops' } : {}) } }] } });
    return alertTargets(canary, severity, { alertProviders: lookupOf(providers), secrets: lookupOf(secrets) });
  };

  it.each<[string, AlertProvider[], Secret[], AlertTarget['settings']]>([
    ['the spec address with default user name and channel',
      [anAlertProvider('chat', { type: 'slack', address: 'https://hooks.slack.test/a' })], [],
      { url: 'https://hooks.slack.test/a', username: 'flagger', channel: 'general' }],
    ['the provider\'s channel, user name and proxy',
      [anAlertProvider('chat', { type: 'rocket', address: 'https://rocket.test/h', channel: 'rel', username: 'bird', proxy: 'http://proxy:3128' })], [],
      { url: 'https://rocket.test/h', username: 'bird', channel: 'rel', proxy: 'http://proxy:3128' }],
    ['the Secret\'s address over the spec address, and its token, trimmed',
      [anAlertProvider('chat', { type: 'slack', address: 'https://ignored.test/', secretRef: { name: 'chat-url' } })],
      [aSecret('chat-url', { address: 'https://hooks.slack.test/secret\n', token: 'xoxb-1\n' })],
      { url: 'https://hooks.slack.test/secret', username: 'flagger', channel: 'general', token: 'xoxb-1' }],
    ['a provider and Secret in the namespace of the reference',
      [anAlertProvider('chat', { type: 'msteams', secretRef: { name: 'teams' } }, 'ops')],
      [aSecret('teams', { address: 'https://teams.test/h' }, 'ops')],
      { url: 'https://teams.test/h', username: 'flagger', channel: 'general' }],
  ])('uses %s', async (_case, providers, secrets, settings) => {
    const type = providers[0]?.spec.type;

    expect(await resolve(providers, secrets)).toEqual({ targets: [{ name: 'on-call', type, settings }], problems: [] });
  });

  it.each<[string, AlertProvider[], Secret[], string]>([
    ['a missing provider', [], [], 'alert on-call: AlertProvider test/chat not found'],
    ['a missing Secret',
      [anAlertProvider('chat', { type: 'slack', secretRef: { name: 'chat-url' } })], [],
      'alert on-call: AlertProvider test/chat: Secret test/chat-url not found'],
    ['a Secret without an address key',
      [anAlertProvider('chat', { type: 'slack', address: 'https://a.test/', secretRef: { name: 'chat-url' } })], [aSecret('chat-url', { token: 't' })],
      'alert on-call: AlertProvider test/chat: Secret test/chat-url has no address key'],
    ['no address at all', [anAlertProvider('chat', { type: 'slack' })], [], 'alert on-call: AlertProvider test/chat: no address'],
    ['an address that is not a URL', [anAlertProvider('chat', { type: 'slack', address: 'hooks slack' })], [],
      'alert on-call: AlertProvider test/chat: address is not a valid URL'],
    ['an address that is not http(s)', [anAlertProvider('chat', { type: 'slack', address: 'ftp://x/' })], [],
      'alert on-call: AlertProvider test/chat: address is not an http(s) URL'],
    ['a bad proxy', [anAlertProvider('chat', { type: 'slack', address: 'https://a.test/', proxy: 'nope' })], [],
      'alert on-call: AlertProvider test/chat: proxy is not a valid URL'],
  ])('reports %s as a problem and skips that alert', async (_case, providers, secrets, problem) => {
    expect(await resolve(providers, secrets)).toEqual({ targets: [], problems: [problem] });
  });
});

describe('globalAlertTarget', () => {
  const config = (slack: Partial<{ url: string; token: string; proxyUrl: string; channel: string }>, msteams: Partial<{ url: string; proxyUrl: string }> = {}) =>
    ({ slack: { user: 'flagger', ...slack }, msteams });

  it.each([
    ['nothing without a Slack or Teams URL', config({ channel: 'ops' }), {}],
    ['Slack with its channel, user, token and proxy', config({ url: 'https://hooks.slack.test/g', channel: 'ops', token: 'xoxb', proxyUrl: 'http://p:1' }), {
      target: { name: 'global', type: 'slack', settings: { url: 'https://hooks.slack.test/g', username: 'flagger', channel: 'ops', token: 'xoxb', proxy: 'http://p:1' } },
    }],
    ['Teams, which wins over Slack', config({ url: 'https://hooks.slack.test/g', channel: 'ops' }, { url: 'https://teams.test/h', proxyUrl: 'http://p:2' }), {
      target: { name: 'global', type: 'msteams', settings: { url: 'https://teams.test/h', username: 'flagger', channel: 'ops', proxy: 'http://p:2' } },
    }],
    ['a problem instead of Slack without a channel', config({ url: 'https://hooks.slack.test/g' }), {
      problem: 'the global Slack notifier needs --slack-channel; no global alerts will be sent',
    }],
    ['a problem for a malformed URL', config({ url: 'hooks', channel: 'ops' }), { problem: 'global notifier disabled: --slack-url is not a valid URL' }],
    ['a problem for a malformed proxy', config({}, { url: 'https://teams.test/h', proxyUrl: '::' }), {
      problem: 'global notifier disabled: --msteams-proxy-url is not a valid URL',
    }],
  ])('gives %s', (_case, settings, expected) => {
    expect(globalAlertTarget(settings)).toEqual(expected);
  });
});
