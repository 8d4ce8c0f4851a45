/**
 * Which commands may run, and how. Off by default: Flagger runs whatever any in-cluster caller sends
 * (spec §12.26). When enabled, a command runs without a shell whenever it is a simple command whose
 * program is allow-listed; a command that needs a shell (pipes, `$`, redirections) runs only when the shell
 * itself (`bash`, or `sh` for `cmd` tasks) or `*` is allow-listed, because that allows any program.
 */
import { basename } from 'node:path';
import { tokenize } from '../hey/tokenize.js';

/** The operator's choice: `--enable-shell` and the `--allow-command` list. */
export interface ShellPolicy {
  enabled: boolean;
  /** Program names (matched on the base name), or `*` for any. */
  allow: ReadonlySet<string>;
}

/** A program and its arguments to run, or the HTTP answer refusing the command. */
export type ProcessPlan = { ok: true; file: string; args: string[] } | { ok: false; status: number; message: string };

/** The task types that start processes. */
export type ProcessTaskType = 'cmd' | 'bash' | 'helm' | 'helmv3' | 'kubectl';

const disabled =
  'shell tasks are disabled; start the load tester with --enable-shell and --allow-command <program> to run them';

/** Decides how (and whether) a process task runs under `policy`. */
export function planProcess(type: ProcessTaskType, command: string, policy: ShellPolicy): ProcessPlan {
  if (!policy.enabled) return { ok: false, status: 403, message: disabled };
  switch (type) {
    case 'helm':
    case 'helmv3':
    case 'kubectl': {
      // parity: pkg/loadtester/helm.go, kubectl.go split the command on whitespace, with no shell.
      const program = type === 'kubectl' ? 'kubectl' : 'helm';
      return allowed(policy, program) ? { ok: true, file: program, args: command.trim().split(/\s+/).filter(Boolean) } : refuse(program);
    }
    case 'cmd':
    case 'bash':
      return planCommand(type === 'bash' ? 'bash' : 'sh', command, policy);
  }
}

function planCommand(shell: 'bash' | 'sh', command: string, policy: ShellPolicy): ProcessPlan {
  const tokens = tokenize(command);
  if (tokens.ok) {
    const [program, ...args] = tokens.words;
    if (program === undefined) return { ok: false, status: 400, message: 'cmd is empty' };
    return allowed(policy, program) ? { ok: true, file: program, args } : refuse(program);
  }
  if (allowed(policy, shell)) return { ok: true, file: shell, args: ['-c', command] };
  return {
    ok: false,
    status: 403,
    message: `the command needs a shell (${tokens.reason}); allow it with --allow-command ${shell}, which permits any command`,
  };
}

function allowed(policy: ShellPolicy, program: string): boolean {
  return policy.allow.has('*') || policy.allow.has(basename(program));
}

function refuse(program: string): ProcessPlan {
  return { ok: false, status: 403, message: `program "${basename(program)}" is not allowed; add it with --allow-command ${basename(program)}` };
}
