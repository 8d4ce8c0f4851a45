/**
 * `kubectl songbird watch [name]`: the status view, rendered again on every change of a Canary, from a
 * Kubernetes watch (no polling). Ends on Ctrl-C, or with `--until-done` when the run ends: exit 0 when it
 * Succeeded, 1 when it Failed (so CI can wait on it).
 */
import { Command } from 'commander';
import { isGone, type Kube } from '../ports/kube.js';
import { canaries, getCanary, type CanaryObject } from './canaries.js';
import { cliContext, withKubeFlags, type KubeFlags } from './cli-context.js';
import { CliError, processIo, runAction, type Io } from './output.js';
import { renderCanaries } from './status-command.js';
import { isActive } from './status-view.js';

const keyOf = (c: CanaryObject): string => `${c.metadata.namespace ?? ''}/${c.metadata.name}`;

/** What to watch, and how to stop: `onChange` returns an exit code to end the watch. */
export interface WatchRequest {
  kube: Kube;
  namespace: string | undefined;
  name: string | undefined;
  onChange: (list: CanaryObject[]) => number | undefined;
  signal: AbortSignal;
  /** Waits between reconnections (injected by tests). */
  sleep?: (ms: number) => Promise<void>;
}

/** Consecutive broken watches after which the command gives up (the last error is reported). */
const MAX_RECONNECTS = 5;

/** Backoff before reconnection n (1-based): 1 s, 2 s, 4 s, 8 s, 16 s. */
const reconnectDelayMs = (n: number): number => 1000 * 2 ** (n - 1);

/**
 * Lists the Canaries, then follows a watch from the list's resourceVersion, again from the last one seen
 * when the server ends it or the connection breaks (after a backoff; the 6th break in a row is an error),
 * and from a new list when that version is too old (410). Resolves with the exit code `onChange` returned,
 * or 0 when aborted.
 */
export async function followCanaries(req: WatchRequest): Promise<number> {
  const fieldSelector = req.name === undefined ? undefined : `metadata.name=${req.name}`;
  for (;;) {
    const state = new Map<string, CanaryObject>();
    const { items, resourceVersion } = await req.kube.list(canaries, req.namespace, fieldSelector === undefined ? undefined : { fieldSelector });
    for (const item of items) state.set(keyOf(item), item);
    const code = await followFrom(req, { version: resourceVersion, fieldSelector, state }, req.onChange(sorted(state)));
    if (code !== undefined) return code;
    if (req.signal.aborted) return 0;
  }
}

// Watches until an exit code, an abort or a 410 (undefined: list again).
async function followFrom(req: WatchRequest, w: WatchState, first: number | undefined): Promise<number | undefined> {
  const sleep = req.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let code = first;
  let broken = 0;
  while (code === undefined && !req.signal.aborted) {
    const result = await watchOnce(req, w);
    if (result.gone) return undefined;
    w.version = result.version;
    code = result.code;
    if (result.error === undefined) broken = 0;
    else if (++broken > MAX_RECONNECTS) throw result.error;
    else await sleep(reconnectDelayMs(broken));
  }
  return code;
}

function sorted(state: Map<string, CanaryObject>): CanaryObject[] {
  return [...state.values()].sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
}

interface WatchState { version: string; fieldSelector: string | undefined; state: Map<string, CanaryObject> }

async function watchOnce(req: WatchRequest, w: WatchState): Promise<{ version: string; code?: number; gone?: boolean; error?: Error }> {
  let version = w.version;
  let code: number | undefined;
  const open = req.kube.watch(canaries, { namespace: req.namespace, resourceVersion: version, timeoutSeconds: 300, ...(w.fieldSelector === undefined ? {} : { fieldSelector: w.fieldSelector }) }, (event) => {
    version = event.object.metadata.resourceVersion ?? version;
    if (event.type === 'BOOKMARK' || code !== undefined) return;
    if (event.type === 'DELETED') w.state.delete(keyOf(event.object));
    else w.state.set(keyOf(event.object), event.object);
    code = req.onChange(sorted(w.state));
    if (code !== undefined) open.stop();
  });
  const abort = (): void => open.stop();
  req.signal.addEventListener('abort', abort, { once: true });
  try {
    await open.done;
  } catch (error) {
    if (isGone(error)) return { version, gone: true };
    if (code === undefined && !req.signal.aborted) return { version, error: error instanceof Error ? error : new Error('the watch of canaries broke') };
  } finally {
    req.signal.removeEventListener('abort', abort);
  }
  return { version, ...(code === undefined ? {} : { code }) };
}

/**
 * `--until-done`: the watch ends once a run seen under way has ended, or at once for one that ended before
 * the watch began when none starts. Succeeded → 0, Failed → 1; a named Canary deleted → 1.
 *
 * Example: Succeeded (old run) → Progressing → Promoting → Succeeded ends with 0 at the last state.
 */
export function untilDone(named: boolean): (list: CanaryObject[]) => number | undefined {
  let seenActive = false;
  return (list) => {
    if (named && list.length === 0) return 1;
    if (list.some((c) => isActive(c.status?.phase ?? ''))) {
      seenActive = true;
      return undefined;
    }
    if (!seenActive) return undefined;
    return list.some((c) => c.status?.phase === 'Failed') ? 1 : 0;
  };
}

/** The `watch` command. */
export function watchCommand(io: Io = processIo, clock: () => number = Date.now): Command {
  const command = new Command('watch')
    .description('the status of a Canary (or of every Canary), rendered again on every change, from a Kubernetes watch')
    .argument('[name]', 'the Canary (default: every Canary of the namespace)')
    .option('--until-done', 'end when the run under way (or the next one) ends: exit 0 when it Succeeded, 1 when it Failed');
  return withKubeFlags(command).action((name: string | undefined, flags: KubeFlags & { untilDone?: boolean }) => runAction(async () => {
    const ctx = cliContext(flags);
    if (name !== undefined) {
      if (ctx.namespace === undefined) throw new CliError('a resource cannot be retrieved by name across all namespaces');
      await getCanary(ctx.kube, ctx.namespace, name);
    }
    const controller = new AbortController();
    const stop = (): void => controller.abort();
    process.once('SIGINT', stop);
    const done = flags.untilDone === true ? untilDone(name !== undefined) : (): undefined => undefined;
    const clear = process.stdout.isTTY && ctx.output !== 'json' && ctx.output !== 'yaml';
    try {
      return await followCanaries({
        kube: ctx.kube, namespace: ctx.namespace, name, signal: controller.signal,
        onChange: (list) => {
          const text = renderCanaries(list, { named: name !== undefined && list.length > 0, output: ctx.output, allNamespaces: ctx.namespace === undefined, now: clock() });
          io.out(clear ? `\x1b[2J\x1b[H${text}` : `${ctx.output === 'yaml' ? '---\n' : ''}${text}${ctx.output === 'json' || ctx.output === 'yaml' ? '' : '\n'}`);
          return done(list);
        },
      });
    } finally {
      process.off('SIGINT', stop);
    }
  }, io));
}
