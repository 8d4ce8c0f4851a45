import { describe, expect, it } from 'vitest';
import { configMapGateBackend, gatesKey } from '../../loadtester/src/gates/configmap-backend.js';
import { createGateStore } from '../../loadtester/src/gates/gate-store.js';
import { kubeConfigMapClient } from '../../loadtester/src/gates/kube-configmaps.js';
import { Resources } from '../../src/kube/resources.js';
import { systemClock } from '../../loadtester/src/ports/clock.js';
import { testKube, useTestNamespace } from '../support/kube.js';

describe('load tester gates in a ConfigMap on the real API server', () => {
  const namespace = useTestNamespace('gates');

  it('persists opened gates across a restart and creates the ConfigMap on first write', async () => {
    const where = { namespace: namespace(), name: 'songbird-loadtester-gates' };
    const client = kubeConfigMapClient();
    const first = await createGateStore({ backend: configMapGateBackend(client, where), clock: systemClock(), autoClose: false });
    expect(await first.isOpen('podinfo.test')).toBe(false);
    await first.open('podinfo.test');
    await first.open('rollback.podinfo.test');
    await first.close('rollback.podinfo.test');

    const stored = await testKube().get(Resources.configMaps, where.namespace, where.name);
    expect(stored?.metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'songbird-loadtester' });
    expect(JSON.parse(stored?.data?.[gatesKey] ?? '{}')).toMatchObject({ version: 1, gates: { 'podinfo.test': { open: true } } });

    const restarted = await createGateStore({ backend: configMapGateBackend(kubeConfigMapClient(), where), clock: systemClock(), autoClose: false });
    expect(await restarted.isOpen('podinfo.test')).toBe(true);
    expect(await restarted.isOpen('rollback.podinfo.test')).toBe(false);
  });

  it('loses no change when two replicas open and close gates on one ConfigMap at the same time', async () => {
    const where = { namespace: namespace(), name: 'songbird-loadtester-gates' };
    const replica = (): ReturnType<typeof createGateStore> =>
      createGateStore({ backend: configMapGateBackend(kubeConfigMapClient(), where), clock: systemClock(), autoClose: false });
    const [a, b] = await Promise.all([replica(), replica()]);
    const keys = (prefix: string): string[] => Array.from({ length: 8 }, (_, i) => `${prefix}${i}.test`);
    // Round 1: each replica opens its own eight gates, interleaved with the other's writes.
    await Promise.all([...keys('a').map((key) => a.open(key)), ...keys('b').map((key) => b.open(key))]);
    // Round 2: each closes half of the other's gates and reopens one of its own.
    await Promise.all([
      ...keys('b').slice(0, 4).map((key) => a.close(key)),
      ...keys('a').slice(4).map((key) => b.close(key)),
      a.open('a0.test'),
      b.open('b7.test'),
    ]);
    const expectedOpen = ['a0.test', 'a1.test', 'a2.test', 'a3.test', 'b4.test', 'b5.test', 'b6.test', 'b7.test'];
    const fresh = await replica();
    for (const key of [...keys('a'), ...keys('b')]) {
      const open = expectedOpen.includes(key);
      expect(await fresh.isOpen(key), `${key} seen by a third instance`).toBe(open);
      // Each replica sees the other's changes too, not only its own.
      expect(await a.isOpen(key), `${key} seen by replica a`).toBe(open);
      expect(await b.isOpen(key), `${key} seen by replica b`).toBe(open);
    }
  });

  it('re-applies a change after a 409 from the API server, keeping the write it lost to', async () => {
    const where = { namespace: namespace(), name: 'songbird-loadtester-gates' };
    const client = kubeConfigMapClient();
    const b = await createGateStore({ backend: configMapGateBackend(kubeConfigMapClient(), where), clock: systemClock(), autoClose: false });
    await b.open('first.test');
    // Replica a reads the ConfigMap, then replica b writes before a's replace reaches the API server.
    let conflicts = 0;
    let interleaved = false;
    const slow: typeof client = {
      ...client,
      replace: async (...args) => {
        if (!interleaved) {
          interleaved = true;
          await b.open('b-wins-the-race.test');
        }
        const outcome = await client.replace(...args);
        if (outcome === 'conflict') conflicts++;
        return outcome;
      },
    };
    const a = await createGateStore({ backend: configMapGateBackend(slow, where), clock: systemClock(), autoClose: false });
    await a.open('a-retries.test');
    expect(conflicts).toBe(1);
    for (const key of ['first.test', 'b-wins-the-race.test', 'a-retries.test']) expect(await b.isOpen(key), key).toBe(true);
  });
});
