import { randomUUID } from 'node:crypto';
import { Command } from 'commander';
import { parseGoDuration } from '../api/duration.js';
import { ACTION_ANNOTATION, type ActionRequest, type LastAction } from '../api/manual-action.js';
import type { Kube } from '../ports/kube.js';
import { canaries, getCanary } from './canaries.js';
import { cliContext, withKubeFlags, type KubeFlags } from './cli-context.js';
import { CliError, DATA_FORMATS, formatAnswer, parseOutputFormat, processIo, runAction, type Io, type OutputFormat } from './output.js';

/** The flags of every action verb. */
export interface ActionFlags extends KubeFlags {
  wait: boolean;
  timeout: string;
}

/**
 * A verb's command: `<verb> <canary>` with the kubectl flags (no `-A`: a verb acts on one named Canary),
 * `-o json|yaml`, `--timeout` and `--no-wait`.
 */
export function actionCommand(verb: string, description: string): Command {
  return withKubeFlags(new Command(verb).description(description).argument('<canary>', 'name of the Canary'), { outputs: DATA_FORMATS, allNamespaces: false })
    .option('--timeout <duration>', 'how long to wait for the operator\'s answer (Go duration)', '30s')
    .option('--no-wait', 'send the request and exit without waiting for the answer');
}

/** The Canary's cluster and namespace. */
export interface ActionTarget {
  kube: Kube;
  namespace: string;
}

/** What a verb needs besides its flags: the cluster (resolved from the flags unless given), output, request ids. */
export interface ActionDeps {
  cli?: ActionTarget;
  io?: Io;
  newId?: () => string;
}

/**
 * Sends a manual action request: a merge patch of the Canary's `songbird.flagger.app/action` annotation with
 * a fresh request id, then waits (a watch of the Canary, up to `--timeout`) for `status.lastAction` to answer
 * that id, and prints the answer. Exit code 0 when accepted (or sent, with `--no-wait`), 1 when refused, on a
 * timeout or an error; refusals and errors go to stderr.
 */
export async function sendAction(name: string, flags: ActionFlags, request: Omit<ActionRequest, 'id'>, deps: ActionDeps = {}): Promise<void> {
  const io = deps.io ?? processIo;
  await runAction(async () => {
    const timeoutMs = parseGoDuration(flags.timeout);
    if (timeoutMs === undefined || timeoutMs < 0) throw new CliError(`--timeout: "${flags.timeout}" is not a duration such as 30s or 2m`);
    const output = parseOutputFormat(flags.output, DATA_FORMATS);
    const { kube, namespace } = deps.cli ?? actionTarget(flags);
    const full: ActionRequest = { id: (deps.newId ?? randomUUID)(), ...request };
    const sent = await annotate(kube, namespace, name, full);
    if (!flags.wait) {
      io.out(formatAnswer({ request: full }, output, () => `canary/${name} ${full.verb} requested (request ${full.id})`));
      return 0;
    }
    const answer = await waitForAnswer(kube, { namespace, name, id: full.id, resourceVersion: sent }, timeoutMs);
    return report(name, answer, output, io);
  }, io);
}

function actionTarget(flags: ActionFlags): ActionTarget {
  const { kube, namespace } = cliContext(flags, { outputs: DATA_FORMATS });
  // The verbs offer no -A, so the namespace is always resolved; the check keeps it so.
  if (namespace === undefined) throw new CliError('an action names one Canary: give its namespace with -n, not -A');
  return { kube, namespace };
}

async function annotate(kube: Kube, namespace: string, name: string, request: ActionRequest): Promise<string> {
  await getCanary(kube, namespace, name);
  const patched = await kube.patch(canaries, { namespace, name }, { metadata: { annotations: { [ACTION_ANNOTATION]: JSON.stringify(request) } } });
  return patched.metadata.resourceVersion ?? '';
}

/** Prints the answer; its exit code: 0 accepted, 1 refused. */
function report(name: string, answer: LastAction, format: OutputFormat, io: Io): number {
  const text = formatAnswer(answer, format, () => `canary/${name} ${answer.message} (request ${answer.id})`);
  if (answer.outcome === 'Accepted') {
    io.out(text);
    return 0;
  }
  // A refusal is the answer asked for: printed in the format asked for, on stderr, with exit code 1.
  io.err(format === 'table' ? `error: ${text}` : text);
  return 1;
}

/**
 * The answer to request `id`, from a watch of the Canary from the version the request was written at; a watch
 * the server ends early is opened again from the last version seen, until `timeoutMs`.
 */
async function waitForAnswer(kube: Kube, target: WatchTarget, timeoutMs: number): Promise<LastAction> {
  const deadline = Date.now() + timeoutMs;
  let { resourceVersion } = target;
  while (Date.now() < deadline) {
    const seen = await watchOnce(kube, { ...target, resourceVersion }, deadline - Date.now());
    if ('answer' in seen) return seen.answer;
    resourceVersion = seen.resourceVersion;
  }
  throw new CliError(`no answer from the operator to request ${target.id} within ${formatSeconds(timeoutMs)} (is Songbird running and watching namespace ${target.namespace}?)`);
}

function formatSeconds(ms: number): string {
  return `${Math.round(ms / 100) / 10}s`;
}

interface WatchTarget { namespace: string; name: string; id: string; resourceVersion: string }

function watchOnce(kube: Kube, target: WatchTarget, remainingMs: number): Promise<{ answer: LastAction } | { resourceVersion: string }> {
  return new Promise((resolve, reject) => {
    let resourceVersion = target.resourceVersion;
    const timer = setTimeout(() => watch.stop(), Math.max(0, remainingMs));
    const watch = kube.watch(canaries, {
      namespace: target.namespace, fieldSelector: `metadata.name=${target.name}`, resourceVersion, timeoutSeconds: Math.max(1, Math.ceil(remainingMs / 1000)),
    }, (event) => {
      if (event.type === 'DELETED') reject(new CliError(`canary ${target.name} was deleted`));
      resourceVersion = event.object.metadata.resourceVersion ?? resourceVersion;
      const answer = event.object.status?.lastAction;
      if (answer?.id === target.id) {
        clearTimeout(timer);
        watch.stop();
        resolve({ answer });
      }
    });
    watch.done.then(() => {
      clearTimeout(timer);
      resolve({ resourceVersion });
    }, (error: unknown) => {
      clearTimeout(timer);
      reject(error instanceof Error ? error : new Error(String(error)));
    });
  });
}
