import { afterEach, describe, expect, it } from 'vitest';
import { Resources } from '../../../../src/kube/resources.js';
import { reconcileWorkloads } from '../../../../src/reconciler/steps/workloads.js';
import { aConfigMap, aDeployment } from '../../../fixtures/objects.js';
import { canaryWith, TickHarness } from '../tick-harness.js';

describe('reconcileWorkloads', () => {
  let h: TickHarness;
  afterEach(() => h.stop());

  it('creates the primary Deployment, its -primary config copies and the -canary and -primary Services', async () => {
    h = await new TickHarness().start();
    await h.create(Resources.deployments, aDeployment({ configMap: 'settings' }));
    await h.create(Resources.configMaps, aConfigMap('settings', { level: 'debug' }));
    await h.createCanary(canaryWith({}));
    const { ctx } = await h.loadedContext();
    await reconcileWorkloads(ctx);
    const primary = await h.kube.get(Resources.deployments, 'test', 'podinfo-primary');
    expect(primary?.spec?.template.spec?.containers[0]?.envFrom).toEqual([{ configMapRef: { name: 'settings-primary' } }]);
    expect((await h.kube.get(Resources.configMaps, 'test', 'settings-primary'))?.data).toEqual({ level: 'debug' });
    expect((await h.kube.get(Resources.services, 'test', 'podinfo-canary'))?.spec?.selector).toEqual({ app: 'podinfo' });
    expect((await h.kube.get(Resources.services, 'test', 'podinfo-primary'))?.spec?.selector).toEqual({ app: 'podinfo-primary' });
    expect(await h.kube.get(Resources.services, 'test', 'podinfo')).toBeUndefined();
  });

  it('writes nothing in steady state', async () => {
    h = await new TickHarness().start();
    await h.create(Resources.deployments, aDeployment());
    await h.createCanary(canaryWith({}));
    await reconcileWorkloads((await h.loadedContext()).ctx);
    const versions = async (): Promise<(string | undefined)[]> => Promise.all(['podinfo-primary', 'podinfo-canary'].map(async (n) =>
      (await h.kube.get(Resources.services, 'test', n))?.metadata.resourceVersion));
    const before = await versions();
    await reconcileWorkloads((await h.loadedContext()).ctx);
    expect(await versions()).toEqual(before);
  });

  it('refuses to run before the target is loaded', async () => {
    h = await new TickHarness().start();
    await h.createCanary(canaryWith({}));
    await expect(reconcileWorkloads(h.context())).rejects.toThrow('target not loaded');
  });
});
