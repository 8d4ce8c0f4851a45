import { describe, expect, it } from 'vitest';
import { HttpError, type HttpPost, type HttpPostOptions } from '../webhooks/http-port.js';
import { startRecordingServer, useServerAndClient } from '../../test/support/recording-server.js';
import { notifierTimeoutMs, postNotification } from './notifier.js';

describe('postNotification', () => {
  const env = useServerAndClient();

  const settings = (extra: object = {}) => ({ url: `${env.server.url}/hook`, username: 'flagger', channel: 'general', ...extra });

  it.each([200, 201, 204])('resolves when the service answers %i', async (status) => {
    env.server.reply = () => ({ status });

    await expect(postNotification(env.http, settings(), { text: 'hi' })).resolves.toBeUndefined();
  });

  it.each([
    [400, 'invalid_payload', 'sending notification bad response 400: invalid_payload'],
    [404, 'no_service', 'sending notification bad response 404: no_service'],
    [500, '', 'sending notification bad response 500: '],
  ])('rejects a %i with the status and the answer', async (status, body, error) => {
    env.server.reply = () => ({ status, body });

    await expect(postNotification(env.http, settings(), {})).rejects.toThrow(error);
  });

  it('rejects when the service cannot be reached', async () => {
    const gone = await startRecordingServer();
    await gone.close();

    await expect(postNotification(env.http, { url: gone.url, username: 'u', channel: 'c' }, {})).rejects.toThrow(/^sending notification failed: .*ECONNREFUSED/);
  });

  it('posts through the provider\'s proxy', async () => {
    await postNotification(env.http, { url: 'http://hooks.example.invalid/services/T0/B0/x', username: 'u', channel: 'c', proxy: env.server.url }, { text: 'hi' });

    expect(env.server.requests.map((r) => [r.url, r.raw])).toEqual([['http://hooks.example.invalid/services/T0/B0/x', '{"text":"hi"}']]);
  });

  it('allows each notification 5 seconds and no more', async () => {
    const seen: HttpPostOptions[] = [];
    const recording: HttpPost = { post: (_u, _b, options) => { seen.push(options); return Promise.reject(new HttpError('timeout', 'no answer within 5s')); } };

    await expect(postNotification(recording, { url: 'http://x/', username: 'u', channel: 'c' }, {})).rejects.toThrow('sending notification failed: no answer within 5s');
    expect(notifierTimeoutMs).toBe(5000);
    expect(seen).toEqual([{ headers: {}, timeoutMs: 5000 }]);
  });
});
