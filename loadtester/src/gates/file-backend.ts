import type { Files } from '../ports/files.js';
import { gateDocument, parseGateDocument, type GateBackend, type GateRecords } from './gate-store.js';

/**
 * Keeps gates in a JSON file, replaced atomically on every change (the default outside a cluster). Each
 * change reads the file, applies itself and writes the result, so memory follows the file and never runs
 * ahead of it. One process writes the file; replicas share gates through the ConfigMap backend.
 */
export function fileGateBackend(path: string, files: Files): GateBackend {
  const load = async (): Promise<GateRecords> => {
    const bytes = await files.read(path);
    return bytes === undefined ? {} : parseGateDocument(bytes.toString('utf8'), path);
  };
  return {
    description: `file ${path}`,
    shared: false,
    load,
    update: async (change) => {
      const stored = await load();
      const next = change(stored);
      if (next === undefined) return stored;
      await files.writeAtomic(path, gateDocument(next));
      return next;
    },
  };
}
