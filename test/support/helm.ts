import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { binaryPath } from '../../src/local-cluster/toolchain.js';

const run = promisify(execFile);

/** The repository's chart folders. */
export const chartDir = (chart: 'songbird' | 'loadtester'): string => join(import.meta.dirname, '..', '..', 'charts', chart);

/** A rendered manifest, as `helm template` prints it. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

/**
 * Runs the Go-built helm with `args`; values are written to a file given with --values (none for commands that
 * take no values, `null`).
 */
export async function helm(args: readonly string[], values: Record<string, unknown> | null = {}): Promise<{ stdout: string; stderr: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'songbird-helm-'));
  try {
    const valuesFile = join(dir, 'values.json');
    writeFileSync(valuesFile, JSON.stringify(values ?? {}));
    // Helm keeps its caches and config out of the user's home folder.
    const env = { ...process.env, HELM_CACHE_HOME: join(dir, 'cache'), HELM_CONFIG_HOME: join(dir, 'config'), HELM_DATA_HOME: join(dir, 'data') };
    return await run(binaryPath('helm'), [...args, ...(values === null ? [] : ['--values', valuesFile])], { env, maxBuffer: 16 * 1024 * 1024 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `helm template` of a chart with `values`, parsed into its manifests. */
export async function renderChart(chart: 'songbird' | 'loadtester', values: Record<string, unknown> = {},
  opts: { namespace?: string; release?: string; args?: readonly string[] } = {}): Promise<Manifest[]> {
  const { stdout } = await helm(['template', opts.release ?? chart, chartDir(chart), '--namespace', opts.namespace ?? 'songbird-system', ...(opts.args ?? [])], values);
  return parseManifests(stdout);
}

/** The manifests of a multi-document YAML text, as helm prints them. */
export function parseManifests(text: string): Manifest[] {
  return parseAllDocuments(text).map((d) => d.toJS() as Manifest | null).filter((m): m is Manifest => m !== null);
}

/** The one manifest of `kind` (and `name` when given); throws when there is none or several. */
export function only(manifests: readonly Manifest[], kind: string, name?: string): Manifest {
  const found = manifests.filter((m) => m.kind === kind && (name === undefined || m.metadata.name === name));
  if (found.length !== 1) throw new Error(`expected one ${kind}${name === undefined ? '' : ` ${name}`}, found ${found.length}`);
  return found[0] as Manifest;
}
