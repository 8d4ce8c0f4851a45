import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/fakes/fake-clock.js';
import { CredentialCache, type Credential, type CredentialSource } from './credential-cache.js';
import { EXPIRY_MARGIN_MS, parseExecCredential } from './exec-credential.js';
import { TOKEN_FILE_REREAD_MS, tokenFileCredential } from './token-file-credential.js';

const V1 = 'client.authentication.k8s.io/v1';

/** An exec plugin stand-in: hands out token-1, token-2, … each valid for `lifetimeMs` (or forever). */
function countingPlugin(clock: FakeClock, lifetimeMs?: number): CredentialSource & { runs: number } {
  const plugin = {
    runs: 0,
    obtain(): Promise<Credential> {
      plugin.runs += 1;
      const status: Record<string, string> = { token: `token-${plugin.runs}` };
      if (lifetimeMs !== undefined) status.expirationTimestamp = new Date(clock.now() + lifetimeMs).toISOString();
      return Promise.resolve(parseExecCredential(JSON.stringify({ apiVersion: V1, kind: 'ExecCredential', status }), V1, clock.now()));
    },
  };
  return plugin;
}

describe('the credential cache with an exec plugin', () => {
  it('runs the plugin once and reuses its token until the margin before the expiry', async () => {
    const clock = new FakeClock();
    const plugin = countingPlugin(clock, 15 * 60_000);
    const cache = new CredentialCache(plugin, clock);
    expect((await cache.get()).authorization).toBe('Bearer token-1');
    await clock.advance(15 * 60_000 - EXPIRY_MARGIN_MS - 1);
    expect((await cache.get()).authorization).toBe('Bearer token-1');
    await clock.advance(1);
    expect((await cache.get()).authorization).toBe('Bearer token-2');
    expect(plugin.runs).toBe(2);
  });

  it('uses a credential that expires within the margin until its expiry instead of running the plugin on every request', async () => {
    const clock = new FakeClock();
    const plugin = countingPlugin(clock, 10_000);
    const cache = new CredentialCache(plugin, clock);
    await cache.get();
    await clock.advance(9_999);
    await cache.get();
    expect(plugin.runs).toBe(1);
    await clock.advance(1);
    expect((await cache.get()).authorization).toBe('Bearer token-2');
  });

  it('keeps a credential without expirationTimestamp until the API server refuses it', async () => {
    const clock = new FakeClock();
    const plugin = countingPlugin(clock);
    const cache = new CredentialCache(plugin, clock);
    const first = await cache.get();
    await clock.advance(24 * 3600_000);
    expect(await cache.get()).toBe(first);
    expect(await cache.renewAfterRejection(first)).toBe(true);
    expect((await cache.get()).authorization).toBe('Bearer token-2');
  });

  it('runs the plugin once for a burst of concurrent requests and once for a burst of 401s to the same token', async () => {
    const clock = new FakeClock();
    const plugin = countingPlugin(clock);
    const cache = new CredentialCache(plugin, clock);
    const burst = await Promise.all([cache.get(), cache.get(), cache.get()]);
    expect(new Set(burst.map((c) => c.authorization))).toEqual(new Set(['Bearer token-1']));
    const retries = await Promise.all(burst.map((refused) => cache.renewAfterRejection(refused)));
    expect(retries).toEqual([true, true, true]);
    // A late 401 to token-1 after the renewal finds token-2 already in place.
    expect(await cache.renewAfterRejection(burst[0])).toBe(true);
    expect(plugin.runs).toBe(2);
  });

  it('says not to retry when the source hands out the refused credential again', async () => {
    const clock = new FakeClock();
    const same: CredentialSource = { obtain: () => Promise.resolve({ authorization: 'Bearer fixed', refreshAt: Infinity }) };
    const cache = new CredentialCache(same, clock);
    expect(await cache.renewAfterRejection(await cache.get())).toBe(false);
  });

  it('tries again on the next request after the plugin failed', async () => {
    const clock = new FakeClock();
    let fail = true;
    const flaky: CredentialSource = {
      obtain: () => (fail ? Promise.reject(new Error('plugin down')) : Promise.resolve({ authorization: 'Bearer ok', refreshAt: Infinity })),
    };
    const cache = new CredentialCache(flaky, clock);
    await expect(cache.get()).rejects.toThrow('plugin down');
    fail = false;
    expect((await cache.get()).authorization).toBe('Bearer ok');
  });
});

describe('the credential cache with a token file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'token-file-'));
  afterEach(() => rmSync(join(dir, 'token'), { force: true }));

  it('re-reads the file at most once a minute, and at once after a 401', async () => {
    const clock = new FakeClock();
    const path = join(dir, 'token');
    writeFileSync(path, 'first\n');
    const cache = new CredentialCache(tokenFileCredential(path, clock), clock);
    expect((await cache.get()).authorization).toBe('Bearer first');
    writeFileSync(path, 'second\n');
    await clock.advance(TOKEN_FILE_REREAD_MS - 1);
    expect((await cache.get()).authorization).toBe('Bearer first');
    await clock.advance(1);
    const second = await cache.get();
    expect(second.authorization).toBe('Bearer second');

    writeFileSync(path, 'third');
    expect(await cache.renewAfterRejection(second)).toBe(true);
    expect((await cache.get()).authorization).toBe('Bearer third');
  });

  it('fails with the path when the file is empty', async () => {
    const clock = new FakeClock();
    const path = join(dir, 'token');
    writeFileSync(path, '\n');
    await expect(new CredentialCache(tokenFileCredential(path, clock), clock).get()).rejects.toThrow(`the token file ${path} is empty`);
  });
});
