import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlertProvider } from '../api/alert-provider.js';
import type { Canary } from '../api/canary.js';
import { createDomainBus, type CanaryNotice, type DomainBus } from '../telemetry/domain-events.js';
import { createAxiosHttpPost, type ClosableHttpPost } from '../webhooks/http-port.js';
import { aCanary, anAlertProvider, aSecret, lookupOf } from '../../test/fixtures/webhooks.js';
import { RecordingLogger } from '../../test/support/recording-logger.js';
import { startRecordingServer, type RecordingServer } from '../../test/support/recording-server.js';
import { announcesRun, subscribeAlerts, type AlertDeps, type AlertSubscription } from './alerts.js';

const notice = (over: Partial<CanaryNotice> = {}): CanaryNotice => ({
  canary: { name: 'podinfo', namespace: 'test', target: 'podinfo' }, severity: 'info', alert: true,
  message: 'New revision detected! Scaling up podinfo.test', phase: 'Progressing', ...over,
});

describe('subscribeAlerts', () => {
  let server: RecordingServer;
  let http: ClosableHttpPost;
  let bus: DomainBus;
  let logger: RecordingLogger;
  let subscription: AlertSubscription;
  let canaries: Canary[];
  let providers: AlertProvider[];
  const subscribe = (extra: Partial<AlertDeps> = {}): AlertSubscription => {
    subscription = subscribeAlerts(bus, {
      http, logger, canaries: lookupOf(canaries), alertProviders: lookupOf(providers),
      secrets: lookupOf([aSecret('chat-url', { address: `${server.url}/secret-hook`, token: 'xoxb-1' })]), clusterName: 'prod-eu', ...extra,
    });
    return subscription;
  };
  const paths = (): string[] => server.requests.map((r) => r.url).sort();

  beforeEach(async () => {
    server = await startRecordingServer();
    http = createAxiosHttpPost();
    bus = createDomainBus();
    logger = new RecordingLogger();
    canaries = [];
    providers = [];
  });
  afterEach(async () => {
    await server.close();
    await subscription.idle();
    subscription.stop();
    http.close();
  });

  it('posts one Slack alert with the run details for a notice announcing a run', async () => {
    providers = [anAlertProvider('chat', { type: 'slack', channel: 'releases', secretRef: { name: 'chat-url' } })];
    canaries = [aCanary({ analysis: { iterations: undefined, stepWeight: 10, maxWeight: 50, alerts: [{ name: 'team', providerRef: { name: 'chat' } }] } })];
    subscribe();

    bus.emit('notice', notice());
    await subscription.idle();

    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.url).toBe('/secret-hook');
    expect(server.requests[0]?.headers.authorization).toBe('Bearer xoxb-1');
    expect(server.requests[0]?.raw).toBe(JSON.stringify({
      channel: 'releases', username: 'flagger', icon_url: '', icon_emoji: ':rocket:',
      attachments: [{
        color: 'good', author_name: 'podinfo.test', text: 'New revision detected! Scaling up podinfo.test', mrkdwn_in: ['text'],
        fields: [
          { title: 'Cluster', value: 'prod-eu', short: false },
          { title: 'Target', value: 'Deployment/podinfo.test', short: false },
          { title: 'Failed checks threshold', value: '2', short: false },
          { title: 'Progress deadline', value: '60s', short: false },
          { title: 'Traffic routing', value: 'Weight step: 10 max: 50', short: false },
        ],
      }],
    }));
  });

  it('posts nothing for notices that are not alerts (never once per interval)', async () => {
    providers = [anAlertProvider('chat', { type: 'slack', address: `${server.url}/a` })];
    canaries = [aCanary({ analysis: { alerts: [{ name: 'team', providerRef: { name: 'chat' } }] } })];
    subscribe();

    for (let i = 0; i < 5; i++) bus.emit('notice', notice({ alert: false, message: 'Advance podinfo.test canary iteration 1/5' }));
    bus.emit('notice', notice({ alert: undefined }));
    await subscription.idle();

    expect(server.requests).toEqual([]);
  });

  it('sends each alert to the providers whose severity matches', async () => {
    providers = ['info', 'warn', 'error'].map((s) => anAlertProvider(s, { type: 'msteams', address: `${server.url}/${s}` }));
    canaries = [aCanary({ analysis: { alerts: (['info', 'warn', 'error'] as const).map((s) => ({ name: s, severity: s, providerRef: { name: s } })) } })];
    subscribe();

    bus.emit('notice', notice({ severity: 'warn', message: 'Halt podinfo.test advancement waiting for approval gate' }));
    await subscription.idle();

    expect(paths()).toEqual(['/info', '/warn']);
    expect(server.requests[0]?.json).toMatchObject({ themeColor: '0076D7', sections: [{ facts: [{ name: 'Cluster', value: 'prod-eu' }] }] });
  });

  it('uses the global notifier for a canary without alerts, and only then', async () => {
    const global = { name: 'global', type: 'msteams' as const, settings: { url: `${server.url}/global`, username: 'flagger', channel: '' } };
    providers = [anAlertProvider('chat', { type: 'slack', address: `${server.url}/own` })];
    canaries = [aCanary(), aCanary({ name: 'other', analysis: { alerts: [{ name: 'own', providerRef: { name: 'chat' } }] } })];
    subscribe({ global });

    bus.emit('notice', notice({ severity: 'error', message: 'Rolling back podinfo.test failed checks threshold reached 2' }));
    bus.emit('notice', notice({ canary: { name: 'other', namespace: 'test', target: 'podinfo' }, severity: 'error', message: 'Canary failed!' }));
    await subscription.idle();

    expect(paths()).toEqual(['/global', '/own']);
    expect(server.requests.find((r) => r.url === '/global')?.json).toMatchObject({ themeColor: 'FF0000', summary: 'podinfo.test' });
  });

  it('alerts the global notifier with the cluster only about a canary that is gone', async () => {
    subscribe({ global: { name: 'global', type: 'slack', settings: { url: `${server.url}/global`, username: 'flagger', channel: 'ops' } } });

    bus.emit('notice', notice({ message: 'Terminated canary podinfo.test' }));
    await subscription.idle();

    expect(server.requests[0]?.json).toMatchObject({ attachments: [{ fields: [{ title: 'Cluster', value: 'prod-eu', short: false }] }] });
  });

  it('logs unresolvable providers and failed posts instead of throwing', async () => {
    server.reply = () => ({ status: 500, body: 'slack is down' });
    providers = [anAlertProvider('chat', { type: 'slack', address: `${server.url}/a` })];
    canaries = [aCanary({ analysis: { alerts: [{ name: 'gone', providerRef: { name: 'missing' } }, { name: 'team', providerRef: { name: 'chat' } }] } })];
    subscribe();

    expect(() => bus.emit('notice', notice({ severity: 'error', message: 'Canary failed!' }))).not.toThrow();
    await subscription.idle();

    expect(logger.lines.filter((l) => l.level === 'warn')).toEqual([
      { level: 'warn', message: 'alert can\'t be sent', fields: { canary: 'podinfo.test', problem: 'alert gone: AlertProvider test/missing not found' } },
      { level: 'warn', message: 'alert can\'t be sent', fields: {
        canary: 'podinfo.test', alert: 'team', provider: 'slack', error: 'sending notification bad response 500: slack is down',
      } },
    ]);
  });

  it('returns from emit while the chat service is slow', async () => {
    server.reply = () => ({ delayMs: 'never' });
    subscribe({ global: { name: 'global', type: 'slack', settings: { url: `${server.url}/global`, username: 'flagger', channel: 'ops' } } });

    const started = performance.now();
    bus.emit('notice', notice());

    expect(performance.now() - started).toBeLessThan(50);
    await expect.poll(() => server.requests.length).toBe(1);
  });
});

describe('announcesRun', () => {
  it.each([
    ['Initialization done! podinfo.test', true],
    ['New revision detected! Scaling up podinfo.test', true],
    ['New revision detected! Restarting analysis for podinfo.test', false],
    ['Canary failed! Scaling down podinfo.test', false],
  ])('%s → %s', (message, expected) => {
    expect(announcesRun(notice({ message }))).toBe(expected);
  });
});
