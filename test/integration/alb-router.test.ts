import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsElbV2 } from '../../src/adapters/elbv2-aws.js';
import type { Canary } from '../../src/api/canary.js';
import { Resources, type Ingress, type Service } from '../../src/kube/resources.js';
import { silentLogger } from '../../src/ports/logger.js';
import { AlbRouter } from '../../src/routers/alb/alb.js';
import { ALL_PRIMARY, type Weights } from '../../src/routers/router.js';
import { FakeClock } from '../fakes/fake-clock.js';
import { startAlbControllerEmulator, type AlbControllerEmulator } from '../support/alb-controller-emulator.js';
import { installCrds, testKube, useTestNamespace, waitFor } from '../support/kube.js';
import { awsClientConfig, startMoto, type RunningMoto } from '../support/moto.js';

const ALB = 'alb.ingress.kubernetes.io';
const ACTION = 'web-weighted';
const namespace = useTestNamespace('albrouter');
const kube = testKube();
const split = (primary: number, canary: number): Weights => ({ primary, canary, mirrored: false });

let moto: RunningMoto;
let emulator: AlbControllerEmulator;
let router: AlbRouter;

function albCanary(analysis: Partial<Canary['spec']['analysis']> = {}): Canary {
  return {
    apiVersion: 'flagger.app/v1beta1', kind: 'Canary', metadata: { name: 'podinfo', namespace: namespace() },
    spec: {
      provider: 'alb', targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
      ingressRef: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'web' },
      service: { port: 80 }, analysis: { interval: '1m', threshold: 5, stepWeight: 10, maxWeight: 50, ...analysis },
    },
  };
}

const service = (name: string): Service => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: namespace() },
  spec: { selector: { app: name }, ports: [{ name: 'http', port: 80, targetPort: 9898 }] },
});

async function ingress(): Promise<Ingress> {
  const found = await kube.get(Resources.ingresses, namespace(), 'web');
  if (found === undefined) throw new Error('Ingress web not found');
  return found;
}

/** Asks the router until AWS (moto, through the emulator) shows `weights`; returns the pending reasons seen. */
async function untilApplied(canary: Canary, weights: Weights): Promise<string[]> {
  const reasons: string[] = [];
  await waitFor(`AWS shows ${weights.primary}/${weights.canary}`, async () => {
    const result = await router.verifyRoutes(canary, weights);
    if (result.state === 'pending') reasons.push(result.reason);
    return result.state === 'applied';
  }, 30_000);
  return reasons;
}

describe('ALB router on a real API server with moto and the controller emulator', () => {
  beforeAll(async () => {
    await installCrds(join(import.meta.dirname, '..', 'fixtures', 'thirdparty-crds', 'aws-load-balancer-controller.yaml'));
    moto = await startMoto();
    for (const name of ['podinfo', 'podinfo-primary', 'podinfo-canary']) await kube.create(Resources.services, service(name));
    await kube.create(Resources.ingresses, {
      apiVersion: 'networking.k8s.io/v1', kind: 'Ingress',
      metadata: { name: 'web', namespace: namespace(), annotations: { [`${ALB}/scheme`]: 'internet-facing', 'team.example.com/owner': 'shop' } },
      spec: { ingressClassName: 'alb', rules: [{ host: 'app.example.com', http: { paths: [
        { path: '/static', pathType: 'Prefix', backend: { service: { name: 'cdn', port: { number: 80 } } } },
        { path: '/', pathType: 'Prefix', backend: { service: { name: ACTION, port: { name: 'use-annotation' } } } },
      ] } }] },
    });
    emulator = startAlbControllerEmulator({ kube, namespace: namespace(), aws: awsClientConfig(moto), delayMs: 1_500 });
    process.env.AWS_ACCESS_KEY_ID = moto.credentials.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = moto.credentials.secretAccessKey;
    const elbv2 = awsElbV2({ region: moto.region, endpoint: moto.endpoint });
    router = new AlbRouter({ kube, reader: kube, clock: new FakeClock(), logger: silentLogger, settings: { ingressAnnotationsPrefix: '' }, elbv2 });
  }, 60_000);

  afterAll(async () => {
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    await emulator.stop();
    await moto.stop();
  });

  it('writes the weighted action beside the user\'s annotations and holds each split pending until AWS shows it', async () => {
    const canary = albCanary();
    await router.reconcile(canary);
    const written = await ingress();
    expect(written.metadata.annotations).toMatchObject({ [`${ALB}/scheme`]: 'internet-facing', 'team.example.com/owner': 'shop' });
    expect(await router.getRoutes(canary)).toEqual(ALL_PRIMARY);
    await untilApplied(canary, ALL_PRIMARY);
    // In steady state reconcile writes nothing (the emulator has written the status hostname meanwhile).
    const settled = await ingress();
    await router.reconcile(canary);
    expect((await ingress()).metadata.resourceVersion).toBe(settled.metadata.resourceVersion);

    await router.setRoutes(canary, split(90, 10));
    expect(await router.verifyRoutes(canary, split(90, 10))).toEqual({ state: 'pending', reason: 'waiting for ALB weights 90/10, AWS has 100/0' });
    await untilApplied(canary, split(90, 10));
    expect(await emulator.appliedWeights('web', ACTION)).toEqual({ 'podinfo-primary': 90, 'podinfo-canary': 10 });
  }, 60_000);

  it('adds a header route the API server accepts, which AWS applies as a second rule, and removes it again', async () => {
    const ab = albCanary({ stepWeight: undefined, maxWeight: undefined, iterations: 3, match: [{ headers: { 'x-canary': { exact: 'insider' } } }] });
    await router.setRoutes(ab, split(0, 100));
    const routed = await ingress();
    expect(routed.spec?.rules?.[0]?.http?.paths.map((p) => p.backend.service?.name)).toEqual(['cdn', `${ACTION}-canary-route-0`, ACTION]);
    expect(await router.getRoutes(ab)).toEqual(split(0, 100));
    await untilApplied(ab, split(0, 100));
    expect(await emulator.appliedWeights('web', `${ACTION}-canary-route-0`)).toEqual({ 'podinfo-primary': 0, 'podinfo-canary': 100 });

    await router.setRoutes(ab, ALL_PRIMARY);
    const restored = await ingress();
    expect(restored.spec?.rules?.[0]?.http?.paths.map((p) => p.backend.service?.name)).toEqual(['cdn', ACTION]);
    expect(Object.keys(restored.metadata.annotations ?? {}).filter((k) => k.includes('canary-route'))).toEqual([]);
    await untilApplied(ab, ALL_PRIMARY);
  }, 60_000);

  it('adds the canaryMatch header route beside the weighted action only while the canary weight is above 0', async () => {
    const canary = albCanary({ canaryMatch: { cookie: { name: 'canary' } } });
    await router.reconcile(canary);
    await router.setRoutes(canary, split(80, 20));
    const routed = await ingress();
    const route = `${ACTION}-canary-route-0`;
    expect(routed.spec?.rules?.[0]?.http?.paths.map((p) => p.backend.service?.name)).toEqual(['cdn', route, ACTION]);
    expect(JSON.parse(routed.metadata.annotations?.[`${ALB}/conditions.${route}`] ?? '[]')).toEqual([
      { field: 'http-header', httpHeaderConfig: { httpHeaderName: 'Cookie', values: ['*canary=always*'] } },
    ]);
    expect(await router.getRoutes(canary)).toEqual(split(80, 20));
    await untilApplied(canary, split(80, 20));
    expect(await emulator.appliedWeights('web', route)).toEqual({ 'podinfo-primary': 0, 'podinfo-canary': 100 });
    expect(await emulator.appliedWeights('web', ACTION)).toEqual({ 'podinfo-primary': 80, 'podinfo-canary': 20 });

    await router.setRoutes(canary, ALL_PRIMARY);
    const restored = await ingress();
    expect(restored.spec?.rules?.[0]?.http?.paths.map((p) => p.backend.service?.name)).toEqual(['cdn', ACTION]);
    expect(Object.keys(restored.metadata.annotations ?? {}).filter((k) => k.includes('canary-route'))).toEqual([]);
    await untilApplied(canary, ALL_PRIMARY);
  }, 60_000);

  it('points the action back at the apex Service when the Canary is deleted with revertOnDeletion', async () => {
    await router.finalize(albCanary());
    const action = JSON.parse((await ingress()).metadata.annotations?.[`${ALB}/actions.${ACTION}`] ?? '{}') as unknown;
    expect(action).toEqual({ type: 'forward', forwardConfig: { targetGroups: [{ serviceName: 'podinfo', servicePort: '80', weight: 100 }] } });
    await waitFor('AWS forwards to the apex Service', async () =>
      JSON.stringify(await emulator.appliedWeights('web', ACTION)) === JSON.stringify({ podinfo: 100 }), 30_000);
  }, 60_000);
});
