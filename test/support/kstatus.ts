/**
 * The kstatus rules (sigs.k8s.io/cli-utils/pkg/kstatus/status, `Compute`) for a custom resource, which Flux's
 * health checks apply: cli-utils has special rules only for built-in kinds, so a Canary is judged by the
 * generic ones, in this order:
 * 1. `metadata.deletionTimestamp` set → Terminating;
 * 2. `status.observedGeneration` present and different from `metadata.generation` → InProgress;
 * 3. a condition `Reconciling` with status True → InProgress (its reason and message);
 * 4. a condition `Stalled` with status True → Failed (its reason and message);
 * 5. otherwise → Current.
 */
export type KstatusStatus = 'InProgress' | 'Failed' | 'Current' | 'Terminating';

interface Judged {
  metadata: { generation?: number; deletionTimestamp?: string };
  status?: { observedGeneration?: number; conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

/** What kstatus (and so Flux) makes of an object. */
export function kstatusOf(object: Judged): { status: KstatusStatus; message: string } {
  if (object.metadata.deletionTimestamp !== undefined) return { status: 'Terminating', message: 'Resource scheduled for deletion' };
  return behindGeneration(object) ?? byConditions(object.status?.conditions ?? []) ?? { status: 'Current', message: 'Resource is current' };
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
