/**
 * End to end over loopback: the operator's own webhook client (Flagger's payload, headers from the hook's
 * `headersSecretRef` Secret) against a load tester that requires a bearer token on every gate endpoint.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CanaryWebhook } from '../../src/api/canary-analysis.js';
import { createAxiosHttpPost, type ClosableHttpPost } from '../../src/webhooks/http-port.js';
import { rollbackRequested, runHooks, type WebhookDeps } from '../../src/webhooks/index.js';
import { aCanaryWithHooks, aSecret, lookupOf } from '../../test/fixtures/webhooks.js';
import { FakeClock } from '../../test/fakes/fake-clock.js';
import { startHarness, type Harness } from '../test/support/harness.js';

const token = 'a-long-random-token';
const podinfo = { name: 'podinfo', namespace: 'test' };

describe('Canary webhooks with headersSecretRef against an authenticated load tester', () => {
  let h: Harness;
  let http: ClosableHttpPost;
  let deps: WebhookDeps;

  beforeEach(async () => {
    h = await startHarness({ token });
    http = createAxiosHttpPost();
    // `echo "Bearer …" | base64` leaves a newline in the Secret; the operator trims it.
    deps = { http, clock: new FakeClock(), secrets: lookupOf([aSecret('loadtester-auth', { Authorization: `Bearer ${token}\n` })]) };
  });
  afterEach(async () => {
    http.close();
    await h.close();
  });

  const hook = (type: CanaryWebhook['type'], path: string, auth = true): CanaryWebhook => ({
    name: `${type ?? 'rollout'}-gate`,
    type,
    url: `${h.url}${path}`,
    ...(auth ? { headersSecretRef: { name: 'loadtester-auth' } } : {}),
  });

  it('holds a confirm-promotion gate until it is opened, and sees it approved once opened', async () => {
    const canary = aCanaryWithHooks([hook('confirm-promotion', '/gate/check')]);
    expect(await runHooks(deps, canary, 'confirm-promotion', 'Progressing')).toMatchObject({ ok: false, reason: 'HTTP 403: Forbidden' });
    expect((await h.post('/gate/open', podinfo, { authorization: `Bearer ${token}` })).status).toBe(202);
    expect(await runHooks(deps, canary, 'confirm-promotion', 'Progressing')).toEqual({ ok: true, passed: ['confirm-promotion-gate'] });
  });

  it('asks for a rollback through an opened rollback gate', async () => {
    const canary = aCanaryWithHooks([hook('rollback', '/rollback/check')]);
    expect(await rollbackRequested(deps, canary, 'Progressing')).toBe(false);
    expect((await h.post('/rollback/open', podinfo, { authorization: `Bearer ${token}` })).status).toBe(202);
    expect(await rollbackRequested(deps, canary, 'Progressing')).toBe(true);
  });

  it('never passes a gate for a hook without the Secret, even an opened one', async () => {
    await h.post('/gate/open', podinfo, { authorization: `Bearer ${token}` });
    const canary = aCanaryWithHooks([hook('confirm-rollout', '/gate/check', false)]);
    expect(await runHooks(deps, canary, 'confirm-rollout', 'Progressing')).toMatchObject({ ok: false, reason: 'HTTP 401: missing or invalid bearer token' });
  });
});
