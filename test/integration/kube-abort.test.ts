import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Resources } from '../../src/kube/resources.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { testKubeConfig, useTestNamespace } from '../support/kube.js';
import { kubeThrough } from '../support/leader-replicas.js';

// Leader election aborts a renewal at the renew deadline; the fence aborts a write when leadership ends.
// Both rely on the HTTPS adapter giving up on a request, whatever the network does, once its signal fires.
describe('HttpsKube with an AbortSignal', () => {
  const namespace = useTestNamespace('abort');
  let proxy: FaultProxy;

  beforeAll(async () => {
    proxy = await startFaultProxy(testKubeConfig().getCurrentCluster()?.server ?? '');
  });

  afterAll(async () => proxy.close());

  it('abandons a request that hangs in a partition as soon as its signal aborts', async () => {
    const kube = kubeThrough(proxy);
    expect(await kube.get(Resources.configMaps, namespace(), 'absent')).toBeUndefined();
    proxy.partition();
    const started = Date.now();
    const write = kube.create(Resources.configMaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'late', namespace: namespace() } },
      { signal: AbortSignal.timeout(300) });
    await expect(write).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(5_000);
    proxy.heal();
    // The aborted create never reached the API server, even after the partition healed.
    await new Promise((r) => setTimeout(r, 500));
    expect(await kube.get(Resources.configMaps, namespace(), 'late')).toBeUndefined();
  });

  it('rejects at once when the signal has already aborted, without sending anything', async () => {
    const kube = kubeThrough(proxy);
    const aborted = AbortSignal.abort(new Error('leadership lost'));
    await expect(kube.create(Resources.configMaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'never', namespace: namespace() } }, { signal: aborted }))
      .rejects.toThrow('leadership lost');
    expect(await kube.get(Resources.configMaps, namespace(), 'never')).toBeUndefined();
  });
});
