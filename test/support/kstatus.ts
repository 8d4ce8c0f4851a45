import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { binDir } from '../../src/local-cluster/toolchain.js';

/**
 * The kstatus rules (sigs.k8s.io/cli-utils/pkg/kstatus/status, `Compute`) for a custom resource, which Flux's
 * health checks apply: cli-utils has special rules only for built-in kinds, so a Canary is judged by the
 * generic ones, in this order:
 * 1. `metadata.deletionTimestamp` set → Terminating;
 * 2. `status.observedGeneration` present and different from `metadata.generation` → InProgress;
 * 3. the first condition that is `Reconciling` True → InProgress, or `Stalled` True → Failed (its message);
 * 4. a `Ready` condition: True → Current ("Resource is Ready"), False or Unknown → InProgress (its message);
 * 5. otherwise → Current.
 * test/integration/kstatus-library.test.ts checks this against the library itself.
 */
export type KstatusStatus = 'InProgress' | 'Failed' | 'Current' | 'Terminating';

interface Judged {
  metadata: { generation?: number; deletionTimestamp?: string };
  status?: { observedGeneration?: number; conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

/** What kstatus (and so Flux) makes of an object. */
export function kstatusOf(object: Judged): { status: KstatusStatus; message: string } {
  if (object.metadata.deletionTimestamp !== undefined) return { status: 'Terminating', message: 'Resource scheduled for deletion' };
  const conditions = object.status?.conditions ?? [];
  return behindGeneration(object) ?? byConditions(conditions) ?? byReady(conditions) ?? { status: 'Current', message: 'Resource is current' };
}

function behindGeneration(object: Judged): { status: KstatusStatus; message: string } | undefined {
  const { generation } = object.metadata;
  const observed = object.status?.observedGeneration;
  if (generation === undefined || observed === undefined || observed === generation) return undefined;
  return { status: 'InProgress', message: `Canary generation is ${generation}, but latest observed generation is ${observed}` };
}

function byConditions(conditions: NonNullable<NonNullable<Judged['status']>['conditions']>): { status: KstatusStatus; message: string } | undefined {
  for (const c of conditions) {
    if (c.status !== 'True') continue;
    if (c.type === 'Reconciling') return { status: 'InProgress', message: c.message ?? '' };
    if (c.type === 'Stalled') return { status: 'Failed', message: c.message ?? '' };
  }
  return undefined;
}

function byReady(conditions: NonNullable<NonNullable<Judged['status']>['conditions']>): { status: KstatusStatus; message: string } | undefined {
  const ready = conditions.find((c) => c.type === 'Ready');
  if (ready === undefined) return undefined;
  if (ready.status === 'True') return { status: 'Current', message: 'Resource is Ready' };
  return ready.status === 'False' || ready.status === 'Unknown' ? { status: 'InProgress', message: ready.message ?? '' } : undefined;
}

/** Path of kstatus-compute, the library's own verdict (scripts/kstatus-compute, built by the toolchain script). */
export function kstatusComputePath(env: NodeJS.ProcessEnv = process.env): string {
  const path = join(binDir(env), 'kstatus-compute');
  if (!existsSync(path)) throw new Error(`kstatus-compute is not built yet (looked in ${binDir(env)}); run: npm run toolchain`);
  return path;
}

/** What sigs.k8s.io/cli-utils' kstatus itself makes of an object (through kstatus-compute). */
export function kstatusLibrary(object: unknown): Promise<{ status: string; message: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(kstatusComputePath(), [], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { err += chunk.toString(); });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as { status: string; message: string }) : reject(new Error(`kstatus-compute: ${err}`))));
    child.stdin.end(JSON.stringify(object));
  });
}
