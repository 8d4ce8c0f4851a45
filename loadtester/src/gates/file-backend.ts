import type { Files } from '../ports/files.js';
import { gateDocument, parseGateDocument, type GateBackend } from './gate-store.js';

/** Keeps gates in a JSON file, replaced atomically on every change (the default outside a cluster). */
export function fileGateBackend(path: string, files: Files): GateBackend {
  return {
    description: `file ${path}`,
    load: async () => {
      const bytes = await files.read(path);
      return bytes === undefined ? {} : parseGateDocument(bytes.toString('utf8'), path);
    },
    save: (records) => files.writeAtomic(path, gateDocument(records)),
  };
}
