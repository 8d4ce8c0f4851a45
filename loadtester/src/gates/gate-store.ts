/**
 * Manual gates (Flagger's `gate.go`, spec §8): a gate is closed until opened. Unlike Flagger's in-memory
 * map, every change is written through a {@link GateBackend} (a file or a ConfigMap) so a restart keeps
 * them, and with auto-close an opened gate approves only the release it was first checked for.
 */
import { z } from 'zod';
import type { Clock } from '../ports/clock.js';

/** One gate's state. `release` is the checksum of the release an open gate was bound to (auto-close). */
export interface GateRecord {
  open: boolean;
  release?: string;
  changedAt: string;
}

/** All gates by key (`<name>.<namespace>` or `rollback.<name>.<namespace>`). */
export type GateRecords = Record<string, GateRecord>;

/** The persisted document: versioned so that a later format can migrate it. */
export const gateDocumentSchema = z.object({
  version: z.literal(1),
  gates: z.record(z.string(), z.object({ open: z.boolean(), release: z.string().optional(), changedAt: z.string() })),
});

/** Where gate records are kept. `save` receives the whole set; writes are never concurrent. */
export interface GateBackend {
  /** A short description for logs, such as `file /var/lib/…/gates.json`. */
  readonly description: string;
  load(): Promise<GateRecords>;
  save(records: GateRecords): Promise<void>;
}

/** The gate operations the HTTP handlers use. */
export interface GateStore {
  /**
   * True when the gate is open. With auto-close and a `release` (the webhook payload's checksum), the
   * first check binds the open gate to that release, and a check for another release closes it.
   */
  isOpen(key: string, release?: string): Promise<boolean>;
  open(key: string): Promise<void>;
  close(key: string): Promise<void>;
  /** With auto-close, closes those of `keys` that are open (their release finished); otherwise does nothing. */
  releaseFinished(keys: readonly string[]): Promise<void>;
}

/** Dependencies of {@link createGateStore}. */
export interface GateStoreDeps {
  backend: GateBackend;
  clock: Clock;
  autoClose: boolean;
}

/** Loads the records from the backend and returns a store that writes every change back. */
export async function createGateStore(deps: GateStoreDeps): Promise<GateStore> {
  const records = await deps.backend.load();
  let writes: Promise<void> = Promise.resolve();
  // Changes are applied in memory at once and saved in order; each caller waits for its own save.
  const persist = (): Promise<void> => {
    const snapshot = structuredClone(records);
    writes = writes.catch(() => undefined).then(() => deps.backend.save(snapshot));
    return writes;
  };
  const set = (key: string, record: Omit<GateRecord, 'changedAt'>): Promise<void> => {
    records[key] = { ...record, changedAt: deps.clock.wallTime().toISOString() };
    return persist();
  };
  return {
    isOpen: async (key, release) => {
      const record = records[key];
      if (record?.open !== true) return false;
      if (!deps.autoClose || release === undefined || release === '') return true;
      if (record.release === undefined) await set(key, { open: true, release });
      else if (record.release !== release) await set(key, { open: false });
      return records[key]?.open === true;
    },
    open: (key) => set(key, { open: true }),
    close: (key) => set(key, { open: false }),
    releaseFinished: async (keys) => {
      if (!deps.autoClose) return;
      for (const key of keys) if (records[key]?.open === true) await set(key, { open: false });
    },
  };
}

/** A backend that keeps nothing (Flagger's behaviour), for tests and `--gate-store memory`. */
export function memoryGateBackend(initial: GateRecords = {}): GateBackend & { saved: GateRecords } {
  const backend = {
    description: 'memory',
    saved: structuredClone(initial),
    load: () => Promise.resolve(structuredClone(backend.saved)),
    save: (records: GateRecords) => {
      backend.saved = structuredClone(records);
      return Promise.resolve();
    },
  };
  return backend;
}

/** Parses a persisted gate document; throws with the reason when it is not one. */
export function parseGateDocument(text: string, source: string): GateRecords {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`gate store ${source} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = gateDocumentSchema.safeParse(json);
  if (!parsed.success) throw new Error(`gate store ${source} has an unexpected shape: ${z.prettifyError(parsed.error)}`);
  return parsed.data.gates;
}

/** Serialises gate records as the persisted document. */
export function gateDocument(records: GateRecords): string {
  return `${JSON.stringify({ version: 1, gates: records }, null, 2)}\n`;
}
