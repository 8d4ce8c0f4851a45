/**
 * Gate records, their persisted document, and the changes the store makes to them. A change is a pure
 * function from the records now stored to the records to store (or `undefined` for "nothing to write"), so a
 * backend can apply it again to fresher records after a write conflict instead of writing an old snapshot.
 */
import { z } from 'zod';

/** One open gate. `release` is the checksum of the release it was bound to (auto-close). */
export interface GateRecord {
  open: boolean;
  release?: string;
  changedAt: string;
}

/** All gates by key (`<name>.<namespace>` or `rollback.<name>.<namespace>`). A closed gate has no record. */
export type GateRecords = Readonly<Record<string, GateRecord>>;

/** A change to the stored records; `undefined` when nothing needs writing. Never mutates its argument. */
export type GateChange = (records: GateRecords) => GateRecords | undefined;

/**
 * Default for `--max-gates`. Worked example of why 1000 fits a ConfigMap (1 MiB in total): the longest key is
 * `rollback.` + a 253-character name + `.` + a 63-character namespace = 326 characters, the longest release
 * 256 characters ({@link maxReleaseLength}); with the timestamp and the JSON around them an entry is at most
 * about 680 bytes, so 1000 gates take at most about 680 KB.
 */
export const defaultMaxGates = 1000;

/** Longest release checksum an auto-closing gate is bound to (Songbird's and Flagger's are far shorter). */
export const maxReleaseLength = 256;

/** Opening a gate that would take the store over `--max-gates`; answered 400. */
export class GateLimitError extends Error {
  constructor(readonly maxGates: number) {
    super(`this load tester holds at most ${maxGates} open gates (--max-gates); close gates that are no longer needed`);
    this.name = 'GateLimitError';
  }
}

/** Opens `key` (dropping any release binding, so a reopened gate binds to the next release it is checked for). */
export function openGate(key: string, changedAt: string, maxGates: number): GateChange {
  return (records) => {
    if (records[key] === undefined && Object.keys(records).length >= maxGates) throw new GateLimitError(maxGates);
    return { ...records, [key]: { open: true, changedAt } };
  };
}

/** Closes `keys`; a closed gate is the default, so its record is removed and nothing is written if none was open. */
export function closeGates(keys: readonly string[]): GateChange {
  return (records) => {
    if (!keys.some((key) => records[key] !== undefined)) return undefined;
    const next = { ...records };
    for (const key of keys) delete next[key];
    return next;
  };
}

/**
 * Auto-close: binds the open gate `key` to `release` the first time it is checked; a check for another release
 * closes it. Decided on the records as stored now, so two replicas checking at once agree on one release.
 */
export function bindRelease(key: string, release: string, changedAt: string): GateChange {
  return (records) => {
    const record = records[key];
    if (record?.open !== true || record.release === release) return undefined;
    if (record.release !== undefined) return closeGates([key])(records);
    return { ...records, [key]: { open: true, release, changedAt } };
  };
}

/** The persisted document: versioned so that a later format can migrate it. */
export const gateDocumentSchema = z.object({
  version: z.literal(1),
  gates: z.record(z.string(), z.object({ open: z.boolean(), release: z.string().optional(), changedAt: z.string() })),
});

/**
 * Parses a persisted gate document; throws with the reason when it is not one. Closed records (written by
 * earlier versions) are dropped: closed is the default.
 */
export function parseGateDocument(text: string, source: string): GateRecords {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`gate store ${source} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const parsed = gateDocumentSchema.safeParse(json);
  if (!parsed.success) throw new Error(`gate store ${source} has an unexpected shape: ${z.prettifyError(parsed.error)}`);
  return Object.fromEntries(Object.entries(parsed.data.gates).filter(([, record]) => record.open));
}

/** Serialises gate records as the persisted document. */
export function gateDocument(records: GateRecords): string {
  return `${JSON.stringify({ version: 1, gates: records }, null, 2)}\n`;
}
