import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CoreV1Api, KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { HttpsKube } from '../../src/adapters/kube-https.js';
import { installCrdFiles } from '../../src/install-crds.js';
import type { Kube } from '../../src/ports/kube.js';
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

/** The Kube port over the test cluster (raw REST: objects are sent exactly as given, nothing is stripped). */
export function testKube(): Kube {
  return new HttpsKube(testKubeConfig());
}

/** Creates (or updates) each CRD of a file and waits until the apiserver serves all of them. */
export function installCrds(path: string): Promise<string[]> {
  return installCrdFiles(testKube(), [path], (ms) => new Promise((resolve) => setTimeout(resolve, ms)));
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
