/**
 * Where the plugin's commands connect, as kubectl decides it: `--kubeconfig`, else `KUBECONFIG`, else
 * in-cluster credentials, else `~/.kube/config`; `--context` picks a context of that file; `-n` the
 * namespace, else the context's namespace, else `default`; `-A` all namespaces.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { HttpsKube } from '../adapters/kube-https.js';
import { clusterSource, loadKubeConfig } from '../kube/load-kubeconfig.js';
import type { Kube } from '../ports/kube.js';
import { CliError, parseOutputFormat, type OutputFormat } from './output.js';

/** The flags every command takes, as commander parses them. */
export interface KubeFlags {
  namespace?: string;
  allNamespaces?: boolean;
  context?: string;
  kubeconfig?: string;
  output?: string;
}

/** A resolved connection: the client, and the namespace to read (undefined with `-A`). */
export interface CliContext {
  kube: Kube;
  namespace: string | undefined;
  output: OutputFormat;
}

/** Adds kubectl's connection and output flags to a command. */
export function withKubeFlags(command: Command, output = 'json|yaml|wide'): Command {
  return command
    .option('-n, --namespace <namespace>', 'namespace of the Canary (default: the context\'s namespace, else default)')
    .option('-A, --all-namespaces', 'every namespace')
    .option('--context <context>', 'kubeconfig context to use')
    .option('--kubeconfig <path>', 'kubeconfig file (default: KUBECONFIG, in-cluster credentials, ~/.kube/config)')
    .option('-o, --output <format>', `output format: ${output}`);
}

/** Resolves the flags into a client and a namespace. */
export function cliContext(flags: KubeFlags, env: NodeJS.ProcessEnv = process.env): CliContext {
  const output = parseOutputFormat(flags.output);
  const source = clusterSource(flags.kubeconfig, env, join(homedir(), '.kube', 'config'));
  if (source.kind === 'none') throw new CliError('no cluster configured: set --kubeconfig or KUBECONFIG, or create ~/.kube/config');
  const config = loadKubeConfig(source);
  if (flags.context !== undefined) {
    if (config.getContextObject(flags.context) === null) throw new CliError(`context "${flags.context}" does not exist`);
    config.setCurrentContext(flags.context);
  }
  const contextNamespace = config.getContextObject(config.getCurrentContext())?.namespace;
  const namespace = flags.allNamespaces === true ? undefined : flags.namespace ?? (contextNamespace !== undefined && contextNamespace !== '' ? contextNamespace : 'default');
  return { kube: new HttpsKube(config), namespace, output };
}
