import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Canary } from '../api/canary.js';
import { createDomainBus, type CanaryNotice, type DomainBus } from '../telemetry/domain-events.js';
import { FakeClock } from '../../test/fakes/fake-clock.js';
import { eventTargets, forwardEvents, type EventForwarder, type EventForwarderDeps } from './event-forwarder.js';
import { createAxiosHttpPost, type ClosableHttpPost } from './http-port.js';
import { aCanary, aCanaryWithHooks, aSecret, lookupOf } from '../../test/fixtures/webhooks.js';
import { RecordingLogger } from '../../test/support/recording-logger.js';
import { startRecordingServer, type RecordingServer } from '../../test/support/recording-server.js';

const notice = (over: Partial<CanaryNotice> = {}): CanaryNotice => ({
  canary: { name: 'podinfo', namespace: 'test', target: 'podinfo' }, severity: 'info', message: 'Advance podinfo.test canary weight 10', phase: 'Progressing', ...over,
});

describe('eventTargets', () => {
  it.each([
    ['the canary\'s event hooks when it has some', aCanaryWithHooks([{ name: 'e', type: 'event', url: 'http://e/' }, { name: 'l', url: 'http://l/' }]), 'http://g/', ['e']],
    ['the global webhook when the canary has no event hook', aCanaryWithHooks([{ name: 'l', url: 'http://l/' }]), 'http://g/', ['events']],
    ['the global webhook when the canary is gone', undefined, 'http://g/', ['events']],
    ['nothing without event hooks or a global webhook', aCanary(), undefined, []],
    ['nothing for an empty global webhook', aCanary(), '', []],
  ])('are %s', (_case, canary, global, names) => {
    expect(eventTargets(canary, global).map((h) => h.name)).toEqual(names);
  });
});

describe('forwardEvents', () => {
  let server: RecordingServer;
  let http: ClosableHttpPost;
  let bus: DomainBus;
  let logger: RecordingLogger;
  let forwarder: EventForwarder | undefined;
  let canaries: Canary[];
  const start = (extra: Partial<EventForwarderDeps> = {}): EventForwarder => {
    forwarder = forwardEvents({
      bus, http, logger, clock: new FakeClock(), canaries: lookupOf(canaries),
      secrets: lookupOf([aSecret('events-auth', { Authorization: 'Bearer ev' })]), eventWebhook: `${server.url}/global`, ...extra,
    });
    return forwarder;
  };

  beforeEach(async () => {
    server = await startRecordingServer();
    http = createAxiosHttpPost();
    bus = createDomainBus();
    logger = new RecordingLogger();
    canaries = [];
    forwarder = undefined;
  });
  afterEach(async () => {
    await server.close();
    await forwarder?.idle();
    forwarder?.stop();
    http.close();
  });

  it('posts each notice to every event hook of the canary, with the hook\'s metadata and headers, and not to the global webhook', async () => {
    canaries = [aCanaryWithHooks([
      { name: 'audit', type: 'event', url: `${server.url}/audit`, metadata: { team: 'web' }, headersSecretRef: { name: 'events-auth' } },
      { name: 'chat', type: 'event', url: `${server.url}/chat` },
      { name: 'load', url: `${server.url}/load` },
    ])];
    const running = start();

    bus.emit('notice', notice());
    await running.idle();

    expect(server.requests.map((r) => r.url).sort()).toEqual(['/audit', '/chat']);
    const audit = server.requests.find((r) => r.url === '/audit');
    expect(audit?.headers.authorization).toBe('Bearer ev');
    expect(audit?.raw).toBe(
      '{"name":"podinfo","namespace":"test","phase":"Progressing","checksum":"e859ffebbb397c94","metadata":'
      + '{"eventMessage":"Advance podinfo.test canary weight 10","eventType":"Normal","team":"web","timestamp":"1767225600000"}}',
    );
  });

  it('posts to the global event webhook when the canary has no event hook', async () => {
    canaries = [aCanary()];
    const running = start();

    bus.emit('notice', notice({ severity: 'warn', message: 'Halt podinfo.test advancement waiting for approval gate' }));
    await running.idle();

    expect(server.requests.map((r) => [r.url, r.json])).toEqual([['/global', {
      name: 'podinfo', namespace: 'test', phase: 'Progressing', checksum: 'e859ffebbb397c94',
      metadata: { eventMessage: 'Halt podinfo.test advancement waiting for approval gate', eventType: 'Warning', timestamp: '1767225600000' },
    }]]);
  });

  it('still delivers the last events of a canary that is gone to the global webhook', async () => {
    const running = start();

    bus.emit('notice', notice({ message: 'Terminated canary podinfo.test', phase: 'Terminated' }));
    await running.idle();

    expect(server.requests.map((r) => r.url)).toEqual(['/global']);
  });

  it('sends nothing without event hooks or a global webhook', async () => {
    canaries = [aCanary()];
    const running = start({ eventWebhook: undefined });

    bus.emit('notice', notice());
    await running.idle();

    expect(server.requests).toEqual([]);
  });

  it('returns from emit at once while a slow endpoint has not answered', async () => {
    server.reply = () => ({ delayMs: 'never' });
    const running = start();

    // The endpoint never answers: both deliveries being in flight right after emit returned shows that emit
    // did not wait for either (a timing bound here would only measure how busy the machine is).
    bus.emit('notice', notice());
    bus.emit('notice', notice({ message: 'second' }));
    expect(running.inFlight()).toBe(2);
    await expect.poll(() => server.requests.length).toBe(2);
  });

  it('drops deliveries beyond the in-flight bound with a log line', async () => {
    server.reply = () => ({ delayMs: 'never' });
    const running = start({ maxInFlight: 2 });

    for (const n of [1, 2, 3]) bus.emit('notice', notice({ message: `event ${n}` }));

    expect(running.inFlight()).toBe(2);
    await expect.poll(() => server.requests.length).toBe(2);
    expect(server.requests.map((r) => (r.json as { metadata: { eventMessage: string } }).metadata.eventMessage).sort()).toEqual(['event 1', 'event 2']);
    expect(logger.lines).toContainEqual({
      level: 'warn', message: 'event webhook dropped: too many deliveries in progress', fields: { canary: 'podinfo.test', hook: 'events', inFlight: 2 },
    });
  });

  it('logs a failed delivery instead of throwing', async () => {
    server.reply = () => ({ status: 500, body: 'down for maintenance' });
    const running = start();

    expect(() => bus.emit('notice', notice())).not.toThrow();
    await running.idle();

    expect(logger.lines).toContainEqual({
      level: 'warn', message: 'error sending event to webhook', fields: { canary: 'podinfo.test', hook: 'events', reason: 'HTTP 500: down for maintenance' },
    });
  });

  it('logs a notice it cannot build a payload for instead of throwing', () => {
    start();

    expect(() => bus.emit('notice', notice({ canary: { name: 'podinfo', namespace: '', target: 'podinfo' } }))).not.toThrow();

    expect(logger.lines).toContainEqual(expect.objectContaining({ level: 'error', message: 'error sending event to webhook' }));
  });

  it('stops forwarding once stopped', async () => {
    const running = start();

    running.stop();
    bus.emit('notice', notice());
    await running.idle();

    expect(server.requests).toEqual([]);
  });
});
