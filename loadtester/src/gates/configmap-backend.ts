import { gateDocument, parseGateDocument, type GateBackend } from './gate-store.js';

/** The ConfigMap operations the ConfigMap backend needs, as a port (adapter: `kube-configmaps.ts`). */
export interface ConfigMapClient {
  /** The ConfigMap's `data`, or `undefined` when it does not exist. */
  read(namespace: string, name: string): Promise<Record<string, string> | undefined>;
  /** Creates the ConfigMap or replaces its data. */
  write(namespace: string, name: string, data: Record<string, string>): Promise<void>;
}

/** The ConfigMap key holding the gate document. */
export const gatesKey = 'gates.json';

/** Keeps gates in one key of a ConfigMap (the default inside a cluster; one load tester replica writes it). */
export function configMapGateBackend(client: ConfigMapClient, where: { namespace: string; name: string }): GateBackend {
  const source = `configmap ${where.namespace}/${where.name}`;
  return {
    description: source,
    load: async () => {
      const text = (await client.read(where.namespace, where.name))?.[gatesKey];
      return text === undefined ? {} : parseGateDocument(text, source);
    },
    save: (records) => client.write(where.namespace, where.name, { [gatesKey]: gateDocument(records) }),
  };
}
