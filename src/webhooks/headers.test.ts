import { describe, expect, it } from 'vitest';
import { secretHeaders } from './headers.js';
import { aSecret, lookupOf } from '../../test/fixtures/webhooks.js';

describe('secretHeaders', () => {
  const secrets = lookupOf([
    aSecret('auth', { Authorization: 'Bearer abc\n', 'X-Tenant': ' web ' }),
    { metadata: { name: 'empty', namespace: 'test' } },
    aSecret('auth', { Authorization: 'Bearer other-namespace' }, 'ops'),
  ]);

  it.each([
    ['no headers without a Secret reference', undefined, { ok: true, headers: {} }],
    ['every key of the Secret, values trimmed', { name: 'auth' }, { ok: true, headers: { Authorization: 'Bearer abc', 'X-Tenant': 'web' } }],
    ['no headers for a Secret without data', { name: 'empty' }, { ok: true, headers: {} }],
    ['a failure for a missing Secret', { name: 'nope' }, { ok: false, reason: 'headers Secret test/nope not found' }],
  ])('gives %s', async (_case, ref, expected) => {
    expect(await secretHeaders(secrets, 'test', ref)).toEqual(expected);
  });

  it('fails with the reason when the Secret cannot be read', async () => {
    const unreadable = (): Promise<undefined> => Promise.reject(new Error('secrets "auth" is forbidden'));
    expect(await secretHeaders(unreadable, 'test', { name: 'auth' })).toEqual({ ok: false, reason: 'headers Secret test/auth could not be read: secrets "auth" is forbidden' });
  });

  it('reads the Secret from the canary\'s namespace only', async () => {
    expect(await secretHeaders(secrets, 'ops', { name: 'auth' })).toEqual({ ok: true, headers: { Authorization: 'Bearer other-namespace' } });
  });
});
