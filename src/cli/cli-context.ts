/**
 * Where the plugin's commands connect, as kubectl decides it: `--kubeconfig`, else `KUBECONFIG`, else
 * in-cluster credentials, else `~/.kube/config`; `--context` picks a context of that file; `-n` the
 * namespace, else the context's namespace, else `default`; `-A` all namespaces (read commands only).
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Command } from 'commander';
import { HttpsKube } from '../adapters/kube-https.js';
import { clusterSource, loadKubeConfig } from '../kube/load-kubeconfig.js';
import type { Kube } from '../ports/kube.js';
import { CliError, parseOutputFormat, TABLE_FORMATS, type OutputChoice, type OutputFormat } from './output.js';

/** The flags every command takes, as commander parses them. */
export interface KubeFlags {
  namespace?: string;
  allNamespaces?: boolean;
  context?: string;
  kubeconfig?: string;
  output?: string;
}

/** A resolved connection: the client, the namespace to read (undefined with `-A`), the context and `-o`. */
export interface CliContext {
  kube: Kube;
  namespace: string | undefined;
  /** The context used (from `--context` or the kubeconfig's current one). */
  context: string;
  output: OutputFormat;
}

/** Which of kubectl's flags a command offers: its `-o` formats, and `-A` for commands that read many Canaries. */
export interface KubeFlagSet {
  outputs?: readonly OutputChoice[];
  allNamespaces?: boolean;
}

/** Adds kubectl's connection and output flags to a command. */
export function withKubeFlags(command: Command, { outputs = TABLE_FORMATS, allNamespaces = true }: KubeFlagSet = {}): Command {
  command.option('-n, --namespace <namespace>', 'namespace of the Canary (default: the context\'s namespace, else "default")');
  if (allNamespaces) command.option('-A, --all-namespaces', 'every namespace');
  return command
    .option('--context <context>', 'kubeconfig context to use (default: the current context)')
    .option('--kubeconfig <path>', 'kubeconfig file (default: KUBECONFIG, in-cluster credentials, ~/.kube/config)')
    .option('-o, --output <format>', `output format: ${outputs.join('|')}`);
}

/** Where to look besides the flags (tests pass their own). */
export interface CliEnvironment {
  outputs?: readonly OutputChoice[];
  env?: NodeJS.ProcessEnv;
  home?: string;
}

/** Resolves the flags into a client, a namespace and an output format. */
export function cliContext(flags: KubeFlags, { outputs = TABLE_FORMATS, env = process.env, home = homedir() }: CliEnvironment = {}): CliContext {
  const output = parseOutputFormat(flags.output, outputs);
  const source = clusterSource(flags.kubeconfig, env, join(home, '.kube', 'config'));
  if (source.kind === 'none') throw new CliError('no cluster configured: pass --kubeconfig, set KUBECONFIG or create ~/.kube/config');
  const config = loadKubeConfig(source);
  if (flags.context !== undefined) useContext(config, flags.context);
  const namespace = flags.allNamespaces === true ? undefined : flags.namespace ?? contextNamespace(config);
  return { kube: new HttpsKube(config), namespace, context: config.getCurrentContext(), output };
}

function useContext(config: KubeConfig, name: string): void {
  if (config.getContextObject(name) === null) {
    throw new CliError(`context "${name}" does not exist (contexts in the kubeconfig: ${config.getContexts().map((c) => c.name).join(', ') || 'none'})`);
  }
  config.setCurrentContext(name);
}

function contextNamespace(config: KubeConfig): string {
  const namespace = config.getContextObject(config.getCurrentContext())?.namespace;
  return namespace === undefined || namespace === '' ? 'default' : namespace;
}
