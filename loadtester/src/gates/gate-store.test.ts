import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeFiles } from '../ports/files.js';
import { FakeClock } from '../testing/fake-clock.js';
import { configMapGateBackend, gatesKey, type ConfigMapClient } from './configmap-backend.js';
import { fileGateBackend } from './file-backend.js';
import { createGateStore, memoryGateBackend, type GateBackend } from './gate-store.js';

function store(backend: GateBackend = memoryGateBackend(), autoClose = false) {
  return createGateStore({ backend, clock: new FakeClock(), autoClose });
}

describe('gates', () => {
  it('are closed until opened, and closed again when closed', async () => {
    const gates = await store();
    expect(await gates.isOpen('podinfo.test')).toBe(false);
    await gates.open('podinfo.test');
    expect(await gates.isOpen('podinfo.test')).toBe(true);
    expect(await gates.isOpen('rollback.podinfo.test')).toBe(false);
    await gates.close('podinfo.test');
    expect(await gates.isOpen('podinfo.test')).toBe(false);
  });

  it('stay open for every release without auto-close, as in Flagger', async () => {
    const gates = await store();
    await gates.open('podinfo.test');
    expect(await gates.isOpen('podinfo.test', 'release-1')).toBe(true);
    expect(await gates.isOpen('podinfo.test', 'release-2')).toBe(true);
  });

  it('with auto-close, approve only the release they were first checked for', async () => {
    const backend = memoryGateBackend();
    const gates = await store(backend, true);
    await gates.open('podinfo.test');
    expect(await gates.isOpen('podinfo.test', 'release-1')).toBe(true);
    expect(await gates.isOpen('podinfo.test', 'release-1')).toBe(true);
    expect(backend.saved['podinfo.test']).toMatchObject({ open: true, release: 'release-1' });
    expect(await gates.isOpen('podinfo.test', 'release-2')).toBe(false);
    expect(await gates.isOpen('podinfo.test', 'release-1')).toBe(false);
    expect(backend.saved['podinfo.test']?.open).toBe(false);
  });

  it('with auto-close, a reopened gate binds to the next release it is checked for', async () => {
    const gates = await store(memoryGateBackend(), true);
    await gates.open('podinfo.test');
    await gates.isOpen('podinfo.test', 'release-1');
    await gates.close('podinfo.test');
    await gates.open('podinfo.test');
    expect(await gates.isOpen('podinfo.test', 'release-2')).toBe(true);
  });
});

describe('the file gate store', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'songbird-gates-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps gates across a restart', async () => {
    const path = join(dir, 'nested', 'gates.json');
    const first = await store(fileGateBackend(path, nodeFiles()));
    await first.open('podinfo.test');
    await first.open('rollback.podinfo.test');
    await first.close('rollback.podinfo.test');
    const second = await store(fileGateBackend(path, nodeFiles()));
    expect(await second.isOpen('podinfo.test')).toBe(true);
    expect(await second.isOpen('rollback.podinfo.test')).toBe(false);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ version: 1, gates: { 'podinfo.test': { open: true, changedAt: '2026-01-01T00:00:00.000Z' } } });
  });

  it('starts empty when the file does not exist yet', async () => {
    expect(await (await store(fileGateBackend(join(dir, 'none.json'), nodeFiles()))).isOpen('a.b')).toBe(false);
  });

  it('refuses to start on a corrupt file, naming it', async () => {
    const path = join(dir, 'gates.json');
    writeFileSync(path, '{"version": 1, "gates": {"a.b": {"open": "yes"}}}');
    await expect(store(fileGateBackend(path, nodeFiles()))).rejects.toThrow(`gate store ${path} has an unexpected shape`);
    writeFileSync(path, '{not json');
    await expect(store(fileGateBackend(path, nodeFiles()))).rejects.toThrow('is not valid JSON');
  });

  it('saves concurrent changes in order, ending with the last one', async () => {
    const path = join(dir, 'gates.json');
    const gates = await store(fileGateBackend(path, nodeFiles()));
    await Promise.all([gates.open('a.b'), gates.close('a.b'), gates.open('c.d'), gates.open('a.b')]);
    const saved = JSON.parse(readFileSync(path, 'utf8')) as { gates: Record<string, { open: boolean }> };
    expect(saved.gates['a.b']?.open).toBe(true);
    expect(saved.gates['c.d']?.open).toBe(true);
  });
});

describe('the ConfigMap gate store', () => {
  class FakeConfigMaps implements ConfigMapClient {
    readonly maps = new Map<string, Record<string, string>>();
    read(namespace: string, name: string): Promise<Record<string, string> | undefined> {
      return Promise.resolve(this.maps.get(`${namespace}/${name}`));
    }
    write(namespace: string, name: string, data: Record<string, string>): Promise<void> {
      this.maps.set(`${namespace}/${name}`, data);
      return Promise.resolve();
    }
  }

  it('keeps gates in one ConfigMap key across a restart', async () => {
    const client = new FakeConfigMaps();
    const where = { namespace: 'test', name: 'songbird-loadtester-gates' };
    const first = await store(configMapGateBackend(client, where));
    await first.open('podinfo.test');
    expect(client.maps.get('test/songbird-loadtester-gates')?.[gatesKey]).toContain('"podinfo.test"');
    const second = await store(configMapGateBackend(client, where));
    expect(await second.isOpen('podinfo.test')).toBe(true);
  });
});
