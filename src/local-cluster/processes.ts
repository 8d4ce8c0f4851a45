import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

/** One background process the launcher started, with the log file it writes to. */
export interface StartedProcess {
  name: string;
  pid: number;
  logFile: string;
}

/**
 * Starts a program in its own process group with stdout and stderr appended to `<runDir>/logs/<name>.log`.
 * The process outlives the caller (a cluster started by `npm run cluster:up` keeps running), so the caller
 * records the pid and stops it with {@link stopProcesses}.
 */
export function startProcess(
  runDir: string,
  name: string,
  command: string,
  args: readonly string[],
): StartedProcess {
  const logFile = join(runDir, 'logs', `${name}.log`);
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(command, args, { detached: true, stdio: ['ignore', fd, fd], cwd: runDir });
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start ${name} (${command})`);
    return { name, pid: child.pid, logFile };
  } finally {
    closeSync(fd);
  }
}

/** True while a process with this pid exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Stops exactly the processes given (never anything found by name), newest first: SIGTERM, then SIGKILL
 * for any still running after `graceMs`.
 */
export async function stopProcesses(processes: readonly StartedProcess[], graceMs = 5000): Promise<void> {
  const newestFirst = [...processes].reverse();
  for (const p of newestFirst) signal(p.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (newestFirst.some((p) => isAlive(p.pid)) && Date.now() < deadline) await sleep(100);
  for (const p of newestFirst) if (isAlive(p.pid)) signal(p.pid, 'SIGKILL');
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The last `lines` lines of a log file, for error messages. */
export function logTail(logFile: string, lines = 40): string {
  if (!existsSync(logFile)) return '(no log)';
  const all = readFileSync(logFile, 'utf8').trimEnd().split('\n');
  return all.slice(-lines).join('\n');
}

/**
 * Polls `check` until it returns true. On timeout, or when `process` died, throws an error that carries the
 * tail of the component's log, so a failed start says why.
 */
export async function waitUntil(
  description: string,
  check: () => Promise<boolean>,
  opts: { timeoutMs: number; process?: StartedProcess; intervalMs?: number },
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    if (opts.process !== undefined && !isAlive(opts.process.pid)) {
      throw new Error(`${opts.process.name} exited while waiting for ${description}:\n${logTail(opts.process.logFile)}`);
    }
    await sleep(opts.intervalMs ?? 200);
  }
  const tail = opts.process === undefined ? '' : `\n--- ${opts.process.name} log ---\n${logTail(opts.process.logFile)}`;
  throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${description}${tail}`);
}
