/** `kubectl songbird status [name]`: where a Canary's run stands, once. */
import { Command } from 'commander';
import { selectCanaries } from './canaries.js';
import { cliContext, withKubeFlags, type KubeFlags } from './cli-context.js';
import { formatData, processIo, runAction, type Io, type OutputFormat } from './output.js';
import { renderStatus, renderStatusTable, statusSummary } from './status-view.js';
import type { CanaryObject } from './canaries.js';

/**
 * The rendering of `canaries` at `now`: the detailed view for one named Canary, a table otherwise; with
 * `-o json|yaml` the summaries (one object, or `{ items }`).
 */
export function renderCanaries(list: readonly CanaryObject[], opts: { named: boolean; output: OutputFormat; allNamespaces: boolean; now: number }): string {
  const summaries = list.map((c) => statusSummary(c, opts.now));
  if (opts.output === 'json' || opts.output === 'yaml') return formatData(opts.named ? summaries[0] : { items: summaries }, opts.output);
  const [only] = list;
  if (opts.named && only !== undefined && summaries[0] !== undefined) return renderStatus(summaries[0], only);
  return renderStatusTable(summaries, { allNamespaces: opts.allNamespaces, wide: opts.output === 'wide' });
}

/** The `status` command. */
export function statusCommand(io: Io = processIo, clock: () => number = Date.now): Command {
  const command = new Command('status')
    .description('phase, weight, each check against its threshold, failed checks, time in phase, revision, what the run waits for and its expected end')
    .argument('[name]', 'the Canary (default: every Canary of the namespace)');
  return withKubeFlags(command).action((name: string | undefined, flags: KubeFlags) => runAction(async () => {
    const ctx = cliContext(flags);
    const list = await selectCanaries(ctx.kube, ctx.namespace, name);
    if (list.length === 0) {
      io.err(ctx.namespace === undefined ? 'No resources found\n' : `No resources found in ${ctx.namespace} namespace.\n`);
      return 0;
    }
    io.out(renderCanaries(list, { named: name !== undefined, output: ctx.output, allNamespaces: ctx.namespace === undefined, now: clock() }));
    return 0;
  }, io));
}
