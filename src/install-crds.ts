import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { Resources } from './kube/resources.js';
import { isConflict, type Kube, type KubeObject } from './ports/kube.js';

type Sleep = (ms: number) => Promise<void>;

/**
 * Creates or updates every CustomResourceDefinition in `files`, then waits (up to `timeoutMs`) until the
 * apiserver serves all of them; throws naming those that are not Established by then. A 409 means another
 * installer (a parallel test file, a second replica) wrote the same CRD at the same moment, which is fine.
 */
export async function installCrdFiles(kube: Kube, files: readonly string[], sleep: Sleep, timeoutMs = 30_000): Promise<string[]> {
  const crds = files.flatMap((f) => parseAllDocuments(readFileSync(f, 'utf8')).map((d) => d.toJS() as KubeObject | null))
    .filter((o): o is KubeObject => o?.kind === 'CustomResourceDefinition');
  for (const crd of crds) await applyCrd(kube, crd).catch(ignoreConflict);
  const names = crds.map((c) => c.metadata.name);
  for (let waited = 0; ; waited += 100) {
    const pending = await notEstablished(kube, names);
    if (pending.length === 0) return names;
    if (waited >= timeoutMs) throw new Error(`CRDs not established after ${timeoutMs / 1000} s: ${pending.join(', ')}`);
    await sleep(100);
  }
}

/** {@link installCrdFiles} for every `.yaml` file in `dir` (the generated `crds/`). */
export function installCrds(kube: Kube, dir: string, sleep: Sleep): Promise<string[]> {
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((f) => join(dir, f));
  return installCrdFiles(kube, files, sleep);
}

async function applyCrd(kube: Kube, crd: KubeObject): Promise<void> {
  const existing = await kube.get(Resources.customResourceDefinitions, undefined, crd.metadata.name);
  if (existing === undefined) await kube.create(Resources.customResourceDefinitions, crd);
  else await kube.replace(Resources.customResourceDefinitions, { ...crd, metadata: { ...crd.metadata, resourceVersion: existing.metadata.resourceVersion } });
}

function ignoreConflict(error: unknown): void {
  if (!isConflict(error)) throw error;
}

async function notEstablished(kube: Kube, names: readonly string[]): Promise<string[]> {
  const states = await Promise.all(names.map((name) => kube.get(Resources.customResourceDefinitions, undefined, name)));
  return names.filter((_, i) => states[i]?.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') !== true);
}
