import { createServer as createHttpsServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { formatMs, HttpError } from './http-port.js';
import { startRecordingServer, useServerAndClient } from '../../test/support/recording-server.js';

// A self-signed certificate for 127.0.0.1 and localhost (EC P-256, valid until 2126), only ever used here.
const tlsKey = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQguYUk8e6IgRPkO4wx
GgxS6r9UZl4yoTQFZUYMF5/6PCmhRANCAART44hFdDF2M1r0wfPQ6vjNtOnj2Aqf
AQyXfAhn5K/6KLQLr/O6H78ZHrzuEvC9wyL8sQ7ChprCUPKSCO1qLTca
-----END PRIVATE KEY-----`;
const tlsCert = `-----BEGIN CERTIFICATE-----
MIIBmzCCAUGgAwIBAgIUWyTqehC1ZW+2YB++ExDaOyA9gNQwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyNTIyNDUyMVoYDzIxMjYxMTAx
MjI0NTIxWjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAART44hFdDF2M1r0wfPQ6vjNtOnj2AqfAQyXfAhn5K/6KLQLr/O6H78Z
HrzuEvC9wyL8sQ7ChprCUPKSCO1qLTcao28wbTAdBgNVHQ4EFgQU9m5dnifYbMW0
9oKps+akFrHRG7EwHwYDVR0jBBgwFoAU9m5dnifYbMW09oKps+akFrHRG7EwDwYD
VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARhwR/AAABgglsb2NhbGhvc3QwCgYIKoZI
zj0EAwIDSAAwRQIhAMYzxzWLAikVmRGdi/7A9SaV8weodlLTxfeRBGzukUENAiAm
xy5+wX4NhAHf6zixBw4bpr8ojN4mk4bt1HoyQDaDMw==
-----END CERTIFICATE-----`;

async function startTlsServer(): Promise<{ url: string; server: Server }> {
  const server = createHttpsServer({ key: tlsKey, cert: tlsCert }, (_req, res) => res.end('secure'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

async function failure(promise: Promise<unknown>): Promise<HttpError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  if (!(error instanceof HttpError)) throw new Error(`expected an HttpError, got ${String(error)}`);
  return error;
}

describe('axios HTTP adapter', () => {
  const env = useServerAndClient();

  it('posts the body as JSON with the given headers', async () => {
    await env.http.post(`${env.server.url}/hook`, { name: 'podinfo' }, { timeoutMs: 1000, headers: { Authorization: 'Bearer t' } });

    expect(env.server.requests).toHaveLength(1);
    expect(env.server.requests[0]).toMatchObject({
      method: 'POST', url: '/hook', raw: '{"name":"podinfo"}',
      headers: { 'content-type': 'application/json', authorization: 'Bearer t' },
    });
  });

  it.each([200, 204, 403, 500, 503])('resolves with status %i and the raw body instead of throwing', async (status) => {
    env.server.reply = () => ({ status, body: status === 204 ? '' : '{"not":"parsed"}', headers: { 'Retry-After': '3' } });

    const response = await env.http.post(env.server.url, {}, { timeoutMs: 1000 });

    expect(response).toEqual({
      status, body: status === 204 ? '' : '{"not":"parsed"}', headers: expect.objectContaining({ 'retry-after': '3' }),
    });
  });

  it('rejects with a timeout when the endpoint does not answer in time', async () => {
    env.server.reply = () => ({ delayMs: 'never' });

    const error = await failure(env.http.post(env.server.url, {}, { timeoutMs: 100 }));

    expect(error.kind).toBe('timeout');
    expect(error.message).toBe('no answer within 100ms');
  });

  it('rejects with a connection error when nothing listens', async () => {
    const closed = await startRecordingServer();
    await closed.close();

    const error = await failure(env.http.post(closed.url, {}, { timeoutMs: 1000 }));

    expect(error.kind).toBe('connection');
    expect(error.message).toContain('ECONNREFUSED');
  });

  it.each([
    ['a malformed URL', 'not a url', {}],
    ['an unsupported scheme', 'ftp://127.0.0.1/x', {}],
    ['a header name with a space', 'http://127.0.0.1:1/', { headers: { 'X Token': 'a' } }],
    ['a malformed proxy URL', 'http://127.0.0.1:1/', { proxy: 'not a proxy' }],
  ])('rejects %s as a request error', async (_case, url, extra) => {
    const error = await failure(env.http.post(url, {}, { timeoutMs: 1000, ...extra }));

    expect(error.kind).toBe('request');
  });

  it('refuses an untrusted certificate unless told to skip verification', async () => {
    const tls = await startTlsServer();
    try {
      const refused = await failure(env.http.post(tls.url, {}, { timeoutMs: 1000 }));
      const accepted = await env.http.post(tls.url, {}, { timeoutMs: 1000, insecureSkipVerify: true });

      expect(refused.kind).toBe('request');
      expect(accepted).toMatchObject({ status: 200, body: 'secure' });
    } finally {
      tls.server.closeAllConnections();
      await new Promise((resolve) => tls.server.close(resolve));
    }
  });

  it('sends the request through the proxy when one is given', async () => {
    env.server.reply = () => ({ status: 202, body: 'via proxy' });

    const response = await env.http.post('http://alerts.example.invalid/hook', { a: 1 }, { timeoutMs: 1000, proxy: env.server.url });

    expect(response.status).toBe(202);
    expect(env.server.requests[0]).toMatchObject({ url: 'http://alerts.example.invalid/hook', raw: '{"a":1}' });
  });
});

describe('formatMs', () => {
  it.each([[10_000, '10s'], [1500, '1500ms'], [60_000, '60s']])('renders %i ms as %s', (ms, text) => {
    expect(formatMs(ms)).toBe(text);
  });
});
