import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../../src/local-cluster/free-port.js';

/** One "retrying" warning of a watch cache, as the operator logged it. */
export interface LoggedRetry {
  at: number;
  kind: string;
  attempt: number;
  retryInMs: number;
  /** The failure that caused it, as logged. */
  error: string;
}

/** The operator running as its own process (`src/main.ts` through tsx), as it runs in a pod. */
export interface OperatorProcess {
  pid: number;
  /** Exit code or signal once the process has ended; undefined while it runs. */
  exited(): string | undefined;
  /** Every backoff the watch caches logged so far. */
  retries(): readonly LoggedRetry[];
  /** When each kind's cache last re-listed after a failure (ms since the epoch). */
  relisted(): ReadonlyMap<string, number>;
  /** Every log line that names a 403 or a "forbidden" answer of the API server. */
  forbidden(): readonly string[];
  /** The last log lines (for failure messages). */
  logTail(lines?: number): string;
  /** The value of a `/metrics` sample without labels, e.g. `songbird_unhandled_rejections_total`; undefined when absent. */
  metric(name: string): Promise<number | undefined>;
  waitReady(timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

const root = join(import.meta.dirname, '..', '..');

/**
 * Starts the operator on `kubeconfig`, watching `namespace` (every namespace when undefined), with JSON logs at
 * info level on stderr; `args` come last, so they win over those defaults (not over the port: a `--port` in
 * them is dropped for a free one).
 */
export async function startOperatorProcess(opts: { kubeconfig: string; namespace: string | undefined; args?: string[] }): Promise<OperatorProcess> {
  const port = await freePort();
  const args = (opts.args ?? []).filter((a) => !a.startsWith('--port='));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(root, 'src', 'main.ts'),
    `--kubeconfig=${opts.kubeconfig}`, ...(opts.namespace === undefined ? [] : [`--namespace=${opts.namespace}`]), `--port=${port}`,
    '--log-level=info', ...args],
  { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  if (child.pid === undefined) throw new Error('could not start the operator');
  const lines: string[] = [];
  const forbidden: string[] = [];
  const retries: LoggedRetry[] = [];
  const relisted = new Map<string, number>();
  let exit: string | undefined;
  let partial = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    partial += chunk;
    const complete = partial.split('\n');
    partial = complete.pop() ?? '';
    for (const line of complete) {
      if (/forbidden|\b403\b/i.test(line)) forbidden.push(line);
      record(line, lines, { retries, relisted });
    }
  });
  const ended = new Promise<void>((resolve) => child.on('exit', (code, signal) => { exit = signal ?? `exit code ${String(code)}`; resolve(); }));
  const metricsText = async (): Promise<string> => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return {
    pid: child.pid,
    exited: () => exit,
    retries: () => retries,
    relisted: () => relisted,
    forbidden: () => forbidden,
    logTail: (n = 30) => lines.slice(-n).join('\n'),
    metric: async (name) => {
      const sample = (await metricsText()).split('\n').find((l) => l.startsWith(`${name} `));
      return sample === undefined ? undefined : Number(sample.split(' ')[1]);
    },
    waitReady: async (timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline && exit === undefined) {
        const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false);
        if (ok) return;
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error(`the operator did not become ready (${exit ?? 'still running'}):\n${lines.slice(-30).join('\n')}`);
    },
    stop: async () => {
      if (exit === undefined) child.kill('SIGTERM');
      await Promise.race([ended, new Promise((r) => setTimeout(r, 10_000))]);
      if (exit === undefined) child.kill('SIGKILL');
    },
  };
}

function record(line: string, lines: string[], seen: { retries: LoggedRetry[]; relisted: Map<string, number> }): void {
  lines.push(line);
  if (lines.length > 2000) lines.splice(0, 1000);
  const entry = cacheEntry(line);
  if (entry === undefined) return;
  const at = Date.parse(entry.time ?? '');
  if (entry.msg === 'watch cache re-listed') seen.relisted.set(entry.kind ?? '', at);
  else if (typeof entry.retryInMs === 'number') seen.retries.push({ at, kind: entry.kind ?? '', attempt: entry.attempt ?? 0, retryInMs: entry.retryInMs, error: entry.error ?? '' });
}

type CacheLogEntry = { time?: string; msg?: string; kind?: string; attempt?: number; retryInMs?: number; error?: string };

// A watch cache's retry or re-list log line, parsed; undefined for any other line (or one that is not JSON, e.g. a Node warning).
function cacheEntry(line: string): CacheLogEntry | undefined {
  if (!line.includes('"retryInMs"') && !line.includes('watch cache re-listed')) return undefined;
  try {
    return JSON.parse(line) as CacheLogEntry;
  } catch {
    return undefined;
  }
}
