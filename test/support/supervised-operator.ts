import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

/** How one operator process ended. */
export interface Exit { code: number | null; signal: NodeJS.Signals | null }

/**
 * The operator as a child process (`node --import tsx src/main.ts`, no build needed), watching one namespace.
 * With `killAt`, its test hook (SONGBIRD_TEST_KILL_AT_WRITE) kills it at that write; with `failStatusPatch`, the
 * other one (SONGBIRD_TEST_FAIL_STATUS_PATCH) fails that Canary status patch once. `writes` collects what the
 * hook reported, `tail` the last lines of its stderr for a failure message.
 */
export class OperatorProcess {
  readonly writes: string[] = [];
  readonly tail: string[] = [];
  readonly exited: Promise<Exit>;
  private readonly child: ChildProcess;

  /** Canary status patches the hook reported (with SONGBIRD_TEST_FAIL_STATUS_PATCH set). */
  readonly statusPatches: string[] = [];

  constructor(opts: { kubeconfig: string; namespace: string; killAt?: string; failStatusPatch?: string }) {
    const args = ['--import', 'tsx', join(root, 'src', 'main.ts'), `--kubeconfig=${opts.kubeconfig}`, `--namespace=${opts.namespace}`,
      '--mesh-provider=istio', '--port=0', '--log-level=warn'];
    const env = { ...process.env, ...(opts.killAt === undefined ? {} : { SONGBIRD_TEST_KILL_AT_WRITE: opts.killAt }),
      ...(opts.failStatusPatch === undefined ? {} : { SONGBIRD_TEST_FAIL_STATUS_PATCH: opts.failStatusPatch }) };
    this.child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let partial = '';
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) this.take(line);
    });
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal })));
  }

  /** Stops the process (SIGTERM) and waits for it. */
  async stop(): Promise<Exit> {
    this.child.kill('SIGTERM');
    return this.exited;
  }

  private take(line: string): void {
    if (line.startsWith('songbird-test-hook write ')) this.writes.push(line.slice('songbird-test-hook write '.length));
    if (line.startsWith('songbird-test-hook status-patch ')) this.statusPatches.push(line.slice('songbird-test-hook status-patch '.length));
    this.tail.push(line);
    if (this.tail.length > 20) this.tail.shift();
  }
}

/**
 * Runs the operator, and when its test hook kills it (SIGKILL), starts it again without the hook, as a
 * Deployment's restart would. Any other exit while running is an error of the run.
 */
export class SupervisedOperator {
  /** The first process (the one with the hook). */
  readonly first: OperatorProcess;
  killed: OperatorProcess | undefined;
  private current: OperatorProcess;
  private stopping = false;
  private failure: string | undefined;

  constructor(private readonly opts: { kubeconfig: string; namespace: string; killAt?: string; failStatusPatch?: string }) {
    this.current = this.launch(opts.killAt, opts.failStatusPatch);
    this.first = this.current;
  }

  /** Why the operator ended unexpectedly, if it did. */
  get unexpectedExit(): string | undefined {
    return this.failure;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.current.stop();
  }

  private launch(killAt: string | undefined, failStatusPatch?: string): OperatorProcess {
    const operator = new OperatorProcess({ kubeconfig: this.opts.kubeconfig, namespace: this.opts.namespace,
      ...(killAt === undefined ? {} : { killAt }), ...(failStatusPatch === undefined ? {} : { failStatusPatch }) });
    void operator.exited.then((exit) => {
      if (this.stopping) return;
      if (exit.signal === 'SIGKILL' && killAt !== undefined) {
        this.killed = operator;
        this.current = this.launch(undefined);
        return;
      }
      this.failure = `the operator exited (${exit.code ?? exit.signal ?? '?'}): ${operator.tail.join(' | ')}`;
    });
    return operator;
  }
}
