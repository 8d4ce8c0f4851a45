import { gateDocument, parseGateDocument, type GateBackend, type GateRecords } from './gate-store.js';

/** A ConfigMap's data and the resourceVersion it was read at. */
export interface StoredConfigMap {
  data: Readonly<Record<string, string>>;
  resourceVersion: string;
}

/** How a guarded write went: `conflict` when someone else wrote (or created, or deleted) it first. */
export type WriteOutcome = 'written' | 'conflict';

/** The ConfigMap operations the ConfigMap backend needs, as a port (adapter: `kube-configmaps.ts`). */
export interface ConfigMapClient {
  /** The ConfigMap, or `undefined` when it does not exist. */
  read(namespace: string, name: string): Promise<StoredConfigMap | undefined>;
  /** Creates the ConfigMap; `conflict` when it exists already. */
  create(namespace: string, name: string, data: Record<string, string>): Promise<WriteOutcome>;
  /** Replaces its data only if it is still at `resourceVersion`; `conflict` when it changed or is gone. */
  replace(namespace: string, name: string, data: Record<string, string>, resourceVersion: string): Promise<WriteOutcome>;
}

/** The ConfigMap key holding the gate document. */
export const gatesKey = 'gates.json';

/**
 * Conflicting writes tolerated per change before giving up (answered 503). Each conflict means another
 * replica's write landed, so with R replicas writing at once a change waits behind at most R − 1 others per
 * round; 10 covers bursts from several replicas with room to spare.
 */
export const maxWriteAttempts = 10;

/**
 * Keeps gates in one key of a ConfigMap (the default inside a cluster), safe for several replicas: every
 * change is a read-modify-write guarded by the resourceVersion it read. On a conflict the ConfigMap is read
 * again and the change (not the old snapshot) is applied to what is stored now, so no replica's change is
 * lost. Checks re-read the ConfigMap (`shared`): one GET per check, strongly consistent, where a watch could
 * show a gate still open for a moment after another replica closed it.
 */
export function configMapGateBackend(client: ConfigMapClient, where: { namespace: string; name: string }): GateBackend {
  const source = `configmap ${where.namespace}/${where.name}`;
  const records = (stored: StoredConfigMap | undefined): GateRecords => {
    const text = stored?.data[gatesKey];
    return text === undefined ? {} : parseGateDocument(text, source);
  };
  return {
    description: source,
    shared: true,
    load: async () => records(await client.read(where.namespace, where.name)),
    update: async (change) => {
      for (let attempt = 1; attempt <= maxWriteAttempts; attempt++) {
        const stored = await client.read(where.namespace, where.name);
        const current = records(stored);
        const next = change(current);
        if (next === undefined) return current;
        const data = { ...stored?.data, [gatesKey]: gateDocument(next) };
        const outcome = stored === undefined
          ? await client.create(where.namespace, where.name, data)
          : await client.replace(where.namespace, where.name, data, stored.resourceVersion);
        if (outcome === 'written') return next;
      }
      throw new Error(`${maxWriteAttempts} writes in a row conflicted with other writers`);
    },
  };
}
