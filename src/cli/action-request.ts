import { randomUUID } from 'node:crypto';
import { Command } from 'commander';
import { parseGoDuration } from '../api/duration.js';
import { ACTION_ANNOTATION, type ActionRequest, type LastAction } from '../api/manual-action.js';
import type { Kube, KubeObject } from '../ports/kube.js';
import { flaggerType } from '../kube/resources.js';
import { resolveCliContext, withKubeFlags, type CliContext, type KubeFlags } from './manual-cli-context.js';
import { failCommand, formatOutput, outputOption, processStreams, type OutputFormat, type Streams } from './manual-output.js';

/** The flags of every action verb. */
export interface ActionFlags extends KubeFlags {
  output?: OutputFormat;
  wait: boolean;
  timeout: string;
}

type Canary = KubeObject & { status?: { lastAction?: LastAction } };

const CanaryResource = flaggerType<Canary>('Canary');

/** A verb's command: `<verb> <canary>` with the kubectl flags, `-o`, `--timeout` and `--no-wait`. */
export function actionCommand(verb: string, description: string): Command {
  return withKubeFlags(new Command(verb).description(description).argument('<canary>', 'name of the Canary'))
    .addOption(outputOption())
    .option('--timeout <duration>', 'how long to wait for the operator\'s answer (Go duration)', '30s')
    .option('--no-wait', 'send the request and exit without waiting for the answer');
}

/** What a verb needs besides its flags: the cluster (resolved from the flags unless given), output, request ids. */
export interface ActionDeps {
  cli?: CliContext;
  streams?: Streams;
  newId?: () => string;
}

/**
 * Sends a manual action request: a merge patch of the Canary's `songbird.flagger.app/action` annotation with
 * a fresh request id, then waits (a watch of the Canary, up to `--timeout`) for `status.lastAction` to answer
 * that id, and prints the answer. Exit code 0 when accepted (or sent, with `--no-wait`), 1 when refused, on a
 * timeout or an error; refusals and errors go to stderr.
 */
export async function sendAction(name: string, flags: ActionFlags, request: Omit<ActionRequest, 'id'>, deps: ActionDeps = {}): Promise<void> {
  const streams = deps.streams ?? processStreams;
  try {
    const timeoutMs = parseGoDuration(flags.timeout);
    if (timeoutMs === undefined || timeoutMs < 0) throw new Error(`--timeout: "${flags.timeout}" is not a duration such as 30s or 2m`);
    const cli = deps.cli ?? resolveCliContext(flags);
    const full: ActionRequest = { id: (deps.newId ?? randomUUID)(), ...request };
    const sent = await annotate(cli.kube, cli.namespace, name, full);
    if (!flags.wait) {
      streams.out(formatOutput({ request: full }, flags.output, () => `canary/${name} ${full.verb} requested (request ${full.id})`));
      return;
    }
    const answer = await waitForAnswer(cli.kube, { namespace: cli.namespace, name, id: full.id, resourceVersion: sent }, timeoutMs);
    report(name, answer, flags.output, streams);
  } catch (error) {
    failCommand(error, streams);
  }
}

async function annotate(kube: Kube, namespace: string, name: string, request: ActionRequest): Promise<string> {
  const existing = await kube.get(CanaryResource, namespace, name);
  if (existing === undefined) throw new Error(`canaries.flagger.app "${name}" not found in namespace ${namespace}`);
  const patched = await kube.patch(CanaryResource, { namespace, name }, { metadata: { annotations: { [ACTION_ANNOTATION]: JSON.stringify(request) } } });
  return patched.metadata.resourceVersion ?? '';
}

function report(name: string, answer: LastAction, format: OutputFormat, streams: Streams): void {
  const text = formatOutput(answer, format, () => `canary/${name} ${answer.message} (request ${answer.id})`);
  if (answer.outcome === 'Accepted') {
    streams.out(text);
    return;
  }
  // A refusal is the answer asked for: printed in the format asked for, on stderr, with exit code 1.
  streams.err(format === undefined ? `error: ${text}` : text);
  process.exitCode = 1;
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
  throw new Error(`no answer from the operator to request ${target.id} within ${formatSeconds(timeoutMs)} (is Songbird running and watching namespace ${target.namespace}?)`);
}

function formatSeconds(ms: number): string {
  return `${Math.round(ms / 100) / 10}s`;
}

interface WatchTarget { namespace: string; name: string; id: string; resourceVersion: string }

function watchOnce(kube: Kube, target: WatchTarget, remainingMs: number): Promise<{ answer: LastAction } | { resourceVersion: string }> {
  return new Promise((resolve, reject) => {
    let resourceVersion = target.resourceVersion;
    const timer = setTimeout(() => watch.stop(), Math.max(0, remainingMs));
    const watch = kube.watch<Canary>(CanaryResource, {
      namespace: target.namespace, fieldSelector: `metadata.name=${target.name}`, resourceVersion, timeoutSeconds: Math.max(1, Math.ceil(remainingMs / 1000)),
    }, (event) => {
      if (event.type === 'DELETED') reject(new Error(`canary ${target.name} was deleted`));
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
