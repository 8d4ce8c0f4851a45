import { join } from 'node:path';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { atTheBounds, edit, example, invalidObject, invalidSpecs, type Manifest } from '../fixtures/invalid-specs.js';
import { installCrds, rejection, testKubeConfig, useTestNamespace } from '../support/kube.js';

const root = join(import.meta.dirname, '..', '..');
const article = (kind: string): string => `${/^[AEIOU]/.test(kind) ? 'an' : 'a'} ${kind}`;
const plurals: Record<string, string> = { Canary: 'canaries', MetricTemplate: 'metrictemplates', AlertProvider: 'alertproviders' };

describe('invalid flagger.app specs on the real API server', () => {
  const namespace = useTestNamespace('invalid');
  const create = (object: Manifest): Promise<unknown> => testKubeConfig().makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
    group: 'flagger.app', version: 'v1beta1', namespace: namespace(), plural: plurals[object.kind ?? ''] ?? '', body: object,
  });

  beforeAll(async () => {
    for (const file of ['flagger.app_canaries.yaml', 'flagger.app_metrictemplates.yaml', 'flagger.app_alertproviders.yaml']) {
      await installCrds(join(root, 'crds', file));
    }
  });

  it('has at least 40 cases over the three kinds', () => {
    expect(invalidSpecs.length).toBeGreaterThanOrEqual(40);
    expect(new Set(invalidSpecs.map((row) => row.example)).size).toBe(3);
  });

  it.each(invalidSpecs.map((row, i) => [`${article(example(row.example).kind ?? '')} with ${row.name}`, row, i] as const))(
    'rejects %s with 422 naming the field',
    async (_case, row, i) => {
      const rejected = await rejection(create(invalidObject(row, `invalid-${i}`)));
      expect(rejected.code).toBe(422);
      for (const fragment of row.fragments) expect(rejected.message).toContain(fragment);
    },
  );

  it('admits every bound itself (the maxima are inclusive)', async () => {
    const canary = example('istio-canary.yaml');
    canary.metadata = { name: 'at-the-bounds' };
    for (const [path, ...value] of atTheBounds) edit(canary.spec, path, value);
    await expect(create(canary)).resolves.toBeDefined();
  });
});
