import { join } from 'node:path';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { installCrds, rejection, testKubeConfig, useTestNamespace } from '../support/kube.js';

const crdDir = join(import.meta.dirname, '..', 'fixtures', 'thirdparty-crds');

describe('third-party CRDs on the real API server', () => {
  const namespace = useTestNamespace();

  it('installs the Istio, Gateway API, AWS Load Balancer Controller and KEDA CRDs', async () => {
    const names = [
      ...(await installCrds(join(crdDir, 'istio-networking.yaml'))),
      ...(await installCrds(join(crdDir, 'gateway-api.yaml'))),
      ...(await installCrds(join(crdDir, 'aws-load-balancer-controller.yaml'))),
      ...(await installCrds(join(crdDir, 'keda-scaledobjects.yaml'))),
    ];
    expect(names).toEqual(expect.arrayContaining([
      'virtualservices.networking.istio.io',
      'destinationrules.networking.istio.io',
      'httproutes.gateway.networking.k8s.io',
      'targetgroupbindings.elbv2.k8s.aws',
      'scaledobjects.keda.sh',
    ]));
  });

  it('accepts a valid VirtualService and rejects one with an invalid field, naming the field', async () => {
    await installCrds(join(crdDir, 'istio-networking.yaml'));
    const api = testKubeConfig().makeApiClient(CustomObjectsApi);
    const virtualService = (weight: unknown): object => ({
      apiVersion: 'networking.istio.io/v1beta1',
      kind: 'VirtualService',
      metadata: { name: `podinfo-${typeof weight}` },
      spec: {
        hosts: ['podinfo'],
        http: [{ route: [{ destination: { host: 'podinfo-primary' }, weight }] }],
      },
    });
    const target = { group: 'networking.istio.io', version: 'v1beta1', namespace: namespace(), plural: 'virtualservices' };

    const created = (await api.createNamespacedCustomObject({ ...target, body: virtualService(100) })) as { metadata: { uid: string } };
    expect(created.metadata.uid).not.toBe('');

    const rejected = await rejection(api.createNamespacedCustomObject({ ...target, body: virtualService('a lot') }));
    expect(rejected.code).toBe(422);
    expect(rejected.message).toContain('spec.http[0].route[0].weight');
  });
});
