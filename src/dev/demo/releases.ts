import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { ServiceCounts, VersionCounts } from '../data-plane/index.js';
import { faultEnv } from '../next-steps.js';
import type { VersionTraffic } from './format.js';

/** One release of the demo: the image tag, the fault its pods carry, and how it must end. */
export interface Release {
  name: string;
  tag: string;
  env: Record<string, string>;
  expected: 'Succeeded' | 'Failed';
}

/** A good release, then one answering half its requests with 500, then one 800 ms slow on every answer. */
export const releases: readonly Release[] = [
  { name: 'good 6.0.1', tag: '6.0.1', env: {}, expected: 'Succeeded' },
  { name: 'errors 6.0.2', tag: '6.0.2', env: { [faultEnv.errors]: '0.5' }, expected: 'Failed' },
  { name: 'latency 6.0.3', tag: '6.0.3', env: { [faultEnv.latencyMs]: '800' }, expected: 'Failed' },
];

/** Analysis timing of the demo's Canary: short intervals, so that three releases fit in a few minutes. */
export interface DemoTiming {
  /** `analysis.interval`, e.g. `10s` (the shortest the operator honours). */
  interval: string;
  /** `analysis.stepWeight`. */
  stepWeight: number;
  /** Window of the builtin checks, e.g. `10s`: long enough for a few 1 s scrapes, short enough that one release's errors are gone before the next is checked. */
  metricWindow: string;
}

type Manifest = Record<string, unknown> & { kind: string; metadata: { name: string; namespace?: string } };

/**
 * The objects of `examples/podinfo/` moved to `namespace`, with the Canary's analysis shortened to `timing`,
 * its load test aimed at the canary in that namespace, and no revertOnDeletion (the demo deletes its
 * namespace at the end, and a finalizer would hold it once the operator has stopped).
 */
export function demoManifests(exampleDir: string, namespace: string, timing: DemoTiming): Manifest[] {
  const files = readdirSync(exampleDir).filter((f) => f.endsWith('.yaml')).sort();
  const objects = files.flatMap((f) => parseAllDocuments(readFileSync(join(exampleDir, f), 'utf8')).map((d) => d.toJS() as Manifest | null))
    .filter((o): o is Manifest => o !== null && o.kind !== 'Namespace');
  return objects.map((o) => {
    const moved: Manifest = { ...o, metadata: { ...o.metadata, namespace } };
    return o.kind === 'Canary' ? shortenCanary(moved, namespace, timing) : moved;
  });
}

function shortenCanary(canary: Manifest, namespace: string, timing: DemoTiming): Manifest {
  const spec = structuredClone(canary.spec) as { revertOnDeletion?: boolean; analysis: Record<string, unknown> & { metrics?: { interval?: string }[]; webhooks?: { metadata?: { cmd?: string } }[] } };
  spec.revertOnDeletion = false;
  spec.analysis.interval = timing.interval;
  spec.analysis.stepWeight = timing.stepWeight;
  for (const m of spec.analysis.metrics ?? []) m.interval = timing.metricWindow;
  for (const w of spec.analysis.webhooks ?? []) {
    if (w.metadata?.cmd !== undefined) w.metadata.cmd = w.metadata.cmd.replace(/\.test\b/g, `.${namespace}`);
  }
  return { ...canary, spec };
}

/** A JSON patch giving the target's first container the release's image tag and exactly its fault env. */
export function releasePatch(image: string, release: Release): unknown[] {
  const base = image.replace(/:[^:/]*$/, '');
  const env = Object.entries(release.env).map(([name, value]) => ({ name, value }));
  return [
    { op: 'replace', path: '/spec/template/spec/containers/0/image', value: `${base}:${release.tag}` },
    { op: 'add', path: '/spec/template/spec/containers/0/env', value: env },
  ];
}

/**
 * Requests per version in `namespace` between two readings of the data plane's counts: `6.0.1` answered by
 * `podinfo` pods is the canary, by `podinfo-primary` pods the primary. Errors are 5xx answers plus failures.
 */
export function trafficSince(before: readonly VersionCounts[], now: readonly VersionCounts[], namespace: string): VersionTraffic[] {
  const key = (v: VersionCounts): string => `${v.workload}/${v.version}`;
  const start = new Map(before.filter((v) => v.namespace === namespace).map((v) => [key(v), v]));
  return now.filter((v) => v.namespace === namespace).map((v) => {
    const b = start.get(key(v));
    return {
      version: v.version,
      role: v.workload.endsWith('-primary') ? 'primary' as const : 'canary' as const,
      requests: v.requests - (b?.requests ?? 0),
      errors: v.errors + v.failures - (b?.errors ?? 0) - (b?.failures ?? 0),
    };
  }).filter((t) => t.requests > 0);
}

/** Failures (no answer, connection error, 503 for no endpoints) of `service` in `namespace` between two readings. */
export function failuresSince(before: readonly ServiceCounts[], now: readonly ServiceCounts[], namespace: string, service: string): number {
  const of = (list: readonly ServiceCounts[]): number => list.find((s) => s.namespace === namespace && s.service === service)?.failures ?? 0;
  return of(now) - of(before);
}
