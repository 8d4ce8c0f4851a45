import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** The few file operations the load tester needs, as a port. */
export interface Files {
  /** The file's bytes, or `undefined` when it does not exist. */
  read(path: string): Promise<Buffer | undefined>;
  /** Replaces the file atomically (write a sibling, then rename), creating its folder if needed. */
  writeAtomic(path: string, data: string): Promise<void>;
}

/** {@link Files} over `node:fs`. */
export function nodeFiles(): Files {
  return {
    read: async (path) => {
      try {
        return await readFile(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    writeAtomic: async (path, data) => {
      await mkdir(dirname(path), { recursive: true });
      // A crash mid-write must never leave a truncated store behind: rename is atomic on one file system.
      const temporary = `${path}.${process.pid}.tmp`;
      await writeFile(temporary, data, { mode: 0o600 });
      await rename(temporary, path);
    },
  };
}
