import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Logger } from '../../ports/logger.js';

/** The load tester running as a supervised child process. */
export interface LoadTesterChild {
  /** `http://127.0.0.1:<port>`, the port chosen by the kernel on first start and kept across restarts. */
  readonly url: string;
  /** The running process's id (a new one after a restart). */
  pid(): number | undefined;
  stop(): Promise<void>;
}

/** A pino line of the load tester: numeric level, message, the rest as fields. */
export function parseChildLogLine(line: string): { level: 'debug' | 'info' | 'warn' | 'error'; msg: string; fields: Record<string, unknown> } | undefined {
  let entry: unknown;
  try {
    entry = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof entry !== 'object' || entry === null) return undefined;
  const { level, msg, time: _time, pid: _pid, hostname: _host, component: _component, ...fields } = entry as Record<string, unknown>;
  const n = typeof level === 'number' ? level : 30;
  // pino's numeric levels: 20 debug, 30 info, 40 warn, 50 error, 60 fatal.
  const name = n >= 50 ? 'error' : n >= 40 ? 'warn' : n >= 30 ? 'info' : 'debug';
  return { level: name, msg: typeof msg === 'string' ? msg : '', fields };
}

/**
 * Starts `node [nodeArgs] <entry> --port=0 --host=127.0.0.1 …`, learns the kernel-chosen port from its
 * "load tester listening" line, and relays its log lines through `logger`. A crash (any exit but 0) is logged
 * and the load tester started again on the same port after a second, so the URL handed to the operator stays valid;
 * `stop` sends SIGTERM (SIGKILL after 5 s) and waits for the exit.
 */
export async function startLoadTesterChild(opts: { entry: string; nodeArgs?: readonly string[]; args?: readonly string[]; env?: NodeJS.ProcessEnv; logger: Logger }): Promise<LoadTesterChild> {
  const log = opts.logger.child({ component: 'loadtester' });
  let stopping = false;
  let child: ChildProcess;
  const spawnOn = (port: number): Promise<number> => {
    child = spawn(process.execPath, [...(opts.nodeArgs ?? []), opts.entry, `--port=${port}`, '--host=127.0.0.1', '--gate-store=memory', ...(opts.args ?? [])], {
      stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env },
    });
    return listeningPort(child, log);
  };
  const port = await spawnOn(0);
  const supervise = (): void => {
    child.once('exit', (code, signal) => {
      // Exit 0 is the load tester's orderly stop (SIGINT/SIGTERM, e.g. Ctrl-C reaching the whole process group).
      if (stopping || code === 0) return;
      log.warn('load tester exited; starting it again', { code, signal });
      setTimeout(() => {
        if (!stopping) spawnOn(port).then(supervise, (error: unknown) => log.error('load tester did not start again', { error: String(error) }));
      }, 1000);
    });
  };
  supervise();
  return {
    url: `http://127.0.0.1:${port}`,
    pid: () => child.pid,
    async stop() {
      stopping = true;
      await stopChild(child);
    },
  };
}

function listeningPort(child: ChildProcess, log: Logger): Promise<number> {
  return new Promise((resolve, reject) => {
    const stderr: string[] = [];
    createInterface({ input: child.stderr! }).on('line', (line) => {
      stderr.push(line);
      log.warn(line);
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const parsed = parseChildLogLine(line);
      if (parsed === undefined) return log.info(line);
      log[parsed.level](parsed.msg, parsed.fields);
      if (parsed.msg === 'load tester listening' && typeof parsed.fields.port === 'number') resolve(parsed.fields.port);
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the load tester exited with ${String(code)} before listening: ${stderr.slice(-5).join(' ')}`)));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
