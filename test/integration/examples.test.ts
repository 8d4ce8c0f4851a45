import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { flaggerType, Resources } from '../../src/kube/resources.js';
import type { KubeObject, ResourceType } from '../../src/ports/kube.js';
import { CanaryResource } from '../../src/reconciler/cluster-caches.js';
import { installCrds as installOurCrds } from '../../src/install-crds.js';
import { installCrds, readManifests, testKube, useTestNamespace } from '../support/kube.js';

const root = join(import.meta.dirname, '..', '..');
const examples = join(root, 'examples');
const types: Record<string, ResourceType> = {
  Deployment: Resources.deployments, ConfigMap: Resources.configMaps, Ingress: Resources.ingresses, Canary: CanaryResource, MetricTemplate: flaggerType('MetricTemplate'),
  HTTPRoute: Resources.httpRoutes,
};
const manifests = readdirSync(examples, { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.yaml')).sort()
  .flatMap((file) => readManifests(join(examples, file)).filter((m) => m.kind !== 'Namespace').map((m) => [`${file} ${m.kind ?? ''}/${m.metadata?.name ?? ''}`, file, m] as const));

/** Every example manifest of the README is accepted, as written, by the real API server with our CRDs. */
describe('examples/ on the real API server', () => {
  const namespace = useTestNamespace('examples');
  beforeAll(async () => {
    await installOurCrds(testKube(), join(root, 'crds'), (ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    // The Gateway API examples include the user's HTTPRoute, validated by the real Gateway API CRDs.
    await installCrds(join(root, 'test', 'fixtures', 'thirdparty-crds', 'gateway-api.yaml'));
  });

  it.each(manifests)('accepts %s', async (_name, file, manifest) => {
    const type = types[manifest.kind ?? ''];
    if (type === undefined) throw new Error(`no resource type for ${manifest.kind ?? ''}`);
    // Examples of different folders reuse names (podinfo): each object is created under its folder's prefix.
    const name = `${file.split('/')[0] ?? ''}-${manifest.metadata?.name ?? ''}`;
    const object = { ...manifest, metadata: { ...manifest.metadata, name, namespace: namespace() } } as KubeObject;
    const created = await testKube().create(type, object);
    expect(created.metadata.name).toBe(name);
  });
});
