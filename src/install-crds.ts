import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { Resources } from './kube/resources.js';
import type { Kube, KubeObject } from './ports/kube.js';

/** Creates or updates every CRD in `dir` (the generated `crds/`), then waits until the apiserver serves them. */
export async function installCrds(kube: Kube, dir: string, sleep: (ms: number) => Promise<void>): Promise<string[]> {
  const crds = readdirSync(dir).filter((f) => f.endsWith('.yaml')).flatMap((f) =>
    parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => d.toJS() as KubeObject));
  for (const crd of crds) {
    const existing = await kube.get(Resources.customResourceDefinitions, undefined, crd.metadata.name);
    if (existing === undefined) await kube.create(Resources.customResourceDefinitions, crd);
    else await kube.replace(Resources.customResourceDefinitions, { ...crd, metadata: { ...crd.metadata, resourceVersion: existing.metadata.resourceVersion } });
  }
  for (let i = 0; i < 100; i++) {
    const states = await Promise.all(crds.map((c) => kube.get(Resources.customResourceDefinitions, undefined, c.metadata.name)));
    if (states.every((s) => s?.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') === true)) break;
    await sleep(100);
  }
  return crds.map((c) => c.metadata.name);
}
