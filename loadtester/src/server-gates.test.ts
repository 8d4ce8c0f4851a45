import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fileGateBackend } from './gates/file-backend.js';
import { nodeFiles, type Files } from './ports/files.js';
import type { Logger } from './ports/logger.js';
import { startHarness, type Harness } from '../test/support/harness.js';

const podinfo = { name: 'podinfo', namespace: 'test' };
const started: Harness[] = [];
const dirs: string[] = [];

async function harness(...args: Parameters<typeof startHarness>): Promise<Harness> {
  const h = await startHarness(...args);
  started.push(h);
  return h;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((h) => h.close()));
  dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true }));
});

describe('start-up', () => {
  function recordingLogger(): Logger & { warnings: string[] } {
    const drop = (): void => undefined;
    const warnings: string[] = [];
    return { warnings, debug: drop, info: drop, error: drop, warn: (_context, message) => void warnings.push(message) };
  }

  it('warns loudly when it runs without a token, and not when it has one', async () => {
    const open = recordingLogger();
    await harness({}, { logger: open });
    expect(open.warnings).toEqual(['AUTHENTICATION IS OFF: anyone who can reach this port can open and close gates and start load tests']);
    const guarded = recordingLogger();
    await harness({ token: 's3cret-token' }, { logger: guarded });
    expect(guarded.warnings).toEqual([]);
  });
});

describe('static endpoints', () => {
  it('answers health, approve and halt as Flagger does', async () => {
    const h = await harness();
    expect(await h.get('/healthz')).toEqual({ status: 200, body: 'OK' });
    expect(await h.post('/gate/approve', podinfo)).toEqual({ status: 200, body: 'OK' });
    expect(await h.post('/gate/halt', podinfo)).toEqual({ status: 403, body: 'Forbidden' });
  });

  it('serves Prometheus metrics from its own registry', async () => {
    const h = await harness();
    await h.post('/gate/check', podinfo);
    const metrics = await h.get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.body).toContain('songbird_loadtester_gate_checks_total{gate="gate",approved="false"} 1');
  });
});

describe('manual gates over HTTP', () => {
  it('walks a confirm-promotion gate: closed, opened, approved, closed again', async () => {
    const h = await harness();
    const check = { ...podinfo, phase: 'Progressing', checksum: 'abc', metadata: {} };
    expect(await h.post('/gate/check', check)).toEqual({ status: 403, body: 'Forbidden' });
    expect((await h.post('/gate/open', podinfo)).status).toBe(202);
    expect(await h.post('/gate/check', check)).toEqual({ status: 200, body: 'Approved' });
    expect((await h.post('/gate/close', podinfo)).status).toBe(202);
    expect((await h.post('/gate/check', check)).status).toBe(403);
  });

  it('keeps rollback gates apart from promotion gates', async () => {
    const h = await harness();
    await h.post('/rollback/open', podinfo);
    expect(await h.post('/rollback/check', podinfo)).toEqual({ status: 200, body: 'Approved' });
    expect((await h.post('/gate/check', podinfo)).status).toBe(403);
    await h.post('/rollback/close', podinfo);
    expect((await h.post('/rollback/check', podinfo)).status).toBe(403);
  });

  it('keeps an opened gate across a restart with the file store', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'songbird-lt-'));
    dirs.push(dir);
    const backend = (): ReturnType<typeof fileGateBackend> => fileGateBackend(join(dir, 'gates.json'), nodeFiles());
    const first = await harness({}, { gateBackend: backend() });
    await first.post('/gate/open', podinfo);
    await first.post('/rollback/open', { name: 'other', namespace: 'test' });
    await first.close();
    started.splice(started.indexOf(first), 1);
    const second = await harness({}, { gateBackend: backend() });
    expect((await second.post('/gate/check', podinfo)).status).toBe(200);
    expect((await second.post('/rollback/check', { name: 'other', namespace: 'test' })).status).toBe(200);
    expect((await second.post('/rollback/check', podinfo)).status).toBe(403);
  });

  it('closes gates when a payload says the release finished, with --gate-auto-close', async () => {
    const h = await harness({ gateAutoClose: true });
    await h.post('/gate/open', podinfo);
    await h.post('/rollback/open', podinfo);
    const postRollout = { ...podinfo, phase: 'Succeeded', checksum: 'release-1', metadata: { type: 'bash', cmd: 'curl http://podinfo.test/' } };
    expect((await h.post('/', postRollout)).status).toBe(403);
    expect((await h.post('/gate/check', podinfo)).status).toBe(403);
    expect((await h.post('/rollback/check', podinfo)).status).toBe(403);
  });

  it('leaves gates open when a release finishes without --gate-auto-close, as Flagger does', async () => {
    const h = await harness();
    await h.post('/gate/open', podinfo);
    await h.post('/gate/check', { ...podinfo, phase: 'Failed' });
    expect((await h.post('/gate/check', podinfo)).status).toBe(200);
  });

  it('closes a gate by itself when the next release asks, with --gate-auto-close', async () => {
    const h = await harness({ gateAutoClose: true });
    await h.post('/gate/open', podinfo);
    expect((await h.post('/gate/check', { ...podinfo, checksum: 'release-1' })).status).toBe(200);
    expect((await h.post('/gate/check', { ...podinfo, checksum: 'release-2' })).status).toBe(403);
  });
});

describe('a gate store whose writes fail', () => {
  /** Files over a real folder whose writes fail while `broken` is set (a full disk, a read-only volume). */
  function flakyFiles(): Files & { broken: boolean } {
    const real = nodeFiles();
    const files = {
      broken: false,
      read: (path: string) => real.read(path),
      writeAtomic: (path: string, data: string) => (files.broken ? Promise.reject(new Error('ENOSPC: no space left on device')) : real.writeAtomic(path, data)),
    };
    return files;
  }

  async function withFlakyStore(options: Parameters<typeof startHarness>[0] = {}): Promise<{ h: Harness; files: ReturnType<typeof flakyFiles> }> {
    const dir = mkdtempSync(join(tmpdir(), 'songbird-lt-'));
    dirs.push(dir);
    const files = flakyFiles();
    return { h: await harness(options, { gateBackend: fileGateBackend(join(dir, 'gates.json'), files) }), files };
  }

  it('answers 503 naming the store when opening fails, and the gate stays closed', async () => {
    const { h, files } = await withFlakyStore();
    files.broken = true;
    const answer = await h.post('/gate/open', podinfo);
    expect(answer.status).toBe(503);
    expect(answer.body).toContain('no space left on device');
    expect((await h.post('/gate/check', podinfo)).status).toBe(403);
    files.broken = false;
    expect((await h.post('/gate/check', podinfo)).status).toBe(403);
  });

  it('answers 503 when closing fails, and the gate stays open as stored', async () => {
    const { h, files } = await withFlakyStore();
    expect((await h.post('/rollback/open', podinfo)).status).toBe(202);
    files.broken = true;
    expect((await h.post('/rollback/close', podinfo)).status).toBe(503);
    expect((await h.post('/rollback/check', podinfo)).status).toBe(200);
  });

  it('refuses to approve a release it cannot bind the gate to, with --gate-auto-close', async () => {
    const { h, files } = await withFlakyStore({ gateAutoClose: true });
    expect((await h.post('/gate/open', podinfo)).status).toBe(202);
    files.broken = true;
    expect((await h.post('/gate/check', { ...podinfo, checksum: 'release-1' })).status).toBe(503);
    files.broken = false;
    // Nothing was bound: the next release checked is the one the gate approves.
    expect((await h.post('/gate/check', { ...podinfo, checksum: 'release-2' })).status).toBe(200);
    expect((await h.post('/gate/check', { ...podinfo, checksum: 'release-1' })).status).toBe(403);
  });
});

describe('authentication and the namespace allow-list', () => {
  const token = 'Bearer s3cret-token';

  it('requires the bearer token on every gate and task endpoint, leaving only health and metrics open', async () => {
    const h = await harness({ token: 's3cret-token' });
    const guarded = ['/gate/check', '/gate/open', '/gate/close', '/gate/approve', '/gate/halt', '/rollback/check', '/rollback/open', '/rollback/close', '/', '/any/task/path'];
    for (const path of guarded) {
      expect((await h.post(path, podinfo)).status, path).toBe(401);
      expect((await h.post(path, podinfo, { authorization: 'Bearer wrong' })).status, path).toBe(401);
    }
    expect((await h.post('/gate/open', podinfo, { authorization: token })).status).toBe(202);
    expect((await h.post('/gate/check', podinfo, { authorization: token })).status).toBe(200);
    expect(await h.get('/healthz')).toEqual({ status: 200, body: 'OK' });
    expect((await h.get('/metrics')).status).toBe(200);
  });

  it('lets no unauthenticated check close a gate, even with --gate-auto-close', async () => {
    const h = await harness({ token: 's3cret-token', gateAutoClose: true });
    expect((await h.post('/gate/open', podinfo, { authorization: token })).status).toBe(202);
    expect((await h.post('/gate/check', { ...podinfo, checksum: 'release-1' }, { authorization: token })).status).toBe(200);
    // Without the token, a check for another release (or a "release finished" payload) must not close it.
    expect((await h.post('/gate/check', { ...podinfo, checksum: 'release-2' })).status).toBe(401);
    expect((await h.post('/rollback/check', { ...podinfo, phase: 'Failed' })).status).toBe(401);
    expect((await h.post('/gate/check', { ...podinfo, checksum: 'release-1' }, { authorization: token })).status).toBe(200);
  });

  it('applies the namespace allow-list after authentication', async () => {
    const h = await harness({ token: 's3cret-token', namespacePattern: /^test$/ });
    const elsewhere = { name: 'podinfo', namespace: 'prod' };
    expect((await h.post('/gate/open', elsewhere)).status).toBe(401);
    expect(await h.post('/gate/open', elsewhere, { authorization: token })).toEqual({
      status: 403,
      body: 'namespace prod is not allowed by --namespace-regexp',
    });
    expect((await h.post('/gate/check', elsewhere, { authorization: token })).status).toBe(403);
    expect((await h.post('/gate/open', podinfo, { authorization: token })).status).toBe(202);
  });
});

describe('bad requests', () => {
  it('answers 400 naming --max-gates when opening one gate too many, and keeps serving checks', async () => {
    const h = await harness({ maxGates: 2 });
    expect((await h.post('/gate/open', { name: 'a', namespace: 'test' })).status).toBe(202);
    expect((await h.post('/rollback/open', { name: 'a', namespace: 'test' })).status).toBe(202);
    expect(await h.post('/gate/open', { name: 'b', namespace: 'test' })).toEqual({
      status: 400,
      body: 'this load tester holds at most 2 open gates (--max-gates); close gates that are no longer needed',
    });
    expect((await h.post('/gate/check', { name: 'b', namespace: 'test' })).status).toBe(403);
    expect((await h.post('/gate/check', { name: 'a', namespace: 'test' })).status).toBe(200);
  });

  it.each([
    [{ name: 'n'.repeat(254), namespace: 'test' }, 'name is longer than 253 characters'],
    [{ name: 'podinfo', namespace: 's'.repeat(64) }, 'namespace is longer than 63 characters'],
    [{ name: 'podinfo', namespace: 'test', checksum: 'c'.repeat(257) }, 'checksum is longer than 256 characters'],
  ])('answers 400 to a gate whose key would be longer than Kubernetes names allow: %#', async (body, reason) => {
    const h = await harness();
    for (const path of ['/gate/open', '/gate/check', '/rollback/close']) {
      expect(await h.post(path, body), path).toEqual({ status: 400, body: `invalid webhook payload: ${reason}` });
    }
  });


  it.each([
    ['{not json', 400, 'invalid JSON body'],
    ['[]', 400, 'invalid webhook payload'],
    ['{"namespace": "test"}', 400, 'name'],
    ['{"name": "", "namespace": "test"}', 400, 'name must be a non-empty string'],
    ['{"name": "podinfo", "namespace": "test", "metadata": {"cmd": 1}}', 400, 'metadata.cmd'],
  ])('answers %s with %d and the reason', async (body, status, reason) => {
    const h = await harness();
    for (const path of ['/gate/check', '/gate/open', '/rollback/check', '/']) {
      const answer = await h.post(path, body);
      expect(answer.status, path).toBe(status);
      expect(answer.body, path).toContain(reason);
    }
  });

  it('answers 413 to a body over the cap and keeps serving', async () => {
    const h = await harness({ maxBodyBytes: 64 * 1024 });
    const big = JSON.stringify({ ...podinfo, metadata: { cmd: 'x'.repeat(200 * 1024) } });
    expect((await h.post('/', big)).status).toBe(413);
    expect(await h.get('/healthz')).toEqual({ status: 200, body: 'OK' });
  });
});
