import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Binaries the project builds from Go modules into the cache folder (never into the repository). */
export type ToolchainBinary =
  | 'etcd'
  | 'helm'
  | 'kube-apiserver'
  | 'kube-controller-manager'
  | 'kube-scheduler'
  | 'kubectl'
  | 'kwok';

/** The cache folder: `$SONGBIRD_CACHE`, or `~/.cache/songbird`. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.SONGBIRD_CACHE ?? join(homedir(), '.cache', 'songbird');
}

/** Folder holding the built binaries and kwok's stage file. */
export function binDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheDir(env), 'bin');
}

/** Path of one built binary; throws with the command to run when it has not been built yet. */
export function binaryPath(name: ToolchainBinary, env: NodeJS.ProcessEnv = process.env): string {
  const path = join(binDir(env), name);
  if (!existsSync(path)) {
    throw new Error(`${name} is not built yet (looked in ${binDir(env)}); run: npm run toolchain`);
  }
  return path;
}

/** Path of the kwok stage file written next to the kwok binary by the toolchain script. */
export function kwokStagesPath(env: NodeJS.ProcessEnv = process.env): string {
  const path = join(binDir(env), 'kwok-stages.yaml');
  if (!existsSync(path)) throw new Error(`kwok stages missing at ${path}; run: npm run toolchain`);
  return path;
}

/** Path of a program found on PATH (Debian packages such as prometheus and hey). */
export async function systemProgram(name: string): Promise<string> {
  try {
    const { stdout } = await run('sh', ['-c', `command -v ${name}`]);
    return stdout.trim();
  } catch {
    throw new Error(`${name} is not installed; run: npm run toolchain (installs it from Debian)`);
  }
}
