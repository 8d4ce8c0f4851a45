/**
 * `kubectl songbird plan [name] [-f file.yaml]`: the release preview of a Canary from the cluster or from a
 * manifest, before anything changes (core/plan.ts).
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { parseAllDocuments } from 'yaml';
import type { Canary, CanaryProvider } from '../api/canary.js';
import { canaryProviderSchema } from '../api/canary.js';
import type { PlanStatus } from '../api/canary-status.js';
import { parseCanary } from '../api/validate.js';
import { planRelease, type ReleasePlan } from '../core/plan.js';
import { selectCanaries } from './canaries.js';
import { cliContext, withKubeFlags, type CliContext, type KubeFlags } from './cli-context.js';
import { CliError, DATA_FORMATS, formatData, parseOutputFormat, processIo, runAction, type Io } from './output.js';
import { renderPlan } from './plan-view.js';
import { isActive } from './status-view.js';

/** One Canary's preview, as `-o json|yaml` prints it. */
export interface PlanOutput {
  name: string;
  namespace?: string;
  plan: ReleasePlan;
  /** The run under way, from status.plan. */
  run?: PlanStatus;
}

type Manifest = { kind?: unknown; metadata?: { name?: unknown } };

/** The Canaries of a manifest (every `kind: Canary` document; only `name` when given), validated. */
export function canariesFromManifest(text: string, source: string, name?: string): Canary[] {
  const objects = parseAllDocuments(text).map((document) => {
    if (document.errors.length > 0) throw new CliError(`${source}: ${document.errors[0]?.message ?? 'invalid YAML'}`);
    return document.toJS() as unknown;
  });
  const wanted = (o: unknown): o is Manifest => typeof o === 'object' && o !== null && (o as Manifest).kind === 'Canary'
    && (name === undefined || (o as Manifest).metadata?.name === name);
  const found = objects.filter(wanted).map((object) => validCanary(object, source));
  if (found.length === 0) throw new CliError(name === undefined ? `${source} has no Canary` : `${source} has no Canary named "${name}"`);
  return found;
}

function validCanary(object: unknown, source: string): Canary {
  const parsed = parseCanary(object);
  if (parsed.ok) return parsed.value;
  const name = (object as { metadata?: { name?: unknown } }).metadata?.name;
  throw new CliError(`${source}: Canary ${String(name)} is invalid: ${parsed.problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`);
}

/** The preview of each Canary, with the run under way when its status has one. */
export function planOutputs(list: readonly Canary[], meshProvider: CanaryProvider): PlanOutput[] {
  return list.map((canary) => {
    const run = canary.status?.plan;
    return {
      name: canary.metadata.name, ...(canary.metadata.namespace === undefined ? {} : { namespace: canary.metadata.namespace }),
      plan: planRelease(canary, { meshProvider }),
      ...(run !== undefined && isActive(canary.status?.phase ?? '') ? { run } : {}),
    };
  });
}

async function canariesOf(name: string | undefined, flags: PlanFlags, ctx: () => CliContext): Promise<Canary[]> {
  if (flags.filename !== undefined) {
    const text = flags.filename === '-' ? readFileSync(0, 'utf8') : readFileSync(flags.filename, 'utf8');
    return canariesFromManifest(text, flags.filename, name);
  }
  const { kube, namespace } = ctx();
  return (await selectCanaries(kube, namespace, name)).map((raw) => validCanary(raw, `canaries.flagger.app/${raw.metadata.name}`));
}

interface PlanFlags extends KubeFlags {
  filename?: string;
  meshProvider?: string;
}

/** The `plan` command. */
export function planCommand(io: Io = processIo): Command {
  const command = new Command('plan')
    .description('the release preview: weight ladder, checks and gates at each step, minimum and worst-case duration, what happens on failure')
    .argument('[name]', 'the Canary (default: every Canary of the namespace or the file)')
    .option('-f, --filename <file>', 'a manifest to preview instead of the cluster (- for stdin)')
    .option('--mesh-provider <provider>', 'the operator\'s --mesh-provider, for Canaries without spec.provider', 'istio');
  return withKubeFlags(command, { outputs: DATA_FORMATS }).action((name: string | undefined, flags: PlanFlags) => runAction(async () => {
    const { provider, output } = planSettings(flags);
    const outputs = planOutputs(await canariesOf(name, flags, () => cliContext(flags, { outputs: DATA_FORMATS })), provider);
    if (output !== undefined) {
      io.out(formatData(name !== undefined && outputs.length === 1 ? outputs[0] : { items: outputs }, output));
      return 0;
    }
    io.out(outputs.map((o) => renderPlan(o.namespace === undefined ? o.name : `${o.namespace}/${o.name}`, o.plan, o.run)).join('\n'));
    return 0;
  }, io));
}

function planSettings(flags: PlanFlags): { provider: CanaryProvider; output?: 'json' | 'yaml' } {
  const provider = canaryProviderSchema.safeParse(flags.meshProvider);
  if (!provider.success) throw new CliError(`--mesh-provider: unknown provider "${flags.meshProvider ?? ''}"`);
  const output = parseOutputFormat(flags.output, DATA_FORMATS);
  return output === 'json' || output === 'yaml' ? { provider: provider.data, output } : { provider: provider.data };
}
