/** Properties of revision hashing (src/core/revision.ts, and the revision the reconciler computes from a target). */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Deployment } from '../../src/kube/resources.js';
import { configChecksum, hasTargetChanged, podTemplateHash } from '../../src/core/revision.js';
import type { PropertyCheck } from './weights.js';

const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/);
const container = fc.record({
  name,
  image: fc.string({ minLength: 1, maxLength: 20 }),
  env: fc.array(fc.record({ name, value: fc.string({ maxLength: 10 }) }), { maxLength: 3 }),
  ports: fc.array(fc.record({ name, containerPort: fc.integer({ min: 1, max: 65_535 }) }), { maxLength: 2 }),
}, { requiredKeys: ['name', 'image'] });
const template = fc.record({
  metadata: fc.record({ labels: fc.dictionary(name, name, { maxKeys: 3 }), annotations: fc.dictionary(name, fc.string({ maxLength: 10 }), { maxKeys: 2 }) }),
  spec: fc.record({ containers: fc.array(container, { minLength: 1, maxLength: 3 }), nodeSelector: fc.dictionary(name, name, { maxKeys: 2 }) }, { requiredKeys: ['containers'] }),
});
type Template = typeof template extends fc.Arbitrary<infer T> ? T : never;

/** The same content with every object's keys in reverse order and an `undefined` property added (as a client may send). */
function reordered(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reordered);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = { absent: undefined };
  for (const key of Object.keys(value).reverse()) out[key] = reordered((value as Record<string, unknown>)[key]);
  return out;
}

function deployment(t: Template, extra: { replicas?: number; labels?: Record<string, string>; generation?: number } = {}): Deployment {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'podinfo', namespace: 'test', labels: extra.labels ?? {}, generation: extra.generation ?? 1 },
    spec: { replicas: extra.replicas ?? 2, selector: { matchLabels: { app: 'podinfo' } }, template: t },
    status: { replicas: extra.replicas ?? 2 },
  };
}

// The reconciler's revision of a target with config tracking off is the hash of its pod template alone
// (reconciler/facts.ts currentRevision); a Deployment's other fields must not reach it.
const revisionOf = (d: Deployment): string => podTemplateHash(d.spec?.template);

/** Edits of the pod template that are a new revision (keys outside the generated alphabet, so always a change). */
const templateEdit = fc.constantFrom<(t: Template) => Template>(
  (t) => ({ ...t, spec: { ...t.spec, containers: t.spec.containers.map((c, i) => (i === 0 ? { ...c, image: `${c.image}:next` } : c)) } }),
  (t) => ({ ...t, metadata: { ...t.metadata, labels: { ...t.metadata.labels, 'Release-Label': 'new' } } }),
  (t) => ({ ...t, spec: { ...t.spec, containers: [...t.spec.containers, { name: 'sidecar', image: 'envoy' }] } }),
  (t) => ({ ...t, spec: { ...t.spec, nodeSelector: { ...t.spec.nodeSelector, Zone: 'b' } } }),
);

export const revisionProperties: readonly PropertyCheck[] = [
  ['gives the same revision whatever the key order and undefined fields of the template', (numRuns: number): void => {
    fc.assert(fc.property(template, (t) => {
      assert.equal(podTemplateHash(reordered(t)), podTemplateHash(t));
      assert.equal(hasTargetChanged(podTemplateHash(reordered(t)), { lastAppliedSpec: podTemplateHash(t) }), false);
    }), { numRuns });
  }],
  ['gives the same revision when only replicas, the Deployment labels, generation or status change', (numRuns: number): void => {
    fc.assert(fc.property(template, fc.integer({ min: 0, max: 50 }), fc.dictionary(name, name), fc.integer({ min: 1, max: 99 }), (t, replicas, labels, generation) => {
      assert.equal(revisionOf(deployment(t, { replicas, labels, generation })), revisionOf(deployment(t)));
    }), { numRuns });
  }],
  ['gives a new revision whenever the pod template changes', (numRuns: number): void => {
    fc.assert(fc.property(template, templateEdit, (t, edit) => {
      const before = revisionOf(deployment(t));
      const after = revisionOf(deployment(edit(t)));
      assert.notEqual(after, before);
      assert.equal(hasTargetChanged(after, { lastAppliedSpec: before, lastPromotedSpec: before }), true);
    }), { numRuns });
  }],
  ['checksums a ConfigMap the same whatever the key order, and differently when a value changes', (numRuns: number): void => {
    fc.assert(fc.property(fc.dictionary(name, fc.string({ maxLength: 20 }), { minKeys: 1, maxKeys: 5 }), (data) => {
      const config = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data };
      assert.equal(configChecksum({ ...config, data: reordered(data) as Record<string, string> }), configChecksum(config));
      const first = Object.keys(data)[0] ?? '';
      assert.notEqual(configChecksum({ ...config, data: { ...data, [first]: `${data[first] ?? ''}!` } }), configChecksum(config));
    }), { numRuns });
  }],
];
