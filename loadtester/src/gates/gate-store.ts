/**
 * Manual gates (Flagger's `gate.go`, spec §8): a gate is closed until opened. Unlike Flagger's in-memory
 * map, every change is written through a {@link GateBackend} (a file or a ConfigMap) so a restart keeps
 * them, and with auto-close an opened gate approves only the release it was first checked for.
 *
 * A change reaches the store's memory only once the backend has written it: a failed write rejects with a
 * {@link GateStoreError} (answered 503) and leaves every gate as it was. On a shared backend (a ConfigMap
 * that several replicas use) every check reads the stored records first, so a gate opened or closed through
 * one replica is seen by the next check on any other.
 */
import type { Clock } from '../ports/clock.js';
import { bindRelease, closeGates, defaultMaxGates, GateLimitError, openGate, type GateChange, type GateRecords } from './gate-records.js';

export { gateDocument, parseGateDocument, type GateChange, type GateRecord, type GateRecords } from './gate-records.js';

/** Where gate records are kept. */
export interface GateBackend {
  /** A short description for logs and errors, such as `file /var/lib/…/gates.json`. */
  readonly description: string;
  /** True when other processes may change the records (then every check re-reads them). */
  readonly shared: boolean;
  /** The records as stored now. */
  load(): Promise<GateRecords>;
  /**
   * Applies `change` to the records as stored and writes the result; resolves with the records stored
   * afterwards. May apply `change` more than once, each time to fresher records (after a write conflict).
   * Rejects, having stored nothing, when reading or writing fails or `change` throws.
   */
  update(change: GateChange): Promise<GateRecords>;
}

/** The backend could not read or write the gates; answered 503 (the caller may retry). */
export class GateStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GateStoreError';
  }
}

/** The gate operations the HTTP handlers use. Each rejects with a {@link GateStoreError} or a {@link GateLimitError}. */
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
  /** Open gates held at most (`--max-gates`); default {@link defaultMaxGates}. */
  maxGates?: number;
}

/** Loads the records from the backend and returns a store that writes every change through it. */
export async function createGateStore(deps: GateStoreDeps): Promise<GateStore> {
  const { backend, clock, autoClose } = deps;
  const maxGates = deps.maxGates ?? defaultMaxGates;
  let records = await backend.load();
  let queue: Promise<unknown> = Promise.resolve();
  // Changes from this process are applied one after another, each to what the previous one stored.
  const change = (apply: GateChange): Promise<GateRecords> => {
    const run = queue.then(async () => {
      records = await storeCall(backend, () => backend.update(apply));
      return records;
    });
    queue = run.catch(() => undefined);
    return run;
  };
  const current = async (): Promise<GateRecords> => {
    if (backend.shared) records = await storeCall(backend, () => backend.load());
    return records;
  };
  const now = (): string => clock.wallTime().toISOString();
  return {
    isOpen: async (key, release) => {
      const record = (await current())[key];
      if (record?.open !== true) return false;
      if (!autoClose || release === undefined || release === '' || record.release === release) return true;
      return (await change(bindRelease(key, release, now())))[key]?.open === true;
    },
    open: async (key) => void (await change(openGate(key, now(), maxGates))),
    close: async (key) => void (await change(closeGates([key]))),
    releaseFinished: async (keys) => {
      if (autoClose) await change(closeGates(keys));
    },
  };
}

/** Runs a backend call; any failure but the gate limit becomes a {@link GateStoreError} naming the backend. */
async function storeCall<T>(backend: GateBackend, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof GateLimitError) throw error;
    throw new GateStoreError(`gate store ${backend.description} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** A backend that keeps gates in memory only (Flagger's behaviour), for tests and `--gate-store memory`. */
export function memoryGateBackend(initial: GateRecords = {}): GateBackend & { saved: GateRecords } {
  const backend = {
    description: 'memory',
    shared: false,
    saved: structuredClone(initial),
    load: () => Promise.resolve(structuredClone(backend.saved)),
    update: (apply: GateChange) => {
      const next = apply(backend.saved);
      if (next !== undefined) backend.saved = structuredClone(next);
      return Promise.resolve(structuredClone(backend.saved));
    },
  };
  return backend;
}
