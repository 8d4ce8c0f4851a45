import { spawn } from 'node:child_process';

/** What to run: a program and its arguments (no shell unless the program is one), bounded in time and output. */
export interface ProcessSpec {
  file: string;
  args: readonly string[];
  /** Killed after this many milliseconds. */
  timeoutMs: number;
  /** Killed when this aborts (the HTTP request went away, or the service is stopping). */
  signal?: AbortSignal;
  /** Output beyond this many bytes (stdout and stderr together) is dropped, and the result says so. */
  maxOutputBytes: number;
}

/** How a process ended. `exitCode` is `null` when it was killed or could not start. */
export interface ProcessResult {
  exitCode: number | null;
  output: string;
  truncated: boolean;
  timedOut: boolean;
  aborted: boolean;
  /** Set when the program could not be started (e.g. ENOENT). */
  startError?: string;
}

/** Runs programs; the port behind shell, helm and kubectl tasks. */
export interface ProcessRunner {
  run(spec: ProcessSpec): Promise<ProcessResult>;
}

/**
 * {@link ProcessRunner} over `child_process.spawn`. The child gets its own process group so that a timeout
 * also kills what a `bash -c` started (a pipeline's other members).
 */
export function spawnProcessRunner(): ProcessRunner {
  return { run: (spec) => new Promise((resolve) => runChild(spec, resolve)) };
}

function runChild(spec: ProcessSpec, resolve: (result: ProcessResult) => void): void {
  const chunks: Buffer[] = [];
  const state = { bytes: 0, truncated: false, timedOut: false, aborted: false };
  const child = spawn(spec.file, spec.args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const collect = (chunk: Buffer): void => {
    const room = spec.maxOutputBytes - state.bytes;
    if (room <= 0) {
      state.truncated = true;
      return;
    }
    const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
    state.truncated ||= kept.length < chunk.length;
    chunks.push(kept);
    state.bytes += kept.length;
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const kill = (): void => killGroup(child.pid);
  const timer = setTimeout(() => ((state.timedOut = true), kill()), spec.timeoutMs);
  const onAbort = (): void => ((state.aborted = true), kill());
  spec.signal?.addEventListener('abort', onAbort, { once: true });
  if (spec.signal?.aborted === true) onAbort();
  const finish = (exitCode: number | null, startError?: string): void => {
    clearTimeout(timer);
    spec.signal?.removeEventListener('abort', onAbort);
    const output = Buffer.concat(chunks).toString('utf8');
    resolve({ exitCode, output, truncated: state.truncated, timedOut: state.timedOut, aborted: state.aborted, startError });
  };
  child.on('error', (error) => finish(null, error.message));
  child.on('close', (code) => finish(code));
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // the group is already gone
  }
}
