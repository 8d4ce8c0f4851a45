import { spawn, type ChildProcess } from 'node:child_process';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';

const appFile = fileURLToPath(new URL(`./app-process${extname(fileURLToPath(import.meta.url))}`, import.meta.url));

/** Starts one app process (app-process.ts) with `env`, its stderr piped, an IPC channel open. */
export function spawnApp(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [appFile], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], env: { PATH: process.env.PATH ?? '', ...env } });
}

/** A started, listening app process not yet given to a pod. */
export interface Spare {
  child: ChildProcess;
  port: number;
}

/**
 * A few app processes started ahead of the pods that will use them. kwok marks a pod Ready as soon as it is
 * scheduled, and the operator acts on that readiness at once (it moves a Service or a route to the new
 * pods); a process started only then would leave those requests without an endpoint for up to a second.
 * A spare is already listening and takes the pod's environment over IPC within milliseconds.
 */
export class SparePool {
  private readonly starting = new Set<ChildProcess>();
  private readonly ready: Spare[] = [];
  private stopped = false;

  constructor(private readonly size: number) {}

  /** Keeps `size` spares started. */
  fill(): void {
    while (!this.stopped && this.starting.size + this.ready.length < this.size) this.startOne();
  }

  /** A listening spare, or undefined when none is ready yet; the pool starts a replacement. */
  take(): Spare | undefined {
    const spare = this.ready.shift();
    if (spare !== undefined) {
      spare.child.removeAllListeners('exit');
      spare.child.removeAllListeners('message');
    }
    this.fill();
    return spare;
  }

  /** Ends every spare (their IPC channel closes; they exit). */
  stop(): void {
    this.stopped = true;
    for (const child of [...this.starting, ...this.ready.map((s) => s.child)]) child.kill('SIGKILL');
    this.starting.clear();
    this.ready.length = 0;
  }

  private startOne(): void {
    const child = spawnApp({});
    child.stderr?.resume();
    this.starting.add(child);
    child.on('message', (m: { port?: number }) => {
      if (typeof m.port !== 'number' || !this.starting.delete(child)) return;
      this.ready.push({ child, port: m.port });
    });
    child.on('exit', () => {
      this.starting.delete(child);
      const i = this.ready.findIndex((s) => s.child === child);
      if (i >= 0) this.ready.splice(i, 1);
    });
  }
}
