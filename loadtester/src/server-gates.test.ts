import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fileGateBackend } from './gates/file-backend.js';
import { nodeFiles } from './ports/files.js';
import { startHarness, type Harness } from './testing/harness.js';

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

describe('authentication and the namespace allow-list', () => {
  const token = 'Bearer s3cret-token';

  it('requires the bearer token to open, close and run tasks, but not to check', async () => {
    const h = await harness({ token: 's3cret-token' });
    for (const path of ['/gate/open', '/gate/close', '/rollback/open', '/rollback/close', '/']) {
      expect((await h.post(path, podinfo)).status, path).toBe(401);
      expect((await h.post(path, podinfo, { authorization: 'Bearer wrong' })).status, path).toBe(401);
    }
    expect((await h.post('/gate/check', podinfo)).status).toBe(403);
    expect((await h.post('/gate/open', podinfo, { authorization: token })).status).toBe(202);
    expect((await h.post('/gate/check', podinfo)).status).toBe(200);
    expect(await h.get('/healthz')).toEqual({ status: 200, body: 'OK' });
  });

  it('applies the namespace allow-list after authentication', async () => {
    const h = await harness({ token: 's3cret-token', namespacePattern: /^test$/ });
    const elsewhere = { name: 'podinfo', namespace: 'prod' };
    expect((await h.post('/gate/open', elsewhere)).status).toBe(401);
    expect(await h.post('/gate/open', elsewhere, { authorization: token })).toEqual({
      status: 403,
      body: 'namespace prod is not allowed by --namespace-regexp',
    });
    expect((await h.post('/gate/check', elsewhere)).status).toBe(403);
    expect((await h.post('/gate/open', podinfo, { authorization: token })).status).toBe(202);
  });
});

describe('bad requests', () => {
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
