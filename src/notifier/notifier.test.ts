import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAxiosHttpPost, HttpError, type ClosableHttpPost, type HttpPost, type HttpPostOptions } from '../webhooks/http-port.js';
import { startRecordingServer, type RecordingServer } from '../webhooks/testing/recording-server.js';
import { notifierTimeoutMs, postNotification } from './notifier.js';

describe('postNotification', () => {
  let server: RecordingServer;
  let http: ClosableHttpPost;

  beforeEach(async () => {
    server = await startRecordingServer();
    http = createAxiosHttpPost();
  });
  afterEach(async () => {
    http.close();
    await server.close();
  });

  const settings = (extra: object = {}) => ({ url: `${server.url}/hook`, username: 'flagger', channel: 'general', ...extra });

  it.each([200, 201, 204])('resolves when the service answers %i', async (status) => {
    server.reply = () => ({ status });

    await expect(postNotification(http, settings(), { text: 'hi' })).resolves.toBeUndefined();
  });

  it.each([
    [400, 'invalid_payload', 'sending notification bad response 400: invalid_payload'],
    [404, 'no_service', 'sending notification bad response 404: no_service'],
    [500, '', 'sending notification bad response 500: '],
  ])('rejects a %i with the status and the answer', async (status, body, error) => {
    server.reply = () => ({ status, body });

    await expect(postNotification(http, settings(), {})).rejects.toThrow(error);
  });

  it('rejects when the service cannot be reached', async () => {
    const gone = await startRecordingServer();
    await gone.close();

    await expect(postNotification(http, { url: gone.url, username: 'u', channel: 'c' }, {})).rejects.toThrow(/^sending notification failed: .*ECONNREFUSED/);
  });

  it('posts through the provider\'s proxy', async () => {
    await postNotification(http, { url: 'http://hooks.example.invalid/services/T0/B0/x', username: 'u', channel: 'c', proxy: server.url }, { text: 'hi' });

    expect(server.requests.map((r) => [r.url, r.raw])).toEqual([['http://hooks.example.invalid/services/T0/B0/x', '{"text":"hi"}']]);
  });

  it('allows each notification 5 seconds and no more', async () => {
    const seen: HttpPostOptions[] = [];
    const recording: HttpPost = { post: (_u, _b, options) => { seen.push(options); return Promise.reject(new HttpError('timeout', 'no answer within 5s')); } };

    await expect(postNotification(recording, { url: 'http://x/', username: 'u', channel: 'c' }, {})).rejects.toThrow('sending notification failed: no answer within 5s');
    expect(notifierTimeoutMs).toBe(5000);
    expect(seen).toEqual([{ headers: {}, timeoutMs: 5000 }]);
  });
});
