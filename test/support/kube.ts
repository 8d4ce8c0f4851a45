import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  ApiextensionsV1Api, CoreV1Api, KubeConfig, KubernetesObjectApi, type KubernetesObject,
} from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll } from 'vitest';

/** A KubeConfig for the cluster of this test project (KUBECONFIG set by export-kubeconfig.ts). */
export function testKubeConfig(): KubeConfig {
  const path = process.env.KUBECONFIG;
  if (path === undefined || path === '') throw new Error('KUBECONFIG is not set: run this test through its vitest project');
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}

/**
 * Creates a namespace with a random name before the tests of the file and deletes it after them, so that
 * every test file works in its own namespace. Returns a getter for the name.
 */
export function useTestNamespace(prefix = 't'): () => string {
  const name = `${prefix}-${randomBytes(4).toString('hex')}`;
  beforeAll(async () => {
    const core = testKubeConfig().makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name } } });
  });
  afterAll(async () => {
    const core = testKubeConfig().makeApiClient(CoreV1Api);
    await core.deleteNamespace({ name }).catch(() => undefined);
  });
  return () => name;
}

/** Every document of a multi-document YAML file, skipping empty ones. */
export function readManifests(path: string): KubernetesObject[] {
  return parseAllDocuments(readFileSync(path, 'utf8'))
    .map((d) => d.toJS() as KubernetesObject | null)
    .filter((o): o is KubernetesObject => o !== null && typeof o === 'object' && 'kind' in o);
}

/** Creates (or replaces) each CRD of a file and waits until the apiserver serves all of them. */
export async function installCrds(path: string): Promise<string[]> {
  const kc = testKubeConfig();
  const objects = kc.makeApiClient(KubernetesObjectApi);
  const crds = readManifests(path).filter((o) => o.kind === 'CustomResourceDefinition');
  for (const crd of crds) {
    const header = { apiVersion: crd.apiVersion, kind: crd.kind, metadata: { name: crd.metadata?.name ?? '' } };
    const existing = await objects.read(header).catch(() => undefined);
    if (existing === undefined) await objects.create(crd);
  }
  const names = crds.map((c) => c.metadata?.name ?? '');
  await waitFor(`CRDs established: ${names.join(', ')}`, async () => {
    const api = kc.makeApiClient(ApiextensionsV1Api);
    const states = await Promise.all(names.map((name) => api.readCustomResourceDefinition({ name })));
    return states.every((s) => s.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True'));
  });
  return names;
}

/** Polls until `check` returns true; fails with `description` after `timeoutMs`. */
export async function waitFor(description: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
  throw new Error(`timed out waiting for ${description}${cause}`);
}

/** Status code and message of a rejected API call (client-node's ApiException carries the server's Status). */
export async function rejection(call: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await call;
  } catch (error) {
    const e = error as { code?: number; body?: unknown };
    const body = typeof e.body === 'string' ? (JSON.parse(e.body) as { message?: string }) : (e.body as { message?: string } | undefined);
    return { code: e.code ?? 0, message: body?.message ?? String(error) };
  }
  throw new Error('expected the API server to reject the call, but it succeeded');
}
