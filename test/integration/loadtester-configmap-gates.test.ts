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
});
