import { afterEach, describe, expect, it } from 'vitest';
import { podTemplateHash } from '../../../src/core/revision.js';
import { Resources, type EndpointSlice } from '../../../src/kube/resources.js';
import { FINALIZER, gatherFacts } from '../../../src/reconciler/facts.js';
import { aConfigMap, aDeployment } from '../../fixtures/objects.js';
import { canaryWith, TickHarness } from './tick-harness.js';

describe('gathering the facts of a tick', () => {
  let h: TickHarness;
  afterEach(() => h.stop());

  it('returns what it loaded and leaves the tick context as it was', async () => {
    h = await new TickHarness().start();
    await h.create(Resources.deployments, aDeployment());
    await h.createCanary(canaryWith({}));
    const ctx = h.context();
    const { facts, loaded } = await gatherFacts(ctx, false);
    expect(loaded.target?.metadata.name).toBe('podinfo');
    expect(loaded.selector).toEqual({ key: 'app', value: 'podinfo' });
    expect(loaded.revision?.hash).toBe(podTemplateHash(aDeployment().spec?.template));
    expect([ctx.target, ctx.selector, ctx.revision]).toEqual([undefined, undefined, undefined]);
    expect(facts).toMatchObject({ phase: '', target: 'ok', primary: 'missing', targetReplicas: 2, initialized: false, revisionChanged: true });
  });

  it('reports a missing target and loads nothing about it', async () => {
    h = await new TickHarness().start();
    await h.createCanary(canaryWith({}));
    const { facts, loaded } = await gatherFacts(h.context(), false);
    expect(facts.target).toBe('missing');
    expect(loaded).toEqual({ target: undefined, selector: undefined, revision: undefined });
  });

  it('calls a target invalid when a ConfigMap it reads does not exist, and names it in the revision', async () => {
    h = await new TickHarness().start();
    await h.create(Resources.deployments, aDeployment({ configMap: 'settings' }));
    await h.createCanary(canaryWith({}));
    const { facts, loaded } = await gatherFacts(h.context(), false);
    expect(facts.target).toBe('invalid');
    expect(loaded.revision?.missing).toEqual(['ConfigMap settings']);
  });

  it('checksums the tracked configs into the revision once they exist', async () => {
    h = await new TickHarness().start();
    await h.create(Resources.deployments, aDeployment({ configMap: 'settings' }));
    await h.create(Resources.configMaps, aConfigMap('settings', { level: 'debug' }));
    await h.createCanary(canaryWith({}));
    const { facts, loaded } = await gatherFacts(h.context(), false);
    expect(facts.target).toBe('ok');
    expect(Object.keys(loaded.revision?.checksums ?? {})).toEqual(['configmap/settings']);
  });

  it('holds a ready primary back during initialization until its Service has that many ready endpoints', async () => {
    h = await new TickHarness().start();
    await h.create(Resources.deployments, aDeployment());
    await h.create(Resources.deployments, aDeployment({ name: 'podinfo-primary' }));
    await h.makeReady('podinfo-primary');
    await h.createCanary(canaryWith({}));
    const slice = (ready: boolean[]): EndpointSlice => ({
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4',
      metadata: { name: 'podinfo-primary-x1', namespace: 'test', labels: { 'kubernetes.io/service-name': 'podinfo-primary' } },
      endpoints: ready.map((r, i) => ({ addresses: [`10.0.0.${i + 1}`], conditions: { ready: r } })),
    });
    await h.create(Resources.endpointSlices, slice([true, false]));
    expect((await gatherFacts(h.context(), false)).facts.primary).toEqual(expect.objectContaining({
      ready: false, reason: '1 of 2 endpoints of podinfo-primary ready',
    }));
    await h.kube.patch(Resources.endpointSlices, { namespace: 'test', name: 'podinfo-primary-x1' }, { endpoints: slice([true, true]).endpoints });
    expect((await gatherFacts(h.context(), false)).facts.primary).toMatchObject({ ready: true });
  });

  it('tells the primary readiness once the primary exists', async () => {
    h = await new TickHarness().start();
    await h.create(Resources.deployments, aDeployment());
    await h.create(Resources.deployments, aDeployment({ name: 'podinfo-primary' }));
    await h.createCanary(canaryWith({}));
    expect((await gatherFacts(h.context(), false)).facts.primary).toMatchObject({ ready: false });
    await h.makeReady('podinfo-primary');
    expect((await gatherFacts(h.context(), false)).facts.primary).toMatchObject({ ready: true });
  });

  it('asks for weight verification only where the provider verifies and the spec can be acted on', async () => {
    h = await new TickHarness().start();
    await h.createCanary(canaryWith({ ingressRef: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'podinfo' } }, { provider: 'alb' }));
    await h.createCanary(canaryWith({}, { name: 'bluegreen' }));
    expect((await gatherFacts(h.context(), false)).facts.verifiesRoutes).toBe(true);
    expect((await gatherFacts(h.context(), true)).facts.verifiesRoutes).toBe(false);
    expect((await gatherFacts(h.context('bluegreen'), false)).facts.verifiesRoutes).toBe(false);
  });

  it('sees the finalizer and the deletion as the Canary carries them', async () => {
    h = await new TickHarness().start();
    await h.createCanary({ ...canaryWith({ revertOnDeletion: true }), metadata: { name: 'podinfo', namespace: 'test', finalizers: [FINALIZER] } });
    const { facts } = await gatherFacts(h.context(), false);
    expect(facts).toMatchObject({ hasFinalizer: true, revertOnDeletion: true, deleting: false });
  });
});
