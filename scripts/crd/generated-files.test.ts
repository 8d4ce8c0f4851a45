import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { alertProviderRules, analysisRules, serviceRules, specRules } from '../../src/api/rules.js';
import { generatedRbacFiles } from '../rbac/chart-rules.js';
import { crdDefinitions, crdYaml, generatedFiles, generatedHeader } from './manifests.js';

const root = join(import.meta.dirname, '..', '..');
const files = generatedFiles();

describe('generated CRD files', () => {
  it.each([...files, ...generatedRbacFiles()].map((f) => [f.path, f.content]))('%s is committed exactly as the generator writes it', (path, content) => {
    const onDisk = existsSync(join(root, path)) ? readFileSync(join(root, path), 'utf8') : undefined;
    if (onDisk !== content) {
      expect.fail(`${path} differs from its source (src/api's zod schemas, src/kube/rbac-rules.ts): run npm run generate:crds and commit the result`);
    }
  });

  it('writes one CRD per kind to crds/ and an identical copy to the Helm chart', () => {
    expect(files.map((f) => f.path)).toEqual([
      'crds/flagger.app_canaries.yaml', 'charts/songbird/crds/flagger.app_canaries.yaml',
      'crds/flagger.app_metrictemplates.yaml', 'charts/songbird/crds/flagger.app_metrictemplates.yaml',
      'crds/flagger.app_alertproviders.yaml', 'charts/songbird/crds/flagger.app_alertproviders.yaml',
    ]);
    expect(files[0]?.content).toBe(files[1]?.content);
  });

  it('produces the same text on every run', () => {
    expect(generatedFiles()).toEqual(files);
  });

  it('starts every file with the generated-file header', () => {
    for (const file of files) expect(file.content.startsWith(`${generatedHeader}\n`)).toBe(true);
  });

  it('gives every kind the Flagger CRD settings: namespaced, category all, status subresource, kept by Helm', () => {
    for (const file of files) {
      const crd = parse(file.content) as {
        metadata: { annotations: Record<string, string> };
        spec: { scope: string; names: { categories: string[] }; versions: Array<{ name: string; subresources: unknown }> };
      };
      expect(crd.metadata.annotations['helm.sh/resource-policy']).toBe('keep');
      expect(crd.spec.scope).toBe('Namespaced');
      expect(crd.spec.names.categories).toEqual(['all']);
      expect(crd.spec.versions.map((v) => [v.name, v.subresources])).toEqual([['v1beta1', { status: {} }]]);
    }
  });

  it('has no defaults anywhere in the schemas (behavioural defaults live in src/api/defaults.ts)', () => {
    for (const file of files) expect(file.content).not.toMatch(/^\s+default:/m);
  });

  it("uses Flagger's printer columns, in Flagger's order, and adds the run's expected end to -o wide", () => {
    const columns = Object.fromEntries(crdDefinitions.map((d) => [d.kind, d.printerColumns.map((c) => `${c.name}${c.priority === 1 ? '*' : ''}`)]));
    expect(columns).toEqual({
      Canary: ['Status', 'Weight', 'Suspended*', 'FailedChecks*', 'Interval*', 'Mirror*', 'StepWeight*', 'StepWeights*', 'MaxWeight*', 'ExpectedEnd*', 'LastTransitionTime'],
      MetricTemplate: ['Provider'],
      AlertProvider: ['Type'],
    });
  });

  it('attaches every CEL rule of src/api/rules.ts to a schema node, with its message', () => {
    const all = crdDefinitions.map((d) => parse(crdYaml(d)) as unknown);
    const attached = JSON.stringify(all);
    for (const rule of Object.values({ ...specRules, ...analysisRules, ...serviceRules, ...alertProviderRules })) {
      expect(attached).toContain(JSON.stringify(rule.rule));
      expect(attached).toContain(JSON.stringify(rule.message));
    }
  });
});
