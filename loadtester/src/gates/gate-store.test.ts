import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeFiles } from '../ports/files.js';
import { FakeClock } from '../../../test/fakes/fake-clock.js';
import { configMapGateBackend, gatesKey, maxWriteAttempts, type ConfigMapClient, type StoredConfigMap, type WriteOutcome } from './configmap-backend.js';
import { fileGateBackend } from './file-backend.js';
import { defaultMaxGates, GateLimitError, maxReleaseLength } from './gate-records.js';
import { createGateStore, gateDocument, GateStoreError, memoryGateBackend, parseGateDocument, type GateBackend, type GateRecords } from './gate-store.js';

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
    // Closed is the default, so a closed gate holds no record.
    expect(backend.saved['podinfo.test']).toBeUndefined();
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

describe('limits and failures', () => {
  it('refuses to open more than --max-gates gates, and closing one makes room', async () => {
    const gates = await createGateStore({ backend: memoryGateBackend(), clock: new FakeClock(), autoClose: false, maxGates: 2 });
    await gates.open('a.test');
    await gates.open('b.test');
    await gates.open('a.test');
    await expect(gates.open('c.test')).rejects.toThrow(new GateLimitError(2));
    expect(await gates.isOpen('c.test')).toBe(false);
    await gates.close('a.test');
    await gates.open('c.test');
    expect(await gates.isOpen('c.test')).toBe(true);
  });

  it('keeps 1000 gates with the longest names and checksums within a ConfigMap (1 MiB)', () => {
    let records: GateRecords = {};
    for (let i = 0; i < defaultMaxGates; i++) {
      const key = `rollback.${String(i).padStart(4, '0')}${'n'.repeat(249)}.${'s'.repeat(63)}`;
      records = { ...records, [key]: { open: true, release: 'r'.repeat(maxReleaseLength), changedAt: new Date(0).toISOString() } };
    }
    expect(Buffer.byteLength(gateDocument(records))).toBeLessThan(1000 * 1024);
  });

  it('leaves memory as it was when the backend fails, and says which backend', async () => {
    const backend = memoryGateBackend({ 'a.test': { open: true, changedAt: 'then' } });
    const gates = await store({ ...backend, description: 'broken disk', update: () => Promise.reject(new Error('EIO')) });
    await expect(gates.open('b.test')).rejects.toThrow(new GateStoreError('gate store broken disk failed: EIO'));
    await expect(gates.close('a.test')).rejects.toThrow(GateStoreError);
    expect(await gates.isOpen('a.test')).toBe(true);
    expect(await gates.isOpen('b.test')).toBe(false);
  });
});

/** A ConfigMap API with the API server's resourceVersion rules; `beforeWrite` lets a test slip in another writer. */
class FakeConfigMaps implements ConfigMapClient {
  readonly maps = new Map<string, StoredConfigMap>();
  writes = 0;
  conflicts = 0;
  beforeWrite: (() => void) | undefined;
  private version = 1;

  read(namespace: string, name: string): Promise<StoredConfigMap | undefined> {
    return Promise.resolve(structuredClone(this.maps.get(`${namespace}/${name}`)));
  }
  create(namespace: string, name: string, data: Record<string, string>): Promise<WriteOutcome> {
    this.interfere();
    if (this.maps.has(`${namespace}/${name}`)) return this.conflict();
    return this.store(`${namespace}/${name}`, data);
  }
  replace(namespace: string, name: string, data: Record<string, string>, resourceVersion: string): Promise<WriteOutcome> {
    this.interfere();
    if (this.maps.get(`${namespace}/${name}`)?.resourceVersion !== resourceVersion) return this.conflict();
    return this.store(`${namespace}/${name}`, data);
  }
  /** Another writer's change to the gate document, as a second replica would make it. */
  writeOther(key: string, change: (records: GateRecords) => GateRecords): void {
    const stored = this.maps.get(key);
    const records = stored === undefined ? {} : parseGateDocument(stored.data[gatesKey] ?? '', 'fake');
    void this.store(key, { [gatesKey]: gateDocument(change(records)) });
  }
  private interfere(): void {
    const hook = this.beforeWrite;
    this.beforeWrite = undefined;
    hook?.();
  }
  private conflict(): Promise<WriteOutcome> {
    this.conflicts++;
    return Promise.resolve('conflict');
  }
  private store(key: string, data: Record<string, string>): Promise<WriteOutcome> {
    this.writes++;
    this.maps.set(key, { data: { ...data }, resourceVersion: String(++this.version) });
    return Promise.resolve('written');
  }
}

describe('the ConfigMap gate store', () => {
  const where = { namespace: 'test', name: 'songbird-loadtester-gates' };
  const key = 'test/songbird-loadtester-gates';

  it('keeps gates in one ConfigMap key across a restart', async () => {
    const client = new FakeConfigMaps();
    const first = await store(configMapGateBackend(client, where));
    await first.open('podinfo.test');
    expect(client.maps.get(key)?.data[gatesKey]).toContain('"podinfo.test"');
    const second = await store(configMapGateBackend(client, where));
    expect(await second.isOpen('podinfo.test')).toBe(true);
  });

  it('applies a change again to what another replica wrote in between, losing neither', async () => {
    const client = new FakeConfigMaps();
    const gates = await store(configMapGateBackend(client, where));
    await gates.open('mine.test');
    client.beforeWrite = () => client.writeOther(key, (records) => ({ ...records, 'theirs.test': { open: true, changedAt: 'now' } }));
    await gates.open('second.test');
    expect(client.conflicts).toBe(1);
    const stored = parseGateDocument(client.maps.get(key)?.data[gatesKey] ?? '', 'fake');
    expect(Object.keys(stored).sort()).toEqual(['mine.test', 'second.test', 'theirs.test']);
  });

  it('sees a gate another replica opened or closed at the next check', async () => {
    const client = new FakeConfigMaps();
    const [a, b] = [await store(configMapGateBackend(client, where)), await store(configMapGateBackend(client, where))];
    await b.open('podinfo.test');
    expect(await a.isOpen('podinfo.test')).toBe(true);
    await b.close('podinfo.test');
    expect(await a.isOpen('podinfo.test')).toBe(false);
  });

  it('writes nothing when a change changes nothing', async () => {
    const client = new FakeConfigMaps();
    const gates = await store(configMapGateBackend(client, where));
    await gates.close('never-opened.test');
    expect(client.writes).toBe(0);
  });

  it('gives up with a store error after ten conflicts in a row, keeping the gate as stored', async () => {
    const client = new FakeConfigMaps();
    const gates = await store(configMapGateBackend(client, where));
    let interfered = 0;
    const interfere = (): void => {
      interfered++;
      client.writeOther(key, (records) => ({ ...records, [`other${interfered}.test`]: { open: true, changedAt: 'now' } }));
      client.beforeWrite = interfere;
    };
    client.beforeWrite = interfere;
    await expect(gates.open('podinfo.test')).rejects.toThrow(`${maxWriteAttempts} writes in a row conflicted`);
    client.beforeWrite = undefined;
    expect(client.conflicts).toBe(maxWriteAttempts);
    expect(await gates.isOpen('podinfo.test')).toBe(false);
  });
});
